//! AVX-512 `sin` and `cos`: `x = k·π/16 + r` with |r| ≤ π/32 as a pair `hi + lo`, not
//! renormalised (the portable lanes' reduction: three 53-bit pieces of `π/16`, the one sum
//! that can cancel kept by TwoSum), `k = 8q + j`. Then `sin x = ±(A cos r + B sin r)`, with
//! `(A, B) = (sin jπ/16, cos jπ/16)` for even `q` and `(cos jπ/16, -sin jπ/16)` for odd
//! `q`: both from 16-entry tables indexed by `k mod 16` in zmm registers (`vpermt2pd`,
//! `A` and `B` each as hi + lo), the sign from bit 4 of `k`. `cos x = sin(x + π/2)` is
//! the same kernel with `k + 8`. One short polynomial for each of `sin r - r` and
//! `cos r - 1` (|r| ≤ π/32); `A + B·hi` is formed with its rounding error, so the last
//! addition is the only rounding at the result's scale (about 0.5 ULP, where the portable
//! lanes' π/2 reduction with two long polynomials has 0.73).

use super::tables::{COS_POLY, SIN_A_HI, SIN_A_LO, SIN_B_HI, SIN_B_LO, SIN_POLY};
use super::{lookup16, one, table16, unary};
use crate::math::float;
use crate::math::vector::trig::{self as lanes, PIO2_F1, PIO2_F2, PIO2_F3};
use std::arch::x86_64::*;
use std::f64::consts::FRAC_2_PI;

/// 1.5·2^52: adding it rounds to an integer, whose low bits are the integer itself.
pub(super) const SHIFT: f64 = 6755399441055744.0;
/// `π/16` in three 53-bit pieces (`π/2`'s, scaled exactly): `x - k·PIO16_1` is exact for
/// |x| ≤ 2^20 (a multiple of 2^-56 below 2^-3) and `k·PIO16_2` is split exactly.
const PIO16_1: f64 = PIO2_F1 / 8.0;
const PIO16_2: f64 = PIO2_F2 / 8.0;
const PIO16_3: f64 = PIO2_F3 / 8.0;

/// `x - k·π/16` for `k = round(16x/π)` and |x| ≤ 2^20: `(idx, s, tail)` with `k` in the
/// low bits of `idx` (`k + 8` with `shift = SHIFT + 8`, for `cos x = sin(x + π/2)`), the
/// rounded difference `s` and the rest `tail`, |tail| ≤ ulp(s)/2 + 2^-85 (not normalised:
/// where `s` cancels, `tail` holds the low bits of `k·π/16`).
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
pub(super) unsafe fn reduce(x: __m512d, shift: f64) -> (__m512i, __m512d, __m512d) {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        // kd's low bits are k; k itself is exact.
        let kd = _mm512_fmadd_pd(x, set(FRAC_2_PI * 8.0), set(shift));
        let idx = _mm512_castpd_si512(kd);
        let k = _mm512_sub_pd(kd, set(shift));
        // x - k·π/16 = a - (bh + bl) - k·PIO16_3, a and bh + bl exact; TwoSum keeps the
        // rounding error of the one sum that can cancel.
        let a = _mm512_fnmadd_pd(k, set(PIO16_1), x);
        let bh = _mm512_mul_pd(k, set(PIO16_2));
        let bl = _mm512_fmsub_pd(k, set(PIO16_2), bh);
        let s = _mm512_sub_pd(a, bh);
        let bb = _mm512_sub_pd(s, a);
        let e = _mm512_sub_pd(
            _mm512_sub_pd(a, _mm512_sub_pd(s, bb)),
            _mm512_add_pd(bh, bb),
        );
        let tail = _mm512_fnmadd_pd(k, set(PIO16_3), _mm512_sub_pd(e, bl));
        (idx, s, tail)
    }
}

