//! `tanh`, `sinh`, `cosh` from `expm1`'s double-word result `t = e^a - 1` (a = |x|), so
//! that the cancelling forms near 0 keep their precision.

use super::driver::{int_bits, madd, unary_kernel, Unary};
use super::expm1::{expm1_dd, two_prod, two_sum, TINY};
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const TANH_ULPS: u32 = 1;
/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const SINH_ULPS: u32 = 1;
/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const COSH_ULPS: u32 = 1;

/// Not NaN: `tanh` saturates, so infinities are fine too.
#[inline(always)]
pub(crate) fn tanh_fast(x: f64) -> bool {
    !x.is_nan()
}

/// Where `e^|x|` is finite (`expm1`'s domain); beyond, libm gives the overflow.
#[inline(always)]
pub(crate) fn sinh_cosh_fast(x: f64) -> bool {
    x.abs() < 708.0
}

/// `e^a` and `e^-a` from `t = e^a - 1 = th + tl`, each as a value and a correction:
/// `e = 1 + t`, and `1/e` corrected by its remainder and by `e`'s low part.
#[inline(always)]
fn exp_and_inverse<const F: bool>(th: f64, tl: f64) -> (f64, f64, f64, f64) {
    let (e, e_lo) = two_sum(1.0, th);
    let e_lo = e_lo + tl;
    let inv = 1.0 / e;
    // 1/(e + e_lo) - inv = (1 - inv e - inv e_lo) / e; `1 - p` is exact (Sterbenz).
    let (p, p_lo) = two_prod::<F>(inv, e);
    let inv_lo = (((1.0 - p) - p_lo) - inv * e_lo) * inv;
    // Past 1e150 the correction is far below e's ULP, and Dekker's split (no FMA)
    // would overflow to NaN.
    let inv_lo = if e < 1e150 { inv_lo } else { 0.0 };
    (e, e_lo, inv, inv_lo)
}

/// `1/d` for `d` in `[1, 2]`, to about 2^-32 relative: a linear first guess (error at most
/// 1/17) and three Newton steps, each squaring the error. A divide costs 2 cycles per
/// element on AVX-512 (its throughput), these seven multiply-adds under half a cycle;
/// `tanh_lane` needs no more, because it corrects its quotient by the exact remainder,
/// which leaves an error of the square of this one's (2^-64).
#[inline(always)]
fn recip_1_2<const F: bool>(d: f64) -> f64 {
    let mut r = madd::<F>(d, -8.0 / 17.0, 24.0 / 17.0);
    for _ in 0..3 {
        let e = madd::<F>(-d, r, 1.0);
        r = madd::<F>(r, e, r);
    }
    r
}

/// `tanh(x)` for `tanh_fast(x)`: `-t/(t+2)` with `t = expm1(-2a)` in `(-1, 0]`, whose
/// quotient (by an approximate reciprocal) is corrected by its remainder (exact with FMA).
#[inline(always)]
pub(crate) fn tanh_lane<const F: bool>(x: f64) -> f64 {
    // tanh(22) rounds to 1.
    let a = x.abs().min(22.0);
    let (th, tl) = expm1_dd::<F>(-2.0 * a);
    // d = t + 2 as d_hi + d_lo (Fast2Sum: |th| < 2).
    let d_hi = th + 2.0;
    let d_lo = ((2.0 - d_hi) + th) + tl;
    let inv = recip_1_2::<F>(d_hi);
    let q0 = -th * inv;
    // q0 + (-t - q0 d) / d: the remainder -th - q0 d_hi is exact (Sterbenz, then the
    // product's error), then the low parts of t and d.
    let (p, p_lo) = two_prod::<F>(q0, d_hi);
    let rem = madd::<F>(-q0, d_lo, ((-th - p) - p_lo) - tl);
    let q = madd::<F>(rem, inv, q0);
    if a < TINY {
        x
    } else {
        q.copysign(x)
    }
}

