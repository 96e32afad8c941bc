//! `sin`, `cos`, `tan`: Cody–Waite reduction by `π/2` to a double-double in
//! `[-π/4, π/4]`, then fdlibm's (FreeBSD's) `__kernel_sin`, `__kernel_cos` and
//! `__kernel_tan`, with the quadrant and the kernels' own cases chosen by selects.

use super::driver::{madd, two_sum, unary_kernel, Unary};
use crate::math::float;

/// Bound for `sin` and `cos`: measured at most 0.75 ULP against mpmath (float64; float32
/// rounds that once more, 0.5 ULP), and 1 ULP from libm in the tests.
pub(crate) const SINCOS_ULPS: u32 = 1;
/// Bound for `tan`: measured at most 0.74 ULP with FMA, 0.81 without, against mpmath.
pub(crate) const TAN_ULPS: u32 = 1;

/// 1.5·2^52: adding and subtracting it rounds to an integer.
const SHIFT: f64 = 6755399441055744.0;
/// 2/π, to find the quadrant.
const TWO_OVER_PI: f64 = std::f64::consts::FRAC_2_PI;
/// `π/2` in three 33-bit pieces (fdlibm's `pio2_1`, `pio2_2`, `pio2_3`) and the rest
/// (`pio2_3t`): `k * PIO2_{1,2,3}` is exact for |k| < 2^20, so the reduction keeps ~150
/// bits of `π/2`, plenty for the closest approach of a double below 2^20 to a multiple.
const PIO2_1: f64 = f64::from_bits(0x3ff9_21fb_5440_0000);
/// The second 33 bits of `π/2`.
const PIO2_2: f64 = f64::from_bits(0x3dd0_b461_1a60_0000);
/// The third 33 bits of `π/2`.
const PIO2_3: f64 = f64::from_bits(0x3ba3_198a_2e00_0000);
/// `π/2 - PIO2_1 - PIO2_2 - PIO2_3`, rounded.
const PIO2_3T: f64 = f64::from_bits(0x397b_839a_2520_49c1);
/// Largest |x| reduced here: the quadrant stays below 2^20 (see `PIO2_1`).
const MAX_REDUCED: f64 = 1_048_576.0; // 2^20

/// |x| ≤ 2^20: beyond, libm's Payne–Hanek reduction is needed; NaN and infinities give
/// NaN there. (Subnormal arguments are exact here: `sin x = tan x = x`, `cos x = 1`.)
#[inline(always)]
pub(crate) fn fast(x: f64) -> bool {
    x.abs() <= MAX_REDUCED
}

/// `π/2` rounded, and the next two 53-bit pieces: with FMA `x - k·PIO2_F1` is exact for
/// |x| ≤ 2^20 (the exact difference is a multiple of 2^-53 below 1), and `k·PIO2_F2` is
/// split exactly, so the reduction keeps ~159 bits of `π/2`.
pub(crate) const PIO2_F1: f64 = f64::from_bits(0x3ff9_21fb_5444_2d18);
/// The second 53 bits of `π/2`.
pub(crate) const PIO2_F2: f64 = f64::from_bits(0x3c91_a626_3314_5c07);
/// The third 53 bits of `π/2`.
pub(crate) const PIO2_F3: f64 = f64::from_bits(0xb91f_1976_b7ed_8fbc);

