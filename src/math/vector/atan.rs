//! `arctan` and `arctan2`: fdlibm's `atan` (argument intervals split at 7/16, 11/16,
//! 19/16 and 39/16, each reduced by `atan(t) = atan(c) + atan((t - c)/(1 + c·t))`),
//! the interval chosen by selects; `arctan2(y, x)` reduces `|y|/|x|` the same way,
//! forming each reduced argument from `y` and `x` directly, then fixes the quadrant as
//! fdlibm's `atan2` does, keeping `π - atan` in two parts. `arcsin(x)` and `arccos(x)`
//! are `arctan2(x, √(1-x²))` and `arctan2(√(1-x²), x)`: the quotient never forms, so
//! there is no cancellation near ±1, and `arccos` of a negative argument gets the same
//! two-part `π - atan`.

use super::driver::{binary_kernel, madd, two_sum, unary_kernel, Binary, Unary};
use super::expm1::two_prod;
use crate::math::float;

/// Bound for `arctan`: measured at most 0.65 ULP with FMA, 0.75 without, against mpmath.
pub(crate) const ATAN_ULPS: u32 = 1;
/// Bound for `arctan2`: measured at most 0.69 ULP with FMA and without, against mpmath.
pub(crate) const ATAN2_ULPS: u32 = 1;

/// Bound for `arcsin` and `arccos`: `arctan2`'s, plus the rounding of `√(1-x²)` (one
/// rounding before the root with FMA, three without), which `atan` passes on at most
/// unchanged; measured at most 1 ULP from libm with FMA, 2 without.
pub(crate) const ASIN_ULPS: u32 = 2;

/// The sign bit of an `f64`.
const SIGN: u64 = 1 << 63;

/// Finite: NaN and infinities go to libm. (A subnormal argument comes out exactly, as
/// libm's: the correction terms underflow to zero.)
#[inline(always)]
pub(crate) fn atan_fast(x: f64) -> bool {
    x.abs() < f64::INFINITY
}

/// `atan(u / v) = hi - corr` for `u, v ≥ 0` whose sums and quotient neither overflow
/// nor underflow: `hi` is `atan` at the interval's centre, `corr` much smaller.
#[inline(always)]
fn atan_core<const F: bool>(u: f64, v: f64) -> (f64, f64) {
    /// `atan(c)` for the interval centres 0, 1/2, 1, 3/2, ∞ as `hi + lo`.
    const HI: [f64; 5] = [
        0.0,
        0.4636476090008061,
        std::f64::consts::FRAC_PI_4,
        0.982793723247329,
        std::f64::consts::FRAC_PI_2,
    ];
    const LO: [f64; 5] = [
        0.0,
        2.2698777452961687e-17,
        3.061616997868383e-17,
        1.3903311031230998e-17,
        6.123233995736766e-17,
    ];
    const AT: [f64; 11] = [
        0.3333333333333293,
        -0.19999999999876483,
        0.14285714272503466,
        -0.11111110405462356,
        0.09090887133436507,
        -0.0769187620504483,
        0.06661073137387531,
        -0.058335701337905735,
        0.049768779946159324,
        -0.036531572744216916,
        0.016285820115365782,
    ];
    // Reduced argument (A·u - B·v)/(C·u + D·v): t, (2t-1)/(2+t), (t-1)/(t+1),
    // (t-1.5)/(1+1.5t), -1/t for t = u/v (the constants make the comparisons exact).
    // The numerator is exact (Sterbenz): B·v is subtracted as v, then v/2 when B = 1.5.
    let above = [
        u >= 0.4375 * v,
        u >= 0.6875 * v,
        u >= 1.1875 * v,
        u >= 2.4375 * v,
    ];
    // A select chain on scalars rather than an index into an array, which LLVM would
    // turn into a table load and then would not vectorise.
    let pick = |c: [f64; 5]| {
        let r = if above[0] { c[1] } else { c[0] };
        let r = if above[1] { c[2] } else { r };
        let r = if above[2] { c[3] } else { r };
        if above[3] {
            c[4]
        } else {
            r
        }
    };
    let a = pick([1.0, 2.0, 1.0, 1.0, 0.0]);
    let c = pick([0.0, 1.0, 1.0, 1.5, 1.0]);
    let d = pick([1.0, 2.0, 1.0, 1.0, 0.0]);
    let num = (a * u - pick([0.0, 1.0, 1.0, 1.0, 1.0]) * v) - pick([0.0, 0.0, 0.0, 0.5, 0.0]) * v;
    let den = madd::<F>(c, u, d * v);
    // t + t_lo is the quotient to about 2^-100: t within an ULP or two of it, then the
    // remainder num - t·den, exact (one FMA, or Dekker's product without), over den.
    // t_lo enters below times atan' ≈ 1 - t²: it matters for `arctan2` with |y/x| < 7/16.
    // With FMA one division serves both; without, the rounded quotient and a second one.
    let (t, t_lo) = if F {
        let inv = 1.0 / den;
        let t = num * inv;
        (t, madd::<F>(-t, den, num) * inv)
    } else {
        let t = num / den;
        let (p, p_lo) = two_prod::<F>(t, den);
        (t, ((num - p) - p_lo) / den)
    };
    let z = t * t;
    let w = z * z;
    let s1 = z * madd::<F>(
        w,
        madd::<F>(
            w,
            madd::<F>(w, madd::<F>(w, madd::<F>(w, AT[10], AT[8]), AT[6]), AT[4]),
            AT[2],
        ),
        AT[0],
    );
    let s2 = w * madd::<F>(
        w,
        madd::<F>(w, madd::<F>(w, madd::<F>(w, AT[9], AT[7]), AT[5]), AT[3]),
        AT[1],
    );
    let small = madd::<F>(t, s1 + s2, -pick(LO)) - madd::<F>(-t_lo, z, t_lo);
    (pick(HI), small - t)
}