/// Cephes' `P` and `Q` (S. Moshier): `tanh(x) = x + x z P(z)/Q(z)`, `z = x²`, `Q`'s leading
/// 1 left out, for |x| ≤ [`TANH_SMALL`]; the rational's own error there is 0.022 ULP
/// (measured in 200-bit arithmetic on 2000 points).
const TANH_P: [f64; 3] = [
    -9.64399179425052238628E-1,
    -9.92877231001918586564E1,
    -1.61468768441708447952E3,
];
const TANH_Q: [f64; 3] = [
    1.12811678491632931402E2,
    2.23548839060100448583E3,
    4.84406305325125486048E3,
];
/// Where `tanh_fused` changes formula (`tanh` is 0.555 there, so `1 - u` has `u ≤ 0.445`).
const TANH_SMALL: f64 = 0.625;

/// `e^y` for `y` in `[0, 44]` as `hi + lo`, without a table (a gather costs AVX2 more than
/// the longer polynomial): `y = k ln2 + r`, |r| ≤ ln2/2, `2^k (1 + q)` with `q = expm1(r)`
/// by its Taylor terms to `r^13` (the next is below 2^-57 relative). `lo` is the last
/// rounding's error, so `hi + lo` carries only `q`'s (about 0.3 ULP of the result).
/// Uses FMA: for the kernels compiled with it.
#[inline(always)]
fn exp_no_table(y: f64) -> (f64, f64) {
    use super::exp::SHIFT;
    let k = y.mul_add(std::f64::consts::LOG2_E, SHIFT) - SHIFT;
    let r = (-k).mul_add(super::log::LN2_HI, y);
    let r = (-k).mul_add(super::log::LN2_LO, r);
    // expm1(r) = r + r² (1/2! + r/3! + ... + r^11/13!), Estrin pairs.
    let f = |n: u32| 1.0 / (1..=n).map(f64::from).product::<f64>();
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p23 = r.mul_add(f(3), f(2));
    let p45 = r.mul_add(f(5), f(4));
    let p67 = r.mul_add(f(7), f(6));
    let p89 = r.mul_add(f(9), f(8));
    let p1011 = r.mul_add(f(11), f(10));
    let p1213 = r.mul_add(f(13), f(12));
    let p25 = p45.mul_add(r2, p23);
    let p69 = p89.mul_add(r2, p67);
    let p1013 = p1213.mul_add(r2, p1011);
    let p = p1013.mul_add(r8, p69.mul_add(r4, p25));
    let q = r2.mul_add(p, r);
    let t = f64::from_bits(((int_bits(k) + 1023) as u64) << 52);
    let hi = t.mul_add(q, t);
    // t - hi is exact (Sterbenz: hi/t = 1 + q is in [0.7, 1.5]).
    (hi, t.mul_add(q, t - hi))
}

/// `tanh(x)` for `tanh_fast(x)` where FMA exists (the AVX2 path; it uses FMA): Cephes' design, below
/// [`TANH_SMALL`] `a + a z P(z)/Q(z)`, above `1 - u` with `u = 2/(e^2a + 1)`; the two
/// quotients share one divide. `u` is corrected by its exact remainder (FMA) with
/// `e^2a + 1` summed from `exp_no_table`'s two parts, so `e^2a`'s error reaches the
/// result scaled by `u (1 - u/2) ≤ 0.35`, and the last rounding dominates. About half of
/// `tanh_lane`'s instructions and dependent chain.
#[inline(always)]
fn tanh_fused(x: f64) -> f64 {
    // tanh(22) rounds to 1, and so do the infinities.
    let a = x.abs().min(22.0);
    let z = a * a;
    let p = z.mul_add(TANH_P[0], TANH_P[1]).mul_add(z, TANH_P[2]);
    let q = (z + TANH_Q[0]).mul_add(z, TANH_Q[1]).mul_add(z, TANH_Q[2]);
    let (e, e_lo) = exp_no_table(a + a);
    // s + s_lo = e + e_lo + 1 (Fast2Sum, e ≥ 1, then the low part).
    let s = e + 1.0;
    let s_lo = (1.0 - (s - e)) + e_lo;
    let small_a = a < TANH_SMALL;
    let (num, den) = if small_a { (p, q) } else { (2.0, s) };
    let ratio = num / den;
    let small = (a * z).mul_add(ratio, a);
    // u = ratio + (2 - ratio (s + s_lo)) / s, with 1/s ≈ ratio / 2; 2 - ratio s is exact.
    let rem = (-ratio).mul_add(s, 2.0);
    let rem = (-ratio).mul_add(s_lo, rem);
    let u = rem.mul_add(0.5 * ratio, ratio);
    let large = 1.0 - u;
    (if small_a { small } else { large }).copysign(x)
}