/// `x = q·π/2 + (hi + lo)` with |hi + lo| ≲ π/4 and |lo| ≤ ulp(hi)/2, for `fast(x)`.
#[inline(always)]
fn reduce<const F: bool>(x: f64) -> (f64, f64, u64) {
    let kd = x * TWO_OVER_PI + SHIFT;
    // The low bits of the shifted value are the quadrant (two's complement below 0).
    let q = kd.to_bits();
    let k = kd - SHIFT;
    if F {
        // x - k·π/2 = a - (bh + bl) - k·PIO2_F3 with a and bh + bl exact; the one sum
        // that can cancel keeps its rounding error (TwoSum).
        let a = madd::<F>(-k, PIO2_F1, x);
        let bh = k * PIO2_F2;
        let bl = madd::<F>(k, PIO2_F2, -bh);
        let (s, e) = two_sum(a, -bh);
        let t = madd::<F>(-k, PIO2_F3, e - bl);
        let hi = s + t;
        return (hi, t - (hi - s), q);
    }
    // Exact: k·PIO2_1 has at most 53 bits and is close to x.
    let a = x - k * PIO2_1;
    // The products are exact too; the two sums keep their rounding errors, so only the
    // final tail sum rounds, far below an ULP of the result even after cancellation.
    let (s1, e1) = two_sum(a, -(k * PIO2_2));
    let (s2, e2) = two_sum(s1, -(k * PIO2_3));
    let t = (e1 + e2) - k * PIO2_3T;
    let hi = s2 + t;
    (hi, t - (hi - s2), q)
}

/// `sin(x + y)` for |x| ≲ π/4, |y| ≤ ulp(x)/2 (FreeBSD `__kernel_sin` with `iy = 1`).
#[inline(always)]
fn kernel_sin<const F: bool>(x: f64, y: f64) -> f64 {
    const S: [f64; 6] = [
        -0.16666666666666632,
        0.00833333333332249,
        -0.0001984126982985795,
        2.7557313707070068e-06,
        -2.5050760253406863e-08,
        1.58969099521155e-10,
    ];
    let z = x * x;
    let w = z * z;
    let r = madd::<F>(z, madd::<F>(z, S[3], S[2]), S[1]) + z * w * madd::<F>(z, S[5], S[4]);
    let v = z * x;
    // x + v·(S1 + z·r), with y's first-order term y·cos(x) ≈ y - z·y/2.
    let t = madd::<F>(z, madd::<F>(-v, r, 0.5 * y), -y);
    x - madd::<F>(-v, S[0], t)
}

/// `cos(x + y)` for |x| ≲ π/4, |y| ≤ ulp(x)/2 (FreeBSD `__kernel_cos`): `1 - z/2` is
/// formed with its rounding error recovered, which keeps it under 1 ULP near π/4.
#[inline(always)]
fn kernel_cos<const F: bool>(x: f64, y: f64) -> f64 {
    const C: [f64; 6] = [
        0.0416666666666666,
        -0.001388888888887411,
        2.480158728947673e-05,
        -2.7557314351390663e-07,
        2.087572321298175e-09,
        -1.1359647557788195e-11,
    ];
    let z = x * x;
    let w = z * z;
    let r = z * madd::<F>(z, madd::<F>(z, C[2], C[1]), C[0])
        + w * w * madd::<F>(z, madd::<F>(z, C[5], C[4]), C[3]);
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + madd::<F>(z, r, -(x * y)))
}

/// `sin` (`shift = 0`) or `cos` (`shift = 1`, i.e. `sin(x + π/2)`) for `fast(x)`.
#[inline(always)]
fn sin_quadrant<const F: bool>(x: f64, shift: u64) -> f64 {
    let (hi, lo, q) = reduce::<F>(x);
    let q = q.wrapping_add(shift);
    let s = kernel_sin::<F>(hi, lo);
    let c = kernel_cos::<F>(hi, lo);
    // Quadrants 0..3: sin, cos, -sin, -cos.
    let v = if q & 1 == 0 { s } else { c };
    f64::from_bits(v.to_bits() ^ ((q & 2) << 62))
}

/// `sin(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn sin_lane<const F: bool>(x: f64) -> f64 {
    let r = sin_quadrant::<F>(x, 0);
    // The reduction's sums turn -0 into +0; libm keeps it.
    if x == 0.0 {
        x
    } else {
        r
    }
}

/// `cos(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn cos_lane<const F: bool>(x: f64) -> f64 {
    sin_quadrant::<F>(x, 1)
}