/// `sin` (`COS` false) or `cos` on one vector in the fast domain (|x| ≤ 2^20).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn kernel<const COS: bool>(x: __m512d, t: &Tables) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        // + 8 for cos moves x by π/2.
        // r = hi + lo as reduced (`reduce`'s s and tail), not renormalised: |lo| is at most
        // half an ULP of hi, or below 2^-60 where hi cancelled, so what z = hi² and the
        // polynomials leave out of lo stays below 2^-64 relative either way, as with a
        // renormalised pair (and the three operations of a renormalisation, on the critical
        // path, cost 15% on Zen 4).
        let (idx, hi, lo) = reduce(x, if COS { SHIFT + 8.0 } else { SHIFT });
        let (ah, al) = (lookup16(t.a_hi, idx), lookup16(t.a_lo, idx));
        let (bh, bl) = (lookup16(t.b_hi, idx), lookup16(t.b_lo, idx));
        let z = _mm512_mul_pd(hi, hi);
        let horner = |c: &[f64; 4]| {
            let p = _mm512_fmadd_pd(z, set(c[3]), set(c[2]));
            let p = _mm512_fmadd_pd(z, p, set(c[1]));
            _mm512_fmadd_pd(z, p, set(c[0]))
        };
        // sin(hi + lo) - hi = hi·z·S(z) + lo, cos(hi + lo) - 1 = z·C(z) - hi·lo (the
        // terms dropped are below 2^-64 relative).
        let sin_tail = _mm512_fmadd_pd(_mm512_mul_pd(hi, z), horner(&SIN_POLY), lo);
        let cos_m1 = _mm512_fmsub_pd(z, horner(&COS_POLY), _mm512_mul_pd(hi, lo));
        // A + B·hi as p + p_lo: A - p is exact (Sterbenz: |B·hi| ≤ 0.1 |B| keeps p
        // within a factor 2 of A, or A = 0), so p_lo is that sum's rounding error.
        let p = _mm512_fmadd_pd(bh, hi, ah);
        let p_lo = _mm512_fmadd_pd(bh, hi, _mm512_sub_pd(ah, p));
        let small = _mm512_fmadd_pd(bl, hi, _mm512_add_pd(al, p_lo));
        let small = _mm512_fmadd_pd(ah, cos_m1, small);
        let small = _mm512_fmadd_pd(bh, sin_tail, small);
        let y = _mm512_add_pd(p, small);
        // Bit 4 of k (of k + 8 for cos) is q's bit 1: the sign, moved to bit 63.
        let sign = _mm512_slli_epi64::<59>(idx);
        let y = _mm512_ternarylogic_epi64::<0x78>(
            _mm512_castpd_si512(y),
            sign,
            _mm512_set1_epi64(i64::MIN),
        );
        let y = _mm512_castsi512_pd(y);
        if COS {
            y
        } else {
            // The sums turn sin(-0) into +0; libm keeps -0 (and +0).
            let zero = _mm512_cmp_pd_mask::<_CMP_EQ_OQ>(x, _mm512_setzero_pd());
            _mm512_mask_mov_pd(y, zero, x)
        }
    }
}

/// The four tables, loaded into registers once per call.
pub(super) struct Tables {
    /// `A_i`, rounded.
    pub(super) a_hi: (__m512d, __m512d),
    /// `A_i` less `a_hi`.
    pub(super) a_lo: (__m512d, __m512d),
    /// `B_i`, rounded.
    pub(super) b_hi: (__m512d, __m512d),
    /// `B_i` less `b_hi`.
    pub(super) b_lo: (__m512d, __m512d),
}

impl Tables {
    /// Loads the tables into registers.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    pub(super) unsafe fn load() -> Self {
        // SAFETY: the caller guarantees the CPU features.
        unsafe {
            Tables {
                a_hi: table16(&SIN_A_HI),
                a_lo: table16(&SIN_A_LO),
                b_hi: table16(&SIN_B_HI),
                b_lo: table16(&SIN_B_LO),
            }
        }
    }
}

/// `sin` or `cos` on `n` float64s: the fast domain is the portable lanes', |x| ≤ 2^20;
/// beyond it (and for infinities and NaN) libm's Payne–Hanek reduction.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn sincos<const COS: bool>(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { Tables::load() };
    // SAFETY: the caller guarantees the CPU features.
    let kernel = |v| unsafe { kernel::<COS>(v, &t) };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { below_2_20(v, w) };
    let slow = if COS { float::cos_f64 } else { float::sin_f64 };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe { unary(n, x, out, 1.0, kernel, fast2, (lanes::fast, slow)) }
}

/// `sin` or `cos` of one vector (the one-vector entries, [`super::OneVector`]).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn sincos_one<const COS: bool>(x: __m512d) -> __m512d {
    // SAFETY: the caller guarantees the CPU features.
    unsafe {
        let t = Tables::load();
        let kernel = |v| kernel::<COS>(v, &t);
        let fast2 = |v, w| below_2_20(v, w);
        let slow = if COS { float::cos_f64 } else { float::sin_f64 };
        one(x, kernel, fast2, (lanes::fast, slow))
    }
}

/// `sin` of one vector.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: AVX-512F is enabled.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn sin_one(x: __m512d) -> __m512d {
    // SAFETY: as this function's own contract.
    unsafe { sincos_one::<false>(x) }
}

/// `cos` of one vector.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: AVX-512F is enabled.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn cos_one(x: __m512d) -> __m512d {
    // SAFETY: as this function's own contract.
    unsafe { sincos_one::<true>(x) }
}

/// The fast-domain test of `sin`, `cos` and `tan`: |x| ≤ 2^20 in both vectors.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
pub(super) unsafe fn below_2_20(v: __m512d, w: __m512d) -> __mmask8 {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        // vrangepd's larger magnitude (sign cleared; with one NaN operand it returns the
        // other, so NaN lanes are masked off).
        let big = _mm512_range_pd::<0b1011>(v, w);
        let ordered = _mm512_cmp_pd_mask::<_CMP_ORD_Q>(v, w);
        _mm512_mask_cmp_pd_mask::<_CMP_LE_OQ>(ordered, big, _mm512_set1_pd(1_048_576.0))
    }
}

/// `sin` on `n` float64s (the module contract).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn sin_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: as this function's own contract.
    unsafe { sincos::<false>(n, x, out) }
}

/// `cos` on `n` float64s (the module contract).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn cos_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: as this function's own contract.
    unsafe { sincos::<true>(n, x, out) }
}