/// `atan(x)` for `atan_fast(x)`: odd, so computed on |x|.
#[inline(always)]
pub(crate) fn atan_lane<const F: bool>(x: f64) -> f64 {
    // From 2^60 on, atan(x) = π/2 - 1/x rounds to π/2's double, as atan(2^60) does; the
    // cap keeps Dekker's split of the denominator (×(2^27 + 1)) from overflowing.
    const CAP: f64 = f64::from_bits(0x43b0_0000_0000_0000); // 2^60
    let (hi, corr) = atan_core::<F>(x.abs().min(CAP), 1.0);
    let r = hi - corr;
    f64::from_bits(r.to_bits() | (x.to_bits() & SIGN))
}

/// Binade limits for `arctan2`'s operands: their sums and their quotient stay normal.
const ATAN2_MIN: f64 = f64::from_bits(0x2010_0000_0000_0000); // 2^-510
const ATAN2_MAX: f64 = f64::from_bits(0x5fd0_0000_0000_0000); // 2^510

/// Both operands nonzero, finite, within 2^±510: zeros, infinities, NaN and the
/// quotient's overflow and underflow are libm's special cases.
#[inline(always)]
pub(crate) fn atan2_fast(y: f64, x: f64) -> bool {
    (ATAN2_MIN..=ATAN2_MAX).contains(&y.abs()) && (ATAN2_MIN..=ATAN2_MAX).contains(&x.abs())
}

/// `atan2(y, x)` for `atan2_fast(y, x)`.
#[inline(always)]
pub(crate) fn atan2_lane<const F: bool>(y: f64, x: f64) -> f64 {
    const PI: f64 = std::f64::consts::PI;
    const PI_LO: f64 = 1.2246467991473532e-16;
    let (hi, corr) = atan_core::<F>(y.abs(), x.abs());
    // For x < 0, π - atan = (π - hi) + corr + π_lo, with π - hi kept exactly so that
    // only the last addition rounds at the result's scale.
    let (s, e) = two_sum(PI, -hi);
    let left = s + ((e + PI_LO) + corr);
    let r = if x < 0.0 { left } else { hi - corr };
    f64::from_bits(r.to_bits() | (y.to_bits() & SIGN))
}

/// `0 < |x| < 1`, and not so small that `arctan2` sees an operand below 2^-510: ±0
/// (exact results), ±1, NaN and out-of-domain arguments are libm's.
#[inline(always)]
pub(crate) fn asin_fast(x: f64) -> bool {
    (ATAN2_MIN..1.0).contains(&x.abs())
}

/// `√(1 - x²)` for `|x| < 1`. With FMA `1 - x²` rounds once; without, `(1-|x|)(1+|x|)`,
/// where `1 - |x|` is exact from 1/2 up, so neither cancels near 1.
#[inline(always)]
fn sqrt_one_minus_square<const F: bool>(x: f64) -> f64 {
    let a = x.abs();
    let d = if F {
        madd::<F>(-a, a, 1.0)
    } else {
        (1.0 - a) * (1.0 + a)
    };
    d.sqrt()
}

/// `asin(x)` for `asin_fast(x)`.
#[inline(always)]
pub(crate) fn asin_lane<const F: bool>(x: f64) -> f64 {
    atan2_lane::<F>(x, sqrt_one_minus_square::<F>(x))
}

/// `acos(x)` for `asin_fast(x)`.
#[inline(always)]
pub(crate) fn acos_lane<const F: bool>(x: f64) -> f64 {
    atan2_lane::<F>(sqrt_one_minus_square::<F>(x), x)
}

unary_kernel!(ATAN_F64_LANES, f64, atan_lane, atan_fast, float::arctan_f64);
/// `arctan` on float64: the lane code on AVX2 and SSE2, the hand-written kernel (the
/// `arctan2` kernel's method, specialised to `(x, 1)`) on AVX-512.
pub(crate) const ATAN_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::atan::atan_f64,
    ..ATAN_F64_LANES
};
unary_kernel!(ATAN_F32, f32, atan_lane, atan_fast, float::arctan_f32);
unary_kernel!(ASIN_F64_LANES, f64, asin_lane, asin_fast, float::arcsin_f64);
/// `arcsin` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const ASIN_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::asin::asin_f64,
    ..ASIN_F64_LANES
};
unary_kernel!(ASIN_F32, f32, asin_lane, asin_fast, float::arcsin_f32);
unary_kernel!(ACOS_F64_LANES, f64, acos_lane, asin_fast, float::arccos_f64);
/// `arccos` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const ACOS_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::asin::acos_f64,
    ..ACOS_F64_LANES
};
unary_kernel!(ACOS_F32, f32, acos_lane, asin_fast, float::arccos_f32);
binary_kernel!(
    ATAN2_F64_LANES,
    f64,
    atan2_lane,
    atan2_fast,
    float::arctan2_f64
);
/// `arctan2` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on
/// AVX-512.
pub(crate) const ATAN2_F64: Binary = Binary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::atan::atan2_f64,
    ..ATAN2_F64_LANES
};
binary_kernel!(ATAN2_F32, f32, atan2_lane, atan2_fast, float::arctan2_f32);
