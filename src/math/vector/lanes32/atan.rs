//! `arctan`, `arctan2`, `arcsin`, `arccos` in `f32` lanes. `arctan` reduces `t = u/v`
//! as fdlibm does (intervals split at 7/16, 11/16, 19/16, 39/16, each centred on `c`
//! with `atan(t) = atan(c) + atan((t - c)/(1 + c·t))`, numerators exact), from `u` and
//! `v` directly so that `arctan2` never forms `y/x`; a degree-11 minimax polynomial
//! finishes. `arcsin` and `arccos` use `x + x³·P(x²)` below 1/2 and the half-angle
//! `asin(x) = π/2 - 2·asin(√((1-x)/2))` above, each ending in `C + m·p` with the
//! constant added exactly (TwoSum).

use super::{binary_kernel_f32, two_sum, unary_kernel_f32};
use crate::math::float;

/// `π/2`, `π` (and the rest).
const PIO2_HI: f32 = f32::from_bits(0x3fc9_0fdb);
const PIO2_LO: f32 = f32::from_bits(0xb33b_bd2e);
const PI_HI: f32 = f32::from_bits(0x4049_0fdb);
const PI_LO: f32 = f32::from_bits(0xb3bb_bd2e);

/// `atan(t) - t ≈ t³·(A[0] + A[1]·t² + …)` on |t| ≤ √2 - 1: minimax, 2^-30.4.
const A: [f32; 5] = [
    -0.333_333_16,
    0.199_985_28,
    -0.142_443_93,
    0.105_991_91,
    -0.060_901_34,
];
/// `asin(x) - x ≈ x³·(B[0] + B[1]·x² + …)` on |x| ≤ 1/2: minimax, 2^-31.7.
const B: [f32; 6] = [
    0.166_666_6,
    0.075_005_22,
    0.044_513_35,
    0.031_839_523,
    0.014_312_173,
    0.037_702_12,
];

/// `atan(u/v) = hi + (t + (lo + w))` for `u, v ≥ 0` whose sums and quotient stay
/// normal: `hi + lo` is `atan` at the interval's centre, `t` the reduced argument,
/// `w = t³·P(t²)`.
#[inline(always)]
fn atan_core(u: f32, v: f32) -> (f32, f32, f32, f32) {
    let above = [
        u >= 0.4375 * v,
        u >= 0.6875 * v,
        u >= 1.1875 * v,
        u >= 2.4375 * v,
    ];
    // A select chain rather than an index, which would be a gather.
    let pick = |c: [f32; 5]| {
        let mut r = c[0];
        for (&up, &cj) in above.iter().zip(&c[1..]) {
            if up {
                r = cj;
            }
        }
        r
    };
    // (A·u - B·v)/(C·u + D·v): t, (2t-1)/(2+t), (t-1)/(t+1), (t-1.5)/(1+1.5t), -1/t.
    let a = pick([1.0, 2.0, 1.0, 1.0, 0.0]);
    let b = pick([0.0, 1.0, 1.0, 1.0, 1.0]);
    let b2 = pick([0.0, 0.0, 0.0, 0.5, 0.0]);
    let c = pick([0.0, 1.0, 1.0, 1.5, 1.0]);
    let d = pick([1.0, 2.0, 1.0, 1.0, 0.0]);
    let num = (a * u - b * v) - b2 * v;
    let t = num / c.mul_add(u, d * v);
    let hi = pick([
        0.0,
        f32::from_bits(0x3eed_6338),
        f32::from_bits(0x3f49_0fdb),
        f32::from_bits(0x3f7b_985f),
        PIO2_HI,
    ]);
    let lo = pick([
        0.0,
        f32::from_bits(0x31ac_376a),
        f32::from_bits(0xb2bb_bd2e),
        f32::from_bits(0xb2d7_e096),
        PIO2_LO,
    ]);
    let z = t * t;
    let z2 = z * z;
    let p = A[1].mul_add(z, A[0]) + z2 * A[4].mul_add(z2, A[3].mul_add(z, A[2]));
    (hi, lo, t, (t * z) * p)
}

/// Finite, not subnormal: NaN and infinities go to libm, and subnormals (whose result is
/// the argument) would only be slow here.
#[inline(always)]
pub(crate) fn atan_fast(x: f32) -> bool {
    let a = x.abs();
    (f32::MIN_POSITIVE..f32::INFINITY).contains(&a) || a == 0.0
}

/// `atan(x)` for `atan_fast(x)`: odd, so computed on |x|.
#[inline(always)]
pub(crate) fn atan_lane(x: f32) -> f32 {
    let (hi, lo, t, w) = atan_core(x.abs(), 1.0);
    (hi + (t + (lo + w))).copysign(x)
}

