//! AVX-512 `log`: `x = 2^k z`, `z`'s bit pattern in one of 16 intervals of
//! `[0.70, 1.40)` with a centre `c`, `log x = k ln2 + log c + log1p(z/c - 1)`, `1/c` and
//! `log c` (exact to 2^-97) from three 16-entry tables held in registers (`vpermt2pd`).
//! The interval around 1 has `c = 1` and reaches 1/48 to either side, so no second path is
//! needed near 1. `z/c - 1` is formed exactly as `d + e` (`d = z·(1/c) - 1` from the
//! rounded product, exact by Sterbenz; `e` the product's error by an FMA), `e - d·e` joins
//! the low-order sum, and `log1p(d) - d = d²·P(d)` with `P` of degree 8 fitted on `|d| < 0.03`
//! (`scripts/vector_math_tables_avx512.py`). About 0.51 ULP, as the portable lanes.
//!
//! [`reduce`], [`ratio`], [`estrin9`] and [`positive_normal2`] also serve `log1p`, `log2`
//! and `log10` (`avx512/log1p.rs`, `avx512/log2.rs`).

use super::tables::{LOG_INVC, LOG_LOGC_HI, LOG_LOGC_LO, LOG_OFF, LOG_POLY};
use super::{lookup16, one, table16, unary};
use crate::math::float;
use crate::math::vector::log as lanes;
use crate::math::vector::log::{LN2_HI, LN2_LO};
use std::arch::x86_64::*;

/// `x = 2^k z` for a positive normal `x`, split for the tables.
pub(super) struct Reduced {
    /// The interval of `z` in the low four bits (what `vpermt2pd` reads).
    pub(super) idx: __m512i,
    /// `k` as a float64.
    pub(super) kd: __m512d,
    /// `k << 52`: subtracted from a float64's bits, divides it by 2^k.
    pub(super) top: __m512i,
    /// `z`, in `[OFF, 2 OFF)`.
    pub(super) z: __m512d,
}

/// Splits positive normal `x` as [`Reduced`] says.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
pub(super) unsafe fn reduce(x: __m512d) -> Reduced {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let ix = _mm512_castpd_si512(x);
        let tmp = _mm512_sub_epi64(ix, _mm512_set1_epi64(LOG_OFF as i64));
        let idx = _mm512_srli_epi64::<48>(tmp);
        let kd = _mm512_cvtepi64_pd(_mm512_srai_epi64::<52>(tmp));
        let top = _mm512_and_si512(tmp, _mm512_set1_epi64(0xfff << 52));
        let z = _mm512_castsi512_pd(_mm512_sub_epi64(ix, top));
        Reduced { idx, kd, top, z }
    }
}

/// `z/c - 1 = d + e` exactly, from `ic = 1/c`: `d` the rounded product less 1 (exact by
/// Sterbenz), `e` the product's rounding error (FMA).
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
pub(super) unsafe fn ratio(z: __m512d, ic: __m512d) -> (__m512d, __m512d) {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let p = _mm512_mul_pd(z, ic);
        let e = _mm512_fmsub_pd(z, ic, p);
        (_mm512_sub_pd(p, _mm512_set1_pd(1.0)), e)
    }
}

/// The degree-8 polynomial `c` at `d` (with `d2 = d²`) by Estrin's scheme.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
pub(super) unsafe fn estrin9(d: __m512d, d2: __m512d, c: &[f64; 9]) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let c = |i: usize| _mm512_set1_pd(c[i]);
        let d4 = _mm512_mul_pd(d2, d2);
        let a01 = _mm512_fmadd_pd(d, c(1), c(0));
        let a23 = _mm512_fmadd_pd(d, c(3), c(2));
        let a45 = _mm512_fmadd_pd(d, c(5), c(4));
        let a67 = _mm512_fmadd_pd(d, c(7), c(6));
        let a47 = _mm512_fmadd_pd(d2, a67, a45);
        let a48 = _mm512_fmadd_pd(d4, c(8), a47);
        let a03 = _mm512_fmadd_pd(d2, a23, a01);
        _mm512_fmadd_pd(d4, a48, a03)
    }
}

