//! `log2` and `log10`: `log`'s reduction with fdlibm's `e_log2` / `e_log10` finish —
//! `f - f²/2` split in two parts and the constants in two, so that the large term is
//! multiplied exactly and `log2(2^k) = k`, `log10(10^k) = k` come out exact.

use super::driver::{madd, unary_kernel, Unary};
use super::log::{fast, log_kernel, reduce};
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const LOG2_ULPS: u32 = 1;
/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const LOG10_ULPS: u32 = 1;

/// `1/ln 2` as a 33-bit head (its products with 21-bit values are exact) and a tail.
const IVLN2_HI: f64 = f64::from_bits(0x3ff7_1547_6520_0000);
const IVLN2_LO: f64 = f64::from_bits(0x3de7_05fc_2eef_a200);
/// `1/ln 10`, split as `IVLN2_*`.
const IVLN10_HI: f64 = f64::from_bits(0x3fdb_cb7b_1520_0000);
const IVLN10_LO: f64 = f64::from_bits(0x3dbb_9438_ca9a_add5);
/// `log10(2)`: a head whose products with |k| < 2^11 are exact, and a tail.
const LOG10_2_HI: f64 = f64::from_bits(0x3fd3_4413_509f_6000);
const LOG10_2_LO: f64 = f64::from_bits(0x3d59_fef3_11f1_2b36);

/// `log(1+f)` for the reduced `m = 1+f` as `hi + lo`, `hi` with 21 significant bits.
#[inline(always)]
fn split_log<const F: bool>(m: f64) -> (f64, f64) {
    let f = m - 1.0;
    let (s, hfsq, r) = log_kernel::<F>(f);
    let hi = f64::from_bits((f - hfsq).to_bits() & 0xffff_ffff_0000_0000);
    let lo = madd::<F>(s, hfsq + r, (f - hi) - hfsq);
    (hi, lo)
}

/// `y + v_hi + v_lo` with `|y| >= |v_hi|` (or `y = 0`): adds `y + v_hi` with its
/// rounding error recovered (Fast2Sum), so integer `y` survives exactly.
#[inline(always)]
fn finish(y: f64, v_hi: f64, v_lo: f64) -> f64 {
    let w = y + v_hi;
    (v_lo + ((y - w) + v_hi)) + w
}

/// `log2(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn log2_lane<const F: bool>(x: f64) -> f64 {
    let (kf, m) = reduce(x);
    let (hi, lo) = split_log::<F>(m);
    let v_lo = madd::<F>(lo + hi, IVLN2_LO, lo * IVLN2_HI);
    finish(kf, hi * IVLN2_HI, v_lo)
}

/// `log10(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn log10_lane<const F: bool>(x: f64) -> f64 {
    let (kf, m) = reduce(x);
    let (hi, lo) = split_log::<F>(m);
    let v_lo = madd::<F>(
        lo + hi,
        IVLN10_LO,
        madd::<F>(kf, LOG10_2_LO, lo * IVLN10_HI),
    );
    finish(kf * LOG10_2_HI, hi * IVLN10_HI, v_lo)
}

unary_kernel!(LOG2_F64_LANES, f64, log2_lane, fast, float::log2_f64);
/// `log2` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const LOG2_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::log2::log2_f64,
    ..LOG2_F64_LANES
};
unary_kernel!(LOG2_F32, f32, log2_lane, fast, float::log2_f32);
unary_kernel!(LOG10_F64_LANES, f64, log10_lane, fast, float::log10_f64);
/// `log10` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const LOG10_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::log2::log10_f64,
    ..LOG10_F64_LANES
};
unary_kernel!(LOG10_F32, f32, log10_lane, fast, float::log10_f32);
