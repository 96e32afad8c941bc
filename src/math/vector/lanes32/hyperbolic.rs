//! `tanh`, `sinh`, `cosh` in `f32` lanes: odd minimax polynomials near 0 (where the
//! exponential forms cancel), `exp`'s lane function beyond, where they do not.

use super::exp::parts as exp_parts;
use super::unary_kernel_f32;
use crate::math::float;

/// `sinh(x) - x ≈ x³·(S[0] + S[1]·x² + S[2]·x⁴ + S[3]·x⁶)` on |x| ≤ 1: minimax, 2^-31.6.
const S: [f32; 4] = [0.166_666_67, 0.008_333_31, 0.000_198_428_96, 2.782_213_2e-6];
/// `tanh(x) - x ≈ x³·(T[0] + … + T[5]·x¹⁰)` on |x| ≤ 0.55: minimax, 2^-33.0.
const T: [f32; 6] = [
    -0.333_333_31,
    0.133_332_27,
    -0.053_949_144,
    0.021_711_286,
    -0.008_193_792,
    0.002_144_601_2,
];

/// `sinh(x)` for |x| ≤ 1.
#[inline(always)]
fn sinh_small(x: f32) -> f32 {
    let z = x * x;
    let p = S[1].mul_add(z, S[0]) + (z * z) * S[3].mul_add(z, S[2]);
    (x * z).mul_add(p, x)
}

/// Not NaN, not subnormal (whose result is the argument): `tanh` saturates, so the
/// infinities are fine too.
#[inline(always)]
pub(crate) fn tanh_fast(x: f32) -> bool {
    let a = x.abs();
    a >= f32::MIN_POSITIVE || a == 0.0
}

/// Where `e^|x|` is finite and normal (`exp`'s domain), not subnormal; beyond, libm gives
/// the overflows.
#[inline(always)]
pub(crate) fn sinh_cosh_fast(x: f32) -> bool {
    let a = x.abs();
    (a >= f32::MIN_POSITIVE || a == 0.0) && a < 88.0
}

/// `tanh(x)` for `tanh_fast(x)`: the polynomial below 0.55, `1 - 2/(e^2a + 1)` above
/// (at most 1/2, so no cancellation) with `e^2a + 1` in two parts, the quotient
/// corrected by its remainder and `1 - q` summed exactly.
#[inline(always)]
pub(crate) fn tanh_lane(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    let z2 = z * z;
    let p = T[1].mul_add(z, T[0]) + z2 * (T[3].mul_add(z, T[2]) + z2 * T[5].mul_add(z, T[4]));
    let small = (x * z).mul_add(p, x);
    // tanh(10) rounds to 1.
    let (eh, el) = exp_parts(2.0 * a.min(10.0));
    // d + de = e^2a + 1 (Fast2Sum: eh > 1).
    let d = eh + 1.0;
    let de = ((eh - d) + 1.0) + el;
    let inv = 1.0 / d;
    let q = 2.0 * inv;
    // 2/(d + de) - q ≈ (2 - q·d - q·de)/d, the remainder exact by FMA.
    let corr = (-q).mul_add(de, (-q).mul_add(d, 2.0)) * inv;
    let h = 1.0 - q;
    let big = h + (((1.0 - h) - q) - corr);
    if a < 0.55 { small } else { big }.copysign(x)
}

/// `sinh(x)` for `sinh_cosh_fast(x)`: the polynomial below 1, `(e^a - e^-a)/2` above,
/// `e^a` in two parts so that only `eh - e^-a` and the last sum round.
#[inline(always)]
pub(crate) fn sinh_lane(x: f32) -> f32 {
    let a = x.abs();
    let (eh, el) = exp_parts(a);
    let big = 0.5 * ((eh - 1.0 / eh) + el);
    if a < 1.0 {
        sinh_small(x)
    } else {
        big.copysign(x)
    }
}

/// `cosh(x)` for `sinh_cosh_fast(x)`: `1 + 2·sinh²(x/2)` below 1, `(e^a + e^-a)/2` above.
#[inline(always)]
pub(crate) fn cosh_lane(x: f32) -> f32 {
    let a = x.abs();
    let (eh, el) = exp_parts(a);
    let big = 0.5 * ((eh + 1.0 / eh) + el);
    let sh = sinh_small(0.5 * a);
    if a < 1.0 {
        (2.0 * sh).mul_add(sh, 1.0)
    } else {
        big
    }
}

unary_kernel_f32!(
    TANH,
    tanh_lane,
    tanh_fast,
    float::tanh_f32,
    crate::math::vector::hyperbolic::TANH_F32
);
unary_kernel_f32!(
    SINH,
    sinh_lane,
    sinh_cosh_fast,
    float::sinh_f32,
    crate::math::vector::hyperbolic::SINH_F32
);
unary_kernel_f32!(
    COSH,
    cosh_lane,
    sinh_cosh_fast,
    float::cosh_f32,
    crate::math::vector::hyperbolic::COSH_F32
);
