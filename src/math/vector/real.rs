//! The arithmetic that lane functions are written in, so that one source runs on one `f64`
//! and on several vectors of lanes at once ([`super::ymm::Ymm`]).
//!
//! Why: a lane function applied in a loop over the lanes is vectorised by LLVM one vector
//! per iteration, and a long function (`tanh`: about a hundred instructions on a chain of
//! dependent ones) then runs at its latency, as the out-of-order window holds barely two
//! iterations. On several vectors each operation is applied to all of them before the next
//! one starts, so they are independent instructions side by side and the core overlaps
//! the chains. The results are the same bits: each lane sees the same IEEE operations in
//! the same order as on one `f64`.

use std::ops::{Add, Mul, Neg, Sub};

/// Lanes computed side by side: four AVX2 vectors, two AVX-512 ones.
pub(crate) const GROUP: usize = 16;

/// A float type lane functions are generic over: `f64`, or vectors of them (every
/// operation lane by lane).
pub(crate) trait Real:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Neg<Output = Self>
{
    /// Every lane `v`.
    fn splat(v: f64) -> Self;
    /// `self * b + c`, fused (one rounding).
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// `|self|`.
    fn abs(self) -> Self;
    /// `f64::min` lane by lane (a NaN operand gives the other one).
    fn min(self, other: Self) -> Self;
    /// `self`'s magnitude with `sign`'s sign bit.
    fn copysign(self, sign: Self) -> Self;
    /// `2^self` for an integer-valued `self` where `2^self` is a normal number: built in
    /// the exponent field (AVX2 has no 64-bit float→int conversion).
    fn pow2(self) -> Self;
    /// `if self < bound { then } else { other }`, lane by lane.
    fn lt_select(self, bound: Self, then: Self, other: Self) -> Self;
    /// `self / d`, correctly rounded.
    fn div(self, d: Self) -> Self;

    /// `self * b + c`, fused when `F` (the caller's target has FMA), else rounded twice.
    #[inline(always)]
    fn madd<const F: bool>(self, b: Self, c: Self) -> Self {
        if F {
            self.mul_add(b, c)
        } else {
            self * b + c
        }
    }
}

impl Real for f64 {
    #[inline(always)]
    fn splat(v: f64) -> f64 {
        v
    }
    #[inline(always)]
    fn mul_add(self, b: f64, c: f64) -> f64 {
        f64::mul_add(self, b, c)
    }
    #[inline(always)]
    fn abs(self) -> f64 {
        f64::abs(self)
    }
    #[inline(always)]
    fn min(self, other: f64) -> f64 {
        f64::min(self, other)
    }
    #[inline(always)]
    fn copysign(self, sign: f64) -> f64 {
        f64::copysign(self, sign)
    }
    #[inline(always)]
    fn pow2(self) -> f64 {
        f64::from_bits(((super::driver::int_bits(self) + 1023) as u64) << 52)
    }
    #[inline(always)]
    fn lt_select(self, bound: f64, then: f64, other: f64) -> f64 {
        if self < bound {
            then
        } else {
            other
        }
    }
    #[inline(always)]
    fn div(self, d: f64) -> f64 {
        self / d
    }
}

/// [`GROUP`] lanes as one value: what the kernel loops hand a lane function's group code.
#[derive(Clone, Copy)]
pub(crate) struct Group(pub(crate) [f64; GROUP]);
