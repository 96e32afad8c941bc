//! `expm1` in `f32` lanes: `exp`'s reduction `x = k·ln 2 + r`, then `2^k·r1 + (2^k - 1)`
//! by FMA (`r1` exact, `2^k - 1` too for the `k` where it matters), then `2^k` times
//! the rest of `expm1(r)`.

use super::exp::{fast, poly, pow2, reduce};
use super::unary_kernel_f32;
use crate::math::float;

/// Below this `expm1(x)` rounds to `x`: returned as is, which also keeps `-0.0`.
const TINY: f32 = 2.980_232_2e-8; // 2^-25

/// `expm1(x)` for `fast(x)` (`exp`'s domain).
#[inline(always)]
pub(crate) fn lane(x: f32) -> f32 {
    let (r1, c, k) = reduce(x);
    let t = pow2(k);
    // 2^k·r1 + (2^k - 1) first (r1 is exact), then the small rest.
    let y = t.mul_add(c + poly(r1 + c), t.mul_add(r1, t - 1.0));
    if x.abs() < TINY {
        x
    } else {
        y
    }
}

unary_kernel_f32!(
    EXPM1,
    lane,
    fast,
    float::expm1_f32,
    crate::math::vector::expm1::EXPM1_F32
);