/// `tan(x + y)` (`odd` false) or `-1/tan(x + y)` (`odd` true) for |x| ≲ π/4 (FreeBSD
/// `__kernel_tan`): above 0.6744 it works on `π/4 - |x|` through `tan(π/4 - t) =
/// (1 - tan t)/(1 + tan t)`; `-1/w` is computed from split halves to stay under 1 ULP.
#[inline(always)]
fn kernel_tan<const F: bool>(x: f64, y: f64, odd: bool) -> f64 {
    const T: [f64; 13] = [
        0.3333333333333341,
        0.13333333333320124,
        0.05396825397622605,
        0.021869488294859542,
        0.0088632398235993,
        0.0035920791075913124,
        0.0014562094543252903,
        0.0005880412408202641,
        0.0002464631348184699,
        7.817944429395571e-05,
        7.140724913826082e-05,
        -1.8558637485527546e-05,
        2.590730518636337e-05,
    ];
    const PIO4: f64 = std::f64::consts::FRAC_PI_4;
    const PIO4_LO: f64 = 3.061616997868383e-17;
    const SIGN: u64 = 1 << 63;
    const HIGH: u64 = 0xffff_ffff_0000_0000;
    let sign = x.to_bits() & SIGN;
    let big = x.abs() >= 0.6744;
    let ay = f64::from_bits(y.to_bits() ^ sign);
    let folded = (PIO4 - x.abs()) + (PIO4_LO - ay);
    let (x, y) = if big { (folded, 0.0) } else { (x, y) };
    let z = x * x;
    let w = z * z;
    let r = madd::<F>(
        w,
        madd::<F>(
            w,
            madd::<F>(w, madd::<F>(w, madd::<F>(w, T[11], T[9]), T[7]), T[5]),
            T[3],
        ),
        T[1],
    );
    let v = z * madd::<F>(
        w,
        madd::<F>(
            w,
            madd::<F>(w, madd::<F>(w, madd::<F>(w, T[12], T[10]), T[8]), T[6]),
            T[4],
        ),
        T[2],
    );
    let s = z * x;
    let r = madd::<F>(z, madd::<F>(s, r + v, y), y);
    let r = madd::<F>(T[0], s, r);
    let w = x + r;
    let iv = if odd { -1.0 } else { 1.0 };
    // One division serves both cases: w²/(w + iv) when folded, -1/w when not.
    let d = if big { (w * w) / (w + iv) } else { -1.0 / w };
    let folded = iv - 2.0 * (x - (d - r));
    let folded = f64::from_bits(folded.to_bits() ^ sign);
    // -1/(x + r) with w = z + v split so that t·z is exact: t + a·(1 + t·z + t·v).
    let zh = f64::from_bits(w.to_bits() & HIGH);
    let vl = r - (zh - x);
    let th = f64::from_bits(d.to_bits() & HIGH);
    let inv = madd::<F>(d, madd::<F>(th, vl, madd::<F>(th, zh, 1.0)), th);
    if big {
        folded
    } else if odd {
        inv
    } else {
        w
    }
}

/// `tan(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn tan_lane<const F: bool>(x: f64) -> f64 {
    let (hi, lo, q) = reduce::<F>(x);
    let r = kernel_tan::<F>(hi, lo, q & 1 != 0);
    if x == 0.0 {
        x
    } else {
        r
    }
}

unary_kernel!(SIN_F64_LANES, f64, sin_lane, fast, float::sin_f64);
/// `sin` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const SIN_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::trig::sin_f64,
    ..SIN_F64_LANES
};
unary_kernel!(SIN_F32, f32, sin_lane, fast, float::sin_f32);
unary_kernel!(COS_F64_LANES, f64, cos_lane, fast, float::cos_f64);
/// `cos` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const COS_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::trig::cos_f64,
    ..COS_F64_LANES
};
unary_kernel!(COS_F32, f32, cos_lane, fast, float::cos_f32);
unary_kernel!(TAN_F64_LANES, f64, tan_lane, fast, float::tan_f64);
/// `tan` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const TAN_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::tan::tan_f64,
    ..TAN_F64_LANES
};
unary_kernel!(TAN_F32, f32, tan_lane, fast, float::tan_f32);
