//! `sin`, `cos`, `tan` in `f32` lanes: Cody–Waite reduction by `π/2` into a
//! double-float `rh + rl` (`π/2` in three `f32`s, the first product subtracted exactly
//! by FMA, the second's rounding errors kept), then minimax polynomials for `sin` and
//! `cos` on `[-π/4, π/4]` with `rl` entering to first order; `tan` divides the two,
//! correcting the quotient by its remainder. The quadrant is chosen by selects.

use super::{round_scaled, two_sum, unary_kernel_f32};
use crate::math::float;

const TWO_OVER_PI: f32 = std::f32::consts::FRAC_2_PI;
/// `π/2` rounded to `f32`: `x - k·P1` is exact (a multiple of 2^-24 below 1) with FMA.
const P1: f32 = f32::from_bits(0x3fc9_0fdb);
/// `π/2 - P1`, rounded.
const P2: f32 = f32::from_bits(0xb33b_bd2e);
/// `π/2 - P1 - P2`, rounded: the three keep ~76 bits of `π/2`.
const P3: f32 = f32::from_bits(0xa6f7_2ced);
/// Largest |x| reduced here: ~76 bits of `π/2` are plenty for the closest approach of
/// a float below 2^16 to a multiple (the exhaustive test checks every one).
const MAX_REDUCED: f32 = 65_536.0;
/// Below this `sin(x)` and `tan(x)` round to `x` (|x|²/3 < 2^-25).
const TINY: f32 = 1.0 / 4096.0;

/// `sin(r) - r ≈ r³·(S[0] + S[1]·r² + S[2]·r⁴ + S[3]·r⁶)` on |r| ≤ 1.02·π/4: minimax
/// for the relative error, 2^-32.4.
const S: [f32; 4] = [
    -0.166_666_67,
    0.008_333_378,
    -0.000_198_520_62,
    2.820_239_6e-6,
];
/// `cos(r) - 1 + r²/2 ≈ r⁴·(C[0] + C[1]·r² + C[2]·r⁴)`: minimax, 2^-32.6.
const C: [f32; 3] = [0.041_666_64, -0.001_388_713, 2.441_208e-5];

/// Finite |x| ≤ 2^16, not subnormal: beyond, libm's Payne–Hanek reduction is needed;
/// NaN and infinities give NaN there; subnormals would only be slow here.
#[inline(always)]
pub(crate) fn fast(x: f32) -> bool {
    let a = x.abs();
    (f32::MIN_POSITIVE..=MAX_REDUCED).contains(&a) || a == 0.0
}

/// `x = q·π/2 + (rh + rl)` with |rh| ≲ π/4, |rl| ≤ ulp(rh)/2, for `fast(x)`.
#[inline(always)]
fn reduce(x: f32) -> (f32, f32, i32) {
    let (k, q) = round_scaled(x, TWO_OVER_PI);
    let r1 = (-k).mul_add(P1, x);
    // k·P2 = th + tl exactly; r1 - th with its rounding error.
    let th = k * P2;
    let tl = k.mul_add(P2, -th);
    let (s, e) = two_sum(r1, -th);
    let lo = (-k).mul_add(P3, e - tl);
    let rh = s + lo;
    (rh, lo - (rh - s), q)
}

/// `sin(rh + rl) = rh + sl` and `cos(rh + rl) = ch + cl`, each pair unrounded.
#[inline(always)]
fn sin_cos(rh: f32, rl: f32) -> (f32, f32, f32) {
    let z = rh * rh;
    let ps = S[3].mul_add(z, S[2]).mul_add(z, S[1]).mul_add(z, S[0]);
    // sin(rh + rl) ≈ sin(rh) + rl·(1 - rh²/2).
    let sl = (rh * z).mul_add(ps, (-0.5 * z).mul_add(rl, rl));
    let pc = C[2].mul_add(z, C[1]).mul_add(z, C[0]);
    // cos(rh + rl) ≈ cos(rh) - rl·rh, with 1 - z/2 formed with its rounding error, which
    // keeps it under an ULP near π/4.
    let hz = 0.5 * z;
    let ch = 1.0 - hz;
    let cl = ((1.0 - ch) - hz) + (z * z).mul_add(pc, -(rh * rl));
    (sl, ch, cl)
}

/// `v` negated when bit 1 of the quadrant `q` is set.
#[inline(always)]
fn flip(v: f32, q: i32) -> f32 {
    f32::from_bits(v.to_bits() ^ (((q as u32) & 2) << 30))
}

/// `sin` (`shift = 0`) or `cos` (`shift = 1`, i.e. `sin(x + π/2)`) for `fast(x)`.
#[inline(always)]
fn sin_quadrant(x: f32, shift: i32) -> f32 {
    let (rh, rl, q) = reduce(x);
    let q = q.wrapping_add(shift);
    let (sl, ch, cl) = sin_cos(rh, rl);
    // Quadrants 0..3: sin, cos, -sin, -cos.
    let v = if q & 1 == 0 { rh + sl } else { ch + cl };
    flip(v, q)
}

/// `sin(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn sin_lane(x: f32) -> f32 {
    let r = sin_quadrant(x, 0);
    // Also keeps -0.0, which the reduction's sums turn into +0.0.
    if x.abs() < TINY {
        x
    } else {
        r
    }
}

/// `cos(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn cos_lane(x: f32) -> f32 {
    sin_quadrant(x, 1)
}

/// `tan(x)` for `fast(x)`: `sin/cos` (even quadrant) or `-cos/sin` (odd), each a pair,
/// the quotient corrected by its remainder (exact by FMA) and the pairs' low parts.
#[inline(always)]
pub(crate) fn tan_lane(x: f32) -> f32 {
    let (rh, rl, q) = reduce(x);
    let (sl, ch, cl) = sin_cos(rh, rl);
    let odd = q & 1 != 0;
    let (nh, nl, dh, dl) = if odd {
        (ch, cl, -rh, -sl)
    } else {
        (rh, sl, ch, cl)
    };
    // Each pair normalised (Fast2Sum: the low parts are at most a few percent), so
    // that the quotient's remainder is exact and the low parts enter to first order.
    let (n, d) = (nh + nl, dh + dl);
    let (ne, de) = ((nh - n) + nl, (dh - d) + dl);
    let inv = 1.0 / d;
    let q0 = n * inv;
    let rem = (-q0).mul_add(d, n);
    let rem = (-q0).mul_add(de, rem + ne);
    let t = rem.mul_add(inv, q0);
    if x.abs() < TINY {
        x
    } else {
        t
    }
}

unary_kernel_f32!(
    SIN,
    sin_lane,
    fast,
    float::sin_f32,
    crate::math::vector::trig::SIN_F32
);
unary_kernel_f32!(
    COS,
    cos_lane,
    fast,
    float::cos_f32,
    crate::math::vector::trig::COS_F32
);
unary_kernel_f32!(
    TAN,
    tan_lane,
    fast,
    float::tan_f32,
    crate::math::vector::trig::TAN_F32
);
