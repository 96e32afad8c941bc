//! AVX-512 `log2` and `log10`: `log`'s reduction and polynomial (`avx512/log.rs`) with the
//! tables and coefficients of the other base. `log_b x = k log_b 2 + log_b c +
//! log1p(d + e)/ln b`: the first two terms are summed exactly (`log2`: `k + log2 c`, the
//! head of `log2 c` a multiple of 2^-42; `log10`: `k·log10(2)`'s 40-bit head plus `log10 c`'s
//! head, multiples of 2^-41), `d/ln b` is formed exactly as a product and its error (FMA)
//! with `1/ln b` as head and tail, and the polynomial's coefficients carry the `1/ln b`
//! (`scripts/vector_math_tables_avx512.py`). The sum of the large terms keeps its rounding
//! error (Fast2Sum), so only the last addition rounds at the result's scale: about 0.51
//! ULP, and `log2(2^k) = k`, `log10(10^k) = k` exactly (there `d = e = 0` and the
//! table's `c = 1`, or the double-double sum lies far closer to the integer `k` than half
//! an ULP).

use super::log::{estrin9, positive_normal2, ratio, reduce, LogTables, Reduced};
use super::tables::{
    LOG10_2, LOG10_INV_LN, LOG10_LOGC_HI, LOG10_LOGC_LO, LOG10_POLY, LOG2_INV_LN, LOG2_LOGC_HI,
    LOG2_LOGC_LO, LOG2_POLY,
};
use super::{lookup16, one, unary};
use crate::math::float;
use crate::math::vector::log as lanes;
use std::arch::x86_64::*;

/// `log2` (`TEN` false) or `log10` on `n` float64s: the fast domain is `log`'s, positive
/// normal numbers.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn log_base<const TEN: bool>(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { base_tables::<TEN>() };
    // SAFETY: register arithmetic only, on a CPU with the features (the caller's word).
    let kernel = |x: __m512d| unsafe { base_lanes::<TEN>(x, &t) };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { positive_normal2(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe { unary(n, x, out, 1.0, kernel, fast2, (lanes::fast, slow::<TEN>())) }
}

/// `log2` (`TEN` false) or `log10` of one vector (the one-vector entries,
/// [`super::OneVector`]).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn base_one<const TEN: bool>(x: __m512d) -> __m512d {
    // SAFETY: the caller guarantees the CPU features.
    unsafe {
        let t = base_tables::<TEN>();
        let kernel = |x| base_lanes::<TEN>(x, &t);
        let fast2 = |v, w| positive_normal2(v, w);
        one(x, kernel, fast2, (lanes::fast, slow::<TEN>()))
    }
}

/// The libm function for the lanes outside the fast domain.
fn slow<const TEN: bool>() -> extern "C" fn(f64) -> f64 {
    if TEN {
        float::log10_f64
    } else {
        float::log2_f64
    }
}

/// Loads `log2`'s tables (`TEN` false) or `log10`'s.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
unsafe fn base_tables<const TEN: bool>() -> LogTables {
    let (logc_hi, logc_lo) = if TEN {
        (&LOG10_LOGC_HI, &LOG10_LOGC_LO)
    } else {
        (&LOG2_LOGC_HI, &LOG2_LOGC_LO)
    };
    // SAFETY: the caller guarantees the CPU features.
    unsafe { LogTables::with_logc(logc_hi, logc_lo) }
}

/// `log2`'s lanes (`TEN` false) or `log10`'s (positive normal numbers).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn base_lanes<const TEN: bool>(x: __m512d, t: &LogTables) -> __m512d {
    let (poly, (il, il_lo)) = if TEN {
        (&LOG10_POLY, LOG10_INV_LN)
    } else {
        (&LOG2_POLY, LOG2_INV_LN)
    };
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        let Reduced { idx, kd, z, .. } = reduce(x);
        let (d, e) = ratio(z, lookup16(t.invc, idx));
        // w = k log_b 2 + head of log_b c, exact (see the module comment); lo2 the rest.
        let (w, lo2) = if TEN {
            (
                _mm512_fmadd_pd(kd, set(LOG10_2.0), lookup16(t.logc_hi, idx)),
                _mm512_fmadd_pd(kd, set(LOG10_2.1), lookup16(t.logc_lo, idx)),
            )
        } else {
            (
                _mm512_add_pd(kd, lookup16(t.logc_hi, idx)),
                lookup16(t.logc_lo, idx),
            )
        };
        // d/ln b = q + qe + d·il_lo, q + qe exactly d·il.
        let q = _mm512_mul_pd(d, set(il));
        let qe = _mm512_fmsub_pd(d, set(il), q);
        // Fast2Sum: |w| > |q| wherever w is not 0, as for log (the same intervals, the
        // same factor on both).
        let hi = _mm512_add_pd(w, q);
        let lo = _mm512_add_pd(_mm512_sub_pd(w, hi), q);
        // log1p(d + e) = log1p(d) + e - d·e + ...
        let t = _mm512_fnmadd_pd(d, e, e);
        let small = _mm512_fmadd_pd(t, set(il), _mm512_fmadd_pd(d, set(il_lo), qe));
        let lo = _mm512_add_pd(lo, _mm512_add_pd(lo2, small));
        let d2 = _mm512_mul_pd(d, d);
        _mm512_add_pd(_mm512_fmadd_pd(d2, estrin9(d, d2, poly), lo), hi)
    }
}

/// `log2` on `n` float64s (the module contract).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn log2_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: as this function's own contract.
    unsafe { log_base::<false>(n, x, out) }
}

/// `log10` on `n` float64s (the module contract).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn log10_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: as this function's own contract.
    unsafe { log_base::<true>(n, x, out) }
}

/// `log2` of one vector (the one-vector entry, [`super::OneVector`]).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: AVX-512F is enabled.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn log2_one(x: __m512d) -> __m512d {
    // SAFETY: as this function's own contract.
    unsafe { base_one::<false>(x) }
}

/// `log10` of one vector (the one-vector entry, [`super::OneVector`]).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: AVX-512F is enabled.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn log10_one(x: __m512d) -> __m512d {
    // SAFETY: as this function's own contract.
    unsafe { base_one::<true>(x) }
}
