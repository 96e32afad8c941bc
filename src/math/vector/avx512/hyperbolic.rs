//! AVX-512 `tanh`: `-t/(t + 2)` with `t = e^-2a - 1` (a = min(|x|, 22), where `tanh`
//! rounds to 1) as the double word of [`super::expm1::expm1_dd`]. The quotient needs no
//! divide: `1/(t + 2)` (in `[1/2, 1]`) is `vrcp14pd` refined by two Newton steps (2^-56),
//! and the first quotient `q0 = t·(1/d)` is corrected by its remainder `t - q0 d`, exact by
//! FMA to far below an ULP, so that the last multiply-add is the only rounding at the
//! result's scale (about 0.5 ULP).

use super::expm1::{expm1_dd, with_sign_of, ExpTables};
use super::unary;
use crate::math::float;
use crate::math::vector::hyperbolic as lanes;
use std::arch::x86_64::*;

/// `tanh` on `n` float64s (the module contract; same fast domain as the portable lanes,
/// everything but NaN: the infinities saturate like large arguments).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn tanh_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { ExpTables::load() };
    // SAFETY: register arithmetic only, on a CPU with the features (the caller's word).
    let kernel = |x: __m512d| unsafe {
        let set = _mm512_set1_pd;
        // min(|x|, 22) in one vrangepd (smaller magnitude, sign cleared): tanh(22) rounds
        // to 1, and so do the infinities.
        let a = _mm512_range_pd::<0b1010>(x, set(22.0));
        let (hi, lo) = expm1_dd::<true>(_mm512_mul_pd(a, set(-2.0)), &t);
        // t = hi + lo is not normalised (lo is up to 1% of hi), d = t + 2 must be: d_hi is
        // the rounded sum, d_lo the rest (2 - d_hi is exact by Sterbenz, d_hi in [1, 2];
        // its sum with hi, about -lo, rounds far below d's ULP).
        let two = set(2.0);
        let t_hi = _mm512_add_pd(hi, lo);
        let d_hi = _mm512_add_pd(t_hi, two);
        let d_lo = _mm512_add_pd(_mm512_add_pd(_mm512_sub_pd(two, d_hi), hi), lo);
        // 1/d_hi: 2^-14 from vrcp14pd, then two Newton steps.
        let one = set(1.0);
        let inv = _mm512_rcp14_pd(d_hi);
        let inv = _mm512_fmadd_pd(inv, _mm512_fnmadd_pd(d_hi, inv, one), inv);
        let inv = _mm512_fmadd_pd(inv, _mm512_fnmadd_pd(d_hi, inv, one), inv);
        // q0 + (t - q0 d)/d: hi - q0 d_hi (about -lo) rounds far below q's ULP, and the
        // low parts are smaller still.
        let q0 = _mm512_mul_pd(t_hi, inv);
        let rem = _mm512_add_pd(_mm512_fnmadd_pd(q0, d_hi, hi), lo);
        let rem = _mm512_fnmadd_pd(q0, d_lo, rem);
        // -tanh(a) = t/d: its magnitude with x's sign (which also gives tanh(±0) = ±0).
        with_sign_of(_mm512_fmadd_pd(rem, inv, q0), x)
    };
    // Safe intrinsics: a closure inherits the target features of its function.
    let fast2 = |v: __m512d, w: __m512d| _mm512_cmp_pd_mask::<_CMP_ORD_Q>(v, w);
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
            (lanes::tanh_fast, float::tanh_f64),
        )
    }
}