/// Binade limits for `arctan2`'s operands: their sums and quotient stay normal.
const ATAN2_MIN: f32 = f32::from_bits(0x1f80_0000); // 2^-64
const ATAN2_MAX: f32 = f32::from_bits(0x5f80_0000); // 2^64

/// Both operands nonzero, finite, within 2^±64: zeros, infinities, NaN and the
/// quotient's overflow and underflow are libm's special cases.
#[inline(always)]
pub(crate) fn atan2_fast(y: f32, x: f32) -> bool {
    (ATAN2_MIN..=ATAN2_MAX).contains(&y.abs()) && (ATAN2_MIN..=ATAN2_MAX).contains(&x.abs())
}

/// `atan2(y, x)` for `atan2_fast(y, x)`: for `x < 0`, `π - atan` with `π - hi` summed
/// exactly.
#[inline(always)]
pub(crate) fn atan2_lane(y: f32, x: f32) -> f32 {
    let (hi, lo, t, w) = atan_core(y.abs(), x.abs());
    let (s, e) = two_sum(PI_HI, -hi);
    let left = s + (((e + PI_LO) - lo) - (t + w));
    let right = hi + (t + (lo + w));
    (if x < 0.0 { left } else { right }).copysign(y)
}

/// `|x| < 1`, not subnormal: ±1, NaN and out-of-domain arguments are libm's.
#[inline(always)]
pub(crate) fn asin_fast(x: f32) -> bool {
    let a = x.abs();
    (f32::MIN_POSITIVE..1.0).contains(&a) || a == 0.0
}

/// `p = s + w = asin(s)` with `s = |x|` below 1/2 and `s = √((1-|x|)/2)` above (`1 - |x|`
/// and the halving are exact there), and whether it is the half-angle case.
#[inline(always)]
fn asin_parts(x: f32) -> (f32, f32, bool) {
    let a = x.abs();
    let half = a > 0.5;
    let z = if half { 0.5 * (1.0 - a) } else { a * a };
    let s = if half { z.sqrt() } else { a };
    let z2 = z * z;
    let p = B[1].mul_add(z, B[0]) + z2 * (B[3].mul_add(z, B[2]) + z2 * B[5].mul_add(z, B[4]));
    (s, (s * z) * p, half)
}

/// `c_hi + c_lo + m·(s + w)` with `m` a power of two, `c_hi + m·s` summed exactly.
#[inline(always)]
fn finish(c_hi: f32, c_lo: f32, m: f32, s: f32, w: f32) -> f32 {
    let (h, e) = two_sum(c_hi, m * s);
    h + (e + m.mul_add(w, c_lo))
}

/// `asin(x)` for `asin_fast(x)`: `p`, or `π/2 - 2p` in the half-angle case; odd.
#[inline(always)]
pub(crate) fn asin_lane(x: f32) -> f32 {
    let (s, w, half) = asin_parts(x);
    let (c_hi, c_lo, m) = if half {
        (PIO2_HI, PIO2_LO, -2.0)
    } else {
        (0.0, 0.0, 1.0)
    };
    finish(c_hi, c_lo, m, s, w).copysign(x)
}

/// `acos(x)` for `asin_fast(x)`: `π/2 ∓ p` below 1/2, `2p` (x > 0) or `π - 2p` (x < 0)
/// above.
#[inline(always)]
pub(crate) fn acos_lane(x: f32) -> f32 {
    let (s, w, half) = asin_parts(x);
    let neg = x < 0.0;
    let (c_hi, c_lo) = match (half, neg) {
        (false, _) => (PIO2_HI, PIO2_LO),
        (true, false) => (0.0, 0.0),
        (true, true) => (PI_HI, PI_LO),
    };
    let m = match (half, neg) {
        (false, false) => -1.0,
        (false, true) => 1.0,
        (true, false) => 2.0,
        (true, true) => -2.0,
    };
    finish(c_hi, c_lo, m, s, w)
}

unary_kernel_f32!(
    ATAN,
    atan_lane,
    atan_fast,
    float::arctan_f32,
    crate::math::vector::atan::ATAN_F32
);
unary_kernel_f32!(
    ASIN,
    asin_lane,
    asin_fast,
    float::arcsin_f32,
    crate::math::vector::atan::ASIN_F32
);
unary_kernel_f32!(
    ACOS,
    acos_lane,
    asin_fast,
    float::arccos_f32,
    crate::math::vector::atan::ACOS_F32
);
binary_kernel_f32!(
    ATAN2,
    atan2_lane,
    atan2_fast,
    float::arctan2_f32,
    crate::math::vector::atan::ATAN2_F32
);