/// `tanh` for the lane loops: [`tanh_fused`] where the kernel has FMA (`F`), else
/// `tanh_lane` (the SSE2 path keeps the design whose error analysis holds without FMA).
#[inline(always)]
fn tanh_either<const F: bool>(x: f64) -> f64 {
    if F {
        tanh_fused(x)
    } else {
        tanh_lane::<false>(x)
    }
}

/// `sinh(x)` for `sinh_cosh_fast(x)`: `(e^a - e^-a)/2` with both in two parts, whose
/// difference is exact (TwoSum), so it keeps its precision down to small |x|; below
/// 1/64 (where the low parts are too coarse) a short odd Taylor polynomial.
#[inline(always)]
pub(crate) fn sinh_lane<const F: bool>(x: f64) -> f64 {
    let (th, tl) = expm1_dd::<F>(x.abs());
    let (e, e_lo, inv, inv_lo) = exp_and_inverse::<F>(th, tl);
    let (s, s_lo) = two_sum(e, -inv);
    let big = 0.5 * (s + ((s_lo + e_lo) - inv_lo));
    // x + x³/3! + x⁵/5! + x⁷/7! + x⁹/9!: the next term is below 2^-80 relative.
    let z = x * x;
    let p = madd::<F>(
        z,
        madd::<F>(z, madd::<F>(z, 1.0 / 362880.0, 1.0 / 5040.0), 1.0 / 120.0),
        1.0 / 6.0,
    );
    let small = madd::<F>(z * x, p, x);
    if x.abs() < 0.015_625 {
        small
    } else {
        big.copysign(x)
    }
}

/// `cosh(x)` for `sinh_cosh_fast(x)`: `(e^a + e^-a)/2` with both in two parts, summed
/// exactly (TwoSum) before the halving; there is no cancellation.
#[inline(always)]
pub(crate) fn cosh_lane<const F: bool>(x: f64) -> f64 {
    let (th, tl) = expm1_dd::<F>(x.abs());
    let (e, e_lo, inv, inv_lo) = exp_and_inverse::<F>(th, tl);
    let (s, s_lo) = two_sum(e, inv);
    0.5 * (s + ((s_lo + e_lo) + inv_lo))
}

unary_kernel!(TANH_F64_LANES, f64, tanh_either, tanh_fast, float::tanh_f64);
/// `tanh` on float64: the lane code on AVX2 (`tanh_fused`) and SSE2 (`tanh_lane`), the
/// hand-written kernel on AVX-512.
pub(crate) const TANH_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::hyperbolic::tanh_f64,
    ..TANH_F64_LANES
};
unary_kernel!(TANH_F32, f32, tanh_lane, tanh_fast, float::tanh_f32);
unary_kernel!(
    SINH_F64_LANES,
    f64,
    sinh_lane,
    sinh_cosh_fast,
    float::sinh_f64
);
/// `sinh` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const SINH_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::hyperbolic::sinh_f64,
    ..SINH_F64_LANES
};
unary_kernel!(SINH_F32, f32, sinh_lane, sinh_cosh_fast, float::sinh_f32);
unary_kernel!(
    COSH_F64_LANES,
    f64,
    cosh_lane,
    sinh_cosh_fast,
    float::cosh_f64
);
/// `cosh` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const COSH_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::hyperbolic::cosh_f64,
    ..COSH_F64_LANES
};
unary_kernel!(COSH_F32, f32, cosh_lane, sinh_cosh_fast, float::cosh_f32);
