//! `log1p` in `f32` lanes: `u = 1 + x` reduced as `log` does, plus the rounding error of
//! `1 + x` as a first-order correction `c/u` (fdlibm's `s_log1pf` scheme).

use super::log::{reduce, tail, LN2_HI, LN2_LO};
use super::unary_kernel_f32;
use crate::math::float;

/// Below this `log1p(x)` rounds to `x`: returned as is, which also keeps `-0.0`.
const TINY: f32 = 2.980_232_2e-8; // 2^-25

/// `x > -1`, finite, not subnormal: `-1` (a pole), below it, `+inf` and NaN go to libm.
#[inline(always)]
pub(crate) fn fast(x: f32) -> bool {
    x > -1.0 && x < f32::INFINITY && (x.abs() >= f32::MIN_POSITIVE || x == 0.0)
}

/// `log1p(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn lane(x: f32) -> f32 {
    let u = 1.0 + x;
    let (k, f) = reduce(u);
    // k = 0: 1 + x is in [√½, √2), so x itself is f, exactly (no correction). Else the
    // exact rounding error of 1 + x (each subtraction is exact on its side of 2),
    // relative to u: log(1+x) = log(u) + c/u to first order.
    let k0 = k == 0.0;
    let c = if u >= 2.0 {
        1.0 - (u - x)
    } else {
        x - (u - 1.0)
    } / u;
    let c = if k0 { 0.0 } else { c };
    let f = if k0 { x } else { f };
    let b = (-0.5 * f).mul_add(f, k.mul_add(LN2_LO, tail(f) + c));
    let kl = k * LN2_HI;
    let a = kl + f;
    let y = a + (b + ((kl - a) + f));
    if x.abs() < TINY {
        x
    } else {
        y
    }
}

unary_kernel_f32!(
    LOG1P,
    lane,
    fast,
    float::log1p_f32,
    crate::math::vector::log1p::LOG1P_F32
);
