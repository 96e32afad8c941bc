//! [`Real`] on `K` AVX2 vectors at once: `4 K` float64 lanes, each operation issued on all
//! `K` vectors before the next one (see [`super::real`] for why).
//!
//! Soundness rests on one rule: a [`Ymm`] is only created by [`Ymm::on_group`], which is
//! `unsafe` and requires AVX2 and FMA, and is only called from kernels compiled for them
//! (`#[target_feature(enable = "avx2,fma")]` or a superset) that the dispatcher picks on
//! CPUs that have them. Every method below therefore runs where its intrinsics exist.

use super::real::{Group, Real, GROUP};
use std::arch::x86_64::*;
use std::ops::{Add, Mul, Neg, Sub};

/// `4 K` float64 lanes in `K` ymm registers (created only on AVX2 + FMA CPUs, see the
/// module docs).
#[derive(Clone, Copy)]
pub(crate) struct Ymm<const K: usize>([__m256d; K]);

impl<const K: usize> Ymm<K> {
    /// `lanes` on every lane of `g`, `4 K` lanes at a time.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA, and the caller is compiled with both enabled (so that
    /// the intrinsics inline).
    #[inline(always)]
    pub(crate) unsafe fn on_group(g: Group, lanes: impl Fn(Self) -> Self) -> Group {
        let mut r = [0.0; GROUP];
        for c in (0..GROUP).step_by(4 * K) {
            // SAFETY: the caller guarantees AVX.
            let mut v = [unsafe { _mm256_setzero_pd() }; K];
            for (j, v) in v.iter_mut().enumerate() {
                // SAFETY: c + 4 j + 4 <= GROUP (K divides 4); the caller guarantees AVX.
                *v = unsafe { _mm256_loadu_pd(g.0.as_ptr().add(c + 4 * j)) };
            }
            let out = lanes(Ymm(v));
            for (j, v) in out.0.iter().enumerate() {
                // SAFETY: as above.
                unsafe { _mm256_storeu_pd(r.as_mut_ptr().add(c + 4 * j), *v) };
            }
        }
        Group(r)
    }

    /// `f` on each vector.
    #[inline(always)]
    fn each(self, f: impl Fn(__m256d) -> __m256d) -> Self {
        let mut r = self.0;
        for v in &mut r {
            *v = f(*v);
        }
        Ymm(r)
    }

    /// `f` on each pair of vectors.
    #[inline(always)]
    fn each2(self, o: Self, f: impl Fn(__m256d, __m256d) -> __m256d) -> Self {
        let mut r = self.0;
        for (v, w) in r.iter_mut().zip(o.0) {
            *v = f(*v, w);
        }
        Ymm(r)
    }
}

/// The float64 sign bit in every lane.
///
/// # Safety
/// As every method here: the CPU has AVX (module docs).
#[inline(always)]
unsafe fn sign_bits() -> __m256d {
    // SAFETY: the caller's word.
    unsafe { _mm256_set1_pd(-0.0) }
}

impl<const K: usize> Add for Ymm<K> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
        self.each2(o, |a, b| unsafe { _mm256_add_pd(a, b) })
    }
}

impl<const K: usize> Sub for Ymm<K> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
        self.each2(o, |a, b| unsafe { _mm256_sub_pd(a, b) })
    }
}

impl<const K: usize> Mul for Ymm<K> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
        self.each2(o, |a, b| unsafe { _mm256_mul_pd(a, b) })
    }
}

impl<const K: usize> Neg for Ymm<K> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
        self.each(|a| unsafe { _mm256_xor_pd(a, sign_bits()) })
    }
}

impl<const K: usize> Real for Ymm<K> {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs); `splat` is only
        // called by lane functions running on one.
        Ymm([unsafe { _mm256_set1_pd(v) }; K])
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        let mut r = self.0;
        for ((v, w), u) in r.iter_mut().zip(b.0).zip(c.0) {
            // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
            *v = unsafe { _mm256_fmadd_pd(*v, w, u) };
        }
        Ymm(r)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
        self.each(|a| unsafe { _mm256_andnot_pd(sign_bits(), a) })
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        // vminpd gives its second operand where either is NaN: `other` where `self` is
        // NaN, as `f64::min` (which differs only where `other` is NaN).
        // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
        self.each2(other, |a, b| unsafe { _mm256_min_pd(a, b) })
    }
    #[inline(always)]
    fn copysign(self, sign: Self) -> Self {
        // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
        self.each2(sign, |a, s| unsafe {
            _mm256_or_pd(
                _mm256_andnot_pd(sign_bits(), a),
                _mm256_and_pd(sign_bits(), s),
            )
        })
    }
    #[inline(always)]
    fn pow2(self) -> Self {
        // The integer k sits in the low mantissa bits of k + 1.5·2^52 (as in
        // `driver::int_bits`); shifted into the exponent field and biased, it is 2^k.
        const SHIFT: f64 = 6755399441055744.0; // 1.5 * 2^52
                                               // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
        self.each(|k| unsafe {
            let bits = _mm256_castpd_si256(_mm256_add_pd(k, _mm256_set1_pd(SHIFT)));
            let k = _mm256_sub_epi64(bits, _mm256_set1_epi64x(SHIFT.to_bits() as i64));
            let e = _mm256_slli_epi64::<52>(_mm256_add_epi64(k, _mm256_set1_epi64x(1023)));
            _mm256_castsi256_pd(e)
        })
    }
    #[inline(always)]
    fn lt_select(self, bound: Self, then: Self, other: Self) -> Self {
        let mut r = other.0;
        for (((v, a), b), t) in r.iter_mut().zip(self.0).zip(bound.0).zip(then.0) {
            // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
            *v = unsafe { _mm256_blendv_pd(*v, t, _mm256_cmp_pd::<_CMP_LT_OQ>(a, b)) };
        }
        Ymm(r)
    }
    #[inline(always)]
    fn div(self, d: Self) -> Self {
        // SAFETY: a Ymm exists only on AVX2 + FMA CPUs (module docs).
        self.each2(d, |a, b| unsafe { _mm256_div_pd(a, b) })
    }
}
