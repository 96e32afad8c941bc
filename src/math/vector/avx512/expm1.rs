//! AVX-512 `expm1`, and the double-word `e^y - 1` that the AVX-512 `tanh` divides: `exp`'s
//! reduction `y = (16 n + j) ln2/16 + r` (|r| ≤ ln2/32, `2^(j/16)` from two 16-entry tables
//! in registers, `vpermt2pd`), `P = 2^n s_j` by `vscalefpd`, then
//! `e^y - 1 = (P - 1) + P r + P (r²·Q(r) + tail_j (1 + r) + r_err)`. `P - 1` is formed with
//! its rounding error (Fast2Sum, the larger magnitude of `P` and `-1` picked by
//! `vrangepd`), and `(P - 1) + P r` exactly as hi + lo (FMA; `P - 1` and the sum are within
//! a factor 2 of each other wherever `P ≠ 1`, so their difference is exact by Sterbenz), so
//! the last addition is the only rounding at the result's scale (about 0.5 ULP).

use super::exp::{below_708, exp_q, reduce, ExpTables, Reduced};
use super::{lookup16, unary};
use crate::math::float;
use crate::math::vector::expm1 as lanes;
use std::arch::x86_64::*;

/// `e^y - 1` as `hi + lo` for |y| < 708, not normalised: `lo` holds `P (r²·Q(r) + ...)`,
/// up to about 1% of `hi` (for `k = 0`, `hi = r` and `lo ≈ r²/2`). With
/// `NONPOS` the caller promises `y ≤ 0` (so `P ≤ 1`, and `-1` is always the larger
/// magnitude of `P - 1`'s operands), which saves the selection.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
pub(super) unsafe fn expm1_dd<const NONPOS: bool>(y: __m512d, t: &ExpTables) -> (__m512d, __m512d) {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        let Reduced { kd, idx, r, r_err } = reduce(y);
        let sj = lookup16(t.s, idx);
        let tj = lookup16(t.tail, idx);
        let p = _mm512_scalef_pd(sj, kd);
        // q as in `exp`.
        let q = exp_q(r, tj, r_err);
        // d = P - 1 and its rounding error (Fast2Sum: the larger magnitude first).
        let one = set(-1.0);
        let d = _mm512_add_pd(p, one);
        let d_err = if NONPOS {
            _mm512_add_pd(_mm512_sub_pd(one, d), p)
        } else {
            // The operand of larger magnitude keeping its sign, and the other one.
            let big = _mm512_range_pd::<0b0111>(p, one);
            let other = _mm512_range_pd::<0b0110>(p, one);
            _mm512_sub_pd(other, _mm512_sub_pd(d, big))
        };
        // d + P r exactly as hi + lo.
        let hi = _mm512_fmadd_pd(p, r, d);
        let lo = _mm512_fmadd_pd(p, r, _mm512_sub_pd(d, hi));
        (hi, _mm512_fmadd_pd(p, q, _mm512_add_pd(lo, d_err)))
    }
}

/// `(x & !sign) | (s & sign)` bitwise: `x`'s magnitude with `s`'s sign.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
pub(super) unsafe fn with_sign_of(x: __m512d, s: __m512d) -> __m512d {
    // SAFETY: the caller guarantees the CPU features.
    unsafe {
        // vpternlogq's truth table for "c ? b : a" with a = x, b = s, c = the sign mask.
        _mm512_castsi512_pd(_mm512_ternarylogic_epi64::<0xd8>(
            _mm512_castpd_si512(x),
            _mm512_castpd_si512(s),
            _mm512_set1_epi64(i64::MIN),
        ))
    }
}

/// `expm1` on `n` float64s (the module contract; same fast domain as the portable lanes,
/// |x| < 708).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn expm1_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { ExpTables::load() };
    // SAFETY: register arithmetic only, on a CPU with the features (the caller's word).
    let kernel = |x: __m512d| unsafe { expm1_lanes(x, &t) };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { below_708(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe {
        unary(
            n,
            x,
            out,
            0.0,
            kernel,
            fast2,
            (lanes::fast, float::expm1_f64),
        )
    }
}

/// `expm1`'s lanes (|x| < 708).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn expm1_lanes(x: __m512d, t: &ExpTables) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let (hi, lo) = expm1_dd::<false>(x, t);
        // expm1 keeps the sign of its argument: this restores it for -0 (whose sum is +0).
        with_sign_of(_mm512_add_pd(hi, lo), x)
    }
}
