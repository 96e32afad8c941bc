//! AVX-512 `log1p`: `u = 1 + x` rounded, `c = x - (u - 1)` its rounding error (exact for
//! `x < 2^53`: Fast2Sum with |1| ≥ |x| below 1, and `u - 1` exact above; beyond, `c` is
//! off by at most 1, which moves the result by 2^-52 of its 36 or more, far below an
//! ULP). Then `log`'s reduction and polynomial (`avx512/log.rs`) on `u`, with
//! `c`'s part of `(u + c)/(2^k c_i) - 1`, `c·2^-k/c_i`, added to the exact `d + e`:
//! `log1p(x) = log(u + c)` loses nothing at first order, and the result carries the same
//! error as `log` (about 0.51 ULP). Near 0 (the central interval, `c_i = 1`, `k = 0`)
//! `d = u - 1` and `e = c` are alike in size: they are renormalised (Fast2Sum), so that
//! `d` carries `x`'s leading bits and tiny `x` comes out as `log1p(x) = x`.

use super::log::{estrin9, ratio, reduce, LogTables, Reduced};
use super::tables::LOG_POLY;
use super::{lookup16, unary};
use crate::math::float;
use crate::math::vector::log::{LN2_HI, LN2_LO};
use std::arch::x86_64::*;

/// `vfixupimmpd`'s table: a zero second operand (token 2) is returned as it is (response
/// 1), every other class keeps the first operand (response 0).
const ZERO_AS_IS: i64 = 1 << (4 * 2);

/// `log1p` on `n` float64s (the module contract; fast domain `-1 < x < 2^1000`).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn log1p_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { LogTables::load() };
    let (invc, logc_hi, logc_lo) = (t.invc, t.logc_hi, t.logc_lo);
    // SAFETY: register arithmetic only, on a CPU with the features (the caller's word).
    let kernel = |x: __m512d| unsafe {
        let one = _mm512_set1_pd(1.0);
        // u in [2^-53, max] for x in the fast domain: a positive normal number.
        let u = _mm512_add_pd(one, x);
        let c = _mm512_sub_pd(x, _mm512_sub_pd(u, one));
        let Reduced { idx, kd, top, z } = reduce(u);
        let ic = lookup16(invc, idx);
        let (d, e) = ratio(z, ic);
        // + c·2^-k/c_i: 2^-k/c_i by subtracting k from the exponent of 1/c_i (normal for
        // -54 ≤ k ≤ 1000, which the fast domain ensures).
        let ics = _mm512_castsi512_pd(_mm512_sub_epi64(_mm512_castpd_si512(ic), top));
        let e = _mm512_fmadd_pd(c, ics, e);
        // Renormalised (Fast2Sum: |d| ≥ 2^-53 ≥ |e| where c_i = 1, or d = 0; elsewhere
        // an error of d + e's last bits is small next to log c_i).
        let dn = _mm512_add_pd(d, e);
        let e = _mm512_sub_pd(e, _mm512_sub_pd(dn, d));
        let d = dn;
        // From here on as log (avx512/log.rs).
        let w = _mm512_fmadd_pd(kd, _mm512_set1_pd(LN2_HI), lookup16(logc_hi, idx));
        let hi = _mm512_add_pd(w, d);
        let lo = _mm512_add_pd(_mm512_sub_pd(w, hi), d);
        let lo2 = _mm512_fmadd_pd(kd, _mm512_set1_pd(LN2_LO), lookup16(logc_lo, idx));
        let lo = _mm512_add_pd(lo, _mm512_add_pd(lo2, _mm512_fnmadd_pd(d, e, e)));
        let d2 = _mm512_mul_pd(d, d);
        let y = _mm512_add_pd(_mm512_fmadd_pd(d2, estrin9(d, d2, &LOG_POLY), lo), hi);
        // The sums turn log1p(-0) into +0; libm keeps -0 (and +0).
        _mm512_fixupimm_pd::<0>(y, x, _mm512_set1_epi64(ZERO_AS_IS))
    };
    // Safe intrinsics: a closure inherits the target features of its function.
    let fast2 = |v: __m512d, w: __m512d| {
        // -1 < x < 2^1000 in both (false for NaN): four chained ordered compares.
        let (m1, big) = (_mm512_set1_pd(-1.0), _mm512_set1_pd(BIG));
        let m = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(v, m1);
        let m = _mm512_mask_cmp_pd_mask::<_CMP_GT_OQ>(m, w, m1);
        let m = _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(m, v, big);
        _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(m, w, big)
    };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe { unary(n, x, out, 0.5, kernel, fast2, (fast, float::log1p_f64)) }
}

/// The fast domain's upper end, 2^1000 (see `ics` in the kernel).
const BIG: f64 = f64::from_bits((1023 + 1000) << 52);

/// The kernel's fast domain, `-1 < x < 2^1000`: the pole `-1`, below it, the largest
/// numbers, `+inf` and NaN go to libm.
fn fast(x: f64) -> bool {
    x > -1.0 && x < BIG
}