/// Whether each lane of both `v` and `w` is a positive normal finite number: vfpclasspd
/// flags NaN, ±0, ±inf, subnormals and negatives (categories 0x01 to 0x80, all of them).
///
/// # Safety
/// The CPU has AVX-512DQ.
#[inline(always)]
pub(super) unsafe fn positive_normal2(v: __m512d, w: __m512d) -> __mmask8 {
    // SAFETY: the caller guarantees the CPU features.
    unsafe { !(_mm512_fpclass_pd_mask::<0xff>(v) | _mm512_fpclass_pd_mask::<0xff>(w)) }
}

/// `log` on `n` float64s (the module contract; same fast domain as the portable lanes,
/// positive normal numbers).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn log_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { LogTables::load() };
    // SAFETY: register arithmetic only, on a CPU with the features (the caller's word).
    let kernel = |x: __m512d| unsafe { log_lanes(x, &t) };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { positive_normal2(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe { unary(n, x, out, 1.0, kernel, fast2, (lanes::fast, float::log_f64)) }
}

/// `log` of one vector (the one-vector entry, [`super::OneVector`]).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: AVX-512F is enabled.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn log_one(x: __m512d) -> __m512d {
    // SAFETY: the caller guarantees the CPU features.
    unsafe {
        let t = LogTables::load();
        let kernel = |x| log_lanes(x, &t);
        let fast2 = |v, w| positive_normal2(v, w);
        one(x, kernel, fast2, (lanes::fast, float::log_f64))
    }
}

/// The three 16-entry tables of `log`, `log1p`, `log2` and `log10`, loaded into registers
/// once per call: `1/c` is shared, `log_b c` is each base's.
pub(super) struct LogTables {
    /// `1/c`.
    pub invc: (__m512d, __m512d),
    /// The head of `log_b c`.
    pub logc_hi: (__m512d, __m512d),
    /// `log_b c` less `logc_hi`.
    pub logc_lo: (__m512d, __m512d),
}

impl LogTables {
    /// Loads the natural logarithm's tables.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    pub(super) unsafe fn load() -> Self {
        // SAFETY: the caller's contract.
        unsafe { Self::with_logc(&LOG_LOGC_HI, &LOG_LOGC_LO) }
    }

    /// Loads `1/c` with the head and tail of another base's `log_b c`.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    pub(super) unsafe fn with_logc(hi: &[f64; 16], lo: &[f64; 16]) -> Self {
        // SAFETY: the caller guarantees the CPU features.
        unsafe {
            LogTables {
                invc: table16(&LOG_INVC),
                logc_hi: table16(hi),
                logc_lo: table16(lo),
            }
        }
    }
}

/// `log`'s lanes (positive normal numbers).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn log_lanes(x: __m512d, t: &LogTables) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let Reduced { idx, kd, z, .. } = reduce(x);
        let (d, e) = ratio(z, lookup16(t.invc, idx));
        // k·LN2_HI + log c (both multiples of 2^-43 below 2^10) is exact; + d as hi + lo
        // (|w| > |d| wherever w is not 0).
        let w = _mm512_fmadd_pd(kd, _mm512_set1_pd(LN2_HI), lookup16(t.logc_hi, idx));
        let hi = _mm512_add_pd(w, d);
        let lo = _mm512_add_pd(_mm512_sub_pd(w, hi), d);
        let lo2 = _mm512_fmadd_pd(kd, _mm512_set1_pd(LN2_LO), lookup16(t.logc_lo, idx));
        // log1p(d + e) = log1p(d) + e - d·e + ...: e is up to 2^-53, d·e up to an ULP.
        let lo = _mm512_add_pd(lo, _mm512_add_pd(lo2, _mm512_fnmadd_pd(d, e, e)));
        let d2 = _mm512_mul_pd(d, d);
        _mm512_add_pd(_mm512_fmadd_pd(d2, estrin9(d, d2, &LOG_POLY), lo), hi)
    }
}
