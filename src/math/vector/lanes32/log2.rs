//! `log2` and `log10` in `f32` lanes: `log`'s reduction and polynomial, `log(1+f) = f +
//! lo` scaled by `1/ln 2` (or `1/ln 10`) in two parts with the large product's error
//! kept, and the integer part `k` (or `k·log10 2`, its head exact) added with its
//! rounding error recovered: so `log2(2^k) = k` and `log10(10^k) = k` come out exact.

use super::log::{fast, reduce, tail};
use super::{two_sum, unary_kernel_f32};
use crate::math::float;

/// `1/ln 2` rounded, and the rest.
const IVLN2_HI: f32 = f32::from_bits(0x3fb8_aa3b);
const IVLN2_LO: f32 = f32::from_bits(0x32a5_7060);
/// `1/ln 10` rounded, and the rest.
const IVLN10_HI: f32 = f32::from_bits(0x3ede_5bd9);
const IVLN10_LO: f32 = f32::from_bits(0xb22d_91af);
/// `log10 2` as an 11-bit head (`k·LOG10_2_HI` is exact) and a tail.
const LOG10_2_HI: f32 = f32::from_bits(0x3e9a_2000);
const LOG10_2_LO: f32 = f32::from_bits(0x369a_84fc);

/// `log(1+f)·(hi + lo)` as `vh + vl`, `vh` the rounded product of the heads.
#[inline(always)]
fn scaled_log(f: f32, hi: f32, lo: f32) -> (f32, f32) {
    // log(1+f) = f + t, t = -f²/2 + f³·P(f) (f²/2 exact in the FMA).
    let t = (-0.5 * f).mul_add(f, tail(f));
    // f + t with its rounding error (Fast2Sum: |t| < |f|/2): t reaches 0.09, too
    // large to be scaled after the sum without losing a tenth of an ULP.
    let (l, le) = (f + t, (f - (f + t)) + t);
    let vh = l * hi;
    let vl = l.mul_add(hi, -vh) + le.mul_add(hi, l * lo);
    (vh, vl)
}

/// `log2(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn log2_lane(x: f32) -> f32 {
    let (k, f) = reduce(x);
    let (vh, vl) = scaled_log(f, IVLN2_HI, IVLN2_LO);
    // Fast2Sum: |vh| < 0.61 < |k| unless k = 0.
    let s = k + vh;
    let e = (k - s) + vh;
    s + (e + vl)
}

/// `log10(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn log10_lane(x: f32) -> f32 {
    let (k, f) = reduce(x);
    let (vh, vl) = scaled_log(f, IVLN10_HI, IVLN10_LO);
    let (s, e) = two_sum(k * LOG10_2_HI, vh);
    s + (e + k.mul_add(LOG10_2_LO, vl))
}

unary_kernel_f32!(
    LOG2,
    log2_lane,
    fast,
    float::log2_f32,
    crate::math::vector::log2::LOG2_F32
);
unary_kernel_f32!(
    LOG10,
    log10_lane,
    fast,
    float::log10_f32,
    crate::math::vector::log2::LOG10_F32
);
