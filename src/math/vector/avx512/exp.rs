//! AVX-512 `exp`: `x = (16 n + j) ln2/16 + r` with |r| ≤ ln2/32, then
//! `exp(x) = 2^n · 2^(j/16) · exp(r)`: `2^(j/16)` as a double `s_j` and a relative tail
//! from two 16-entry tables held in registers (`vpermt2pd`, indexed by the low bits of the
//! shifted `k` directly), `exp(r) - 1 - r` as `r²·Q(r)` with `Q` of degree 5 fitted to
//! 2^-53, `2^n` applied by `vscalefpd`. With a 16-entry table `r` is 8 times larger than
//! with the portable lanes' 128 entries, so the roundings at `r`'s scale are avoided: the
//! rounding error of `r` is carried along, and `s_j + s_j r` is formed exactly, leaving
//! the last addition as the only rounding that matters (about 0.500 ULP measured).

use super::tables::{EXP_POLY, EXP_S, EXP_TAIL};
use super::{lookup16, table16, unary};
use crate::math::float;
use crate::math::vector::exp as lanes;
use crate::math::vector::tables::{LN2_N_HI, LN2_N_LO};
use std::arch::x86_64::*;
use std::f64::consts::LOG2_E;

/// `ln 2` as `ln 2 / 128` times 128 (exact): a head whose products with `k/16`,
/// |k| < 2^14, are exact, and a tail.
pub(super) const LN2_HI: f64 = LN2_N_HI * 128.0;
pub(super) const LN2_LO: f64 = LN2_N_LO * 128.0;
/// 1.5 * 2^48: adding it rounds to a multiple of 1/16, whose bits end in `k` itself.
pub(super) const SHIFT: f64 = 422212465065984.0;

/// `exp` on `n` float64s (the module contract; same fast domain as the portable lanes,
/// |x| < 708).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn exp_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { ExpTables::load() };
    // SAFETY: register arithmetic only, on a CPU with the features (the caller's word).
    let kernel = |x: __m512d| unsafe { exp_lanes(x, &t) };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { below_708(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe { unary(n, x, out, 0.0, kernel, fast2, (lanes::fast, float::exp_f64)) }
}

/// `exp`'s lanes (|x| < 708).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn exp_lanes(x: __m512d, t: &ExpTables) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let Reduced { kd, idx, r, r_err } = reduce(x);
        let sj = lookup16(t.s, idx);
        let tj = lookup16(t.tail, idx);
        // exp(r) 2^(j/16) = s_j (1 + r + q).
        let q = exp_q(r, tj, r_err);
        // s_j + s_j r exactly as hi + lo (s_j - hi is exact by Sterbenz, and lo's own
        // rounding is far below an ULP), so that only the last addition rounds at the
        // result's scale: a rounded 1 + r + q would cost up to 0.016 ULP more, enough to
        // misround values such as exp(32).
        let hi = _mm512_fmadd_pd(sj, r, sj);
        let lo = _mm512_fmadd_pd(sj, r, _mm512_sub_pd(sj, hi));
        let y = _mm512_add_pd(hi, _mm512_fmadd_pd(sj, q, lo));
        // Times 2^floor(k/16) = 2^n.
        _mm512_scalef_pd(y, kd)
    }
}

/// `exp`'s two 16-entry tables, loaded into registers once per call (`expm1` and `tanh`
/// read them too).
pub(super) struct ExpTables {
    /// `2^(j/16)` rounded.
    pub s: (__m512d, __m512d),
    /// `2^(j/16) / s_j - 1`.
    pub tail: (__m512d, __m512d),
}

impl ExpTables {
    /// Loads the tables.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    pub(super) unsafe fn load() -> Self {
        // SAFETY: the caller guarantees the CPU features.
        unsafe {
            ExpTables {
                s: table16(&EXP_S),
                tail: table16(&EXP_TAIL),
            }
        }
    }
}

/// `x = kd·ln2 + r` with `kd = k/16`, the reduction of `exp`, `expm1`, `tanh`, `sinh` and
/// `cosh`.
pub(super) struct Reduced {
    /// `k/16` for `k = round(16 x / ln 2)`.
    pub kd: __m512d,
    /// The shifted `k`'s bits: the low four are `j = k mod 16` (two's complement for
    /// `k < 0`), the index into the tables.
    pub idx: __m512i,
    /// `x - kd·ln2`, rounded (|r| ≤ ln2/32).
    pub r: __m512d,
    /// `r`'s rounding error (`r1 - r` is exact), carried into the small terms: worth up to
    /// 0.016 ULP of `exp`, a quarter of an ULP of `expm1` near `k = ±1`.
    pub r_err: __m512d,
}

/// The reduction [`Reduced`] describes.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
pub(super) unsafe fn reduce(x: __m512d) -> Reduced {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        let kd = _mm512_fmadd_pd(x, set(LOG2_E), set(SHIFT));
        let idx = _mm512_castpd_si512(kd);
        let kd = _mm512_sub_pd(kd, set(SHIFT));
        // Exact: kd · LN2_HI has at most 50 bits and is close to x.
        let r1 = _mm512_fnmadd_pd(kd, set(LN2_HI), x);
        let r = _mm512_fnmadd_pd(kd, set(LN2_LO), r1);
        let r_err = _mm512_fnmadd_pd(kd, set(LN2_LO), _mm512_sub_pd(r1, r));
        Reduced { kd, idx, r, r_err }
    }
}

/// The fast-domain test of `exp`, `expm1`, `sinh` and `cosh`: |x| < 708 in both vectors.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
pub(super) unsafe fn below_708(v: __m512d, w: __m512d) -> __mmask8 {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        // vrangepd's larger magnitude (sign cleared; with one NaN operand it returns the
        // other, so NaN lanes are masked off).
        let big = _mm512_range_pd::<0b1011>(v, w);
        let ordered = _mm512_cmp_pd_mask::<_CMP_ORD_Q>(v, w);
        _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(ordered, big, _mm512_set1_pd(708.0))
    }
}

/// `q = r²·Q(r) + tail (1 + r) + r_err`, where `exp(r) 2^(j/16) = s_j (1 + r + q)`: `Q`
/// fitted to `(exp(r) - 1 - r)/r²` (scripts/vector_math_tables_avx512.py), `tail` the
/// table's `2^(j/16) / s_j - 1`, `r_err` the reduction's rounding error. `expm1` shares it.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
pub(super) unsafe fn exp_q(r: __m512d, tj: __m512d, r_err: __m512d) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let c = |i: usize| _mm512_set1_pd(EXP_POLY[i]);
        let r2 = _mm512_mul_pd(r, r);
        let r4 = _mm512_mul_pd(r2, r2);
        let q01 = _mm512_fmadd_pd(r, c(1), c(0));
        let q23 = _mm512_fmadd_pd(r, c(3), c(2));
        let q45 = _mm512_fmadd_pd(r, c(5), c(4));
        let poly = _mm512_fmadd_pd(r4, q45, _mm512_fmadd_pd(r2, q23, q01));
        let small = _mm512_fmadd_pd(tj, r, _mm512_add_pd(tj, r_err));
        _mm512_fmadd_pd(r2, poly, small)
    }
}
