//! Complex semantics of the IR ops, for `complex64` and `complex128`.
//!
//! `+ - *`, comparisons, predicates, parts and `round` are computed here, independently of
//! the code generator; division, `**`, `abs`, `sign` and the transcendental functions call
//! [`crate::math::complex`], which the kernels call too (NumPy computes them with libm and
//! a few exact formulas that a second copy could only reproduce, not check).

use crate::ir::{BinaryOp, UnaryOp};
use crate::math::complex::{c128, c64};
use crate::types::{Complex32, Complex64, Scalar};

/// Generates the per-width functions; `$wrap`/`$part` build a complex/part [`Scalar`].
macro_rules! complex_ops {
    ($unary:ident, $binary:ident, $c:ty, $m:ident, $wrap:path, $part:path) => {
        /// One-operand `op` on `z`; a malformed op (not defined on complex) gives `z`.
        fn $unary(op: UnaryOp, z: $c) -> Scalar {
            use UnaryOp::*;
            match op {
                // NumPy: NaN or infinite in either part.
                IsNan => Scalar::Bool(z.re.is_nan() || z.im.is_nan()),
                IsInf => Scalar::Bool(z.re.is_infinite() || z.im.is_infinite()),
                IsFinite => Scalar::Bool(z.re.is_finite() && z.im.is_finite()),
                Real => $part(z.re),
                Imag => $part(z.im),
                Abs => $part($m::abs(z)),
                Neg => $wrap(<$c>::new(-z.re, -z.im)),
                Conj => $wrap(<$c>::new(z.re, -z.im)),
                // NumPy rounds the parts separately (half to even).
                Round => $wrap(<$c>::new(z.re.round_ties_even(), z.im.round_ties_even())),
                _ => $wrap($m::unary(op, z).unwrap_or(z)),
            }
        }

        /// Two-operand `op`; a malformed op gives `a`.
        fn $binary(op: BinaryOp, a: $c, b: $c) -> Scalar {
            use BinaryOp::*;
            match op {
                Add => $wrap(<$c>::new(a.re + b.re, a.im + b.im)),
                Sub => $wrap(<$c>::new(a.re - b.re, a.im - b.im)),
                // NumPy's SIMD loop fuses each part's second product into an FMA. The real
                // part is a fused multiply-subtract (NumPy's `fmsub`; the JIT's `fma` of
                // a negation becomes one too), which passes a NaN product through with
                // its sign, where `mul_add(.., -p)` would flip it; the sign matters to
                // later functions (`arcsinh(nan+infj)` is `±inf+nanj` by it).
                Mul => {
                    let ii = a.im * b.im;
                    let re = if ii.is_nan() && !a.re.is_nan() && !b.re.is_nan() {
                        ii
                    } else {
                        a.re.mul_add(b.re, -ii)
                    };
                    $wrap(<$c>::new(re, a.re.mul_add(b.im, a.im * b.re)))
                }
                Eq => Scalar::Bool(a.re == b.re && a.im == b.im),
                Ne => Scalar::Bool(a.re != b.re || a.im != b.im),
                _ => $wrap($m::binary(op, a, b).unwrap_or(a)),
            }
        }
    };
}

complex_ops!(unary64, binary64, Complex32, c64, Scalar::C64, Scalar::F32);
complex_ops!(
    unary128,
    binary128,
    Complex64,
    c128,
    Scalar::C128,
    Scalar::F64
);

/// NumPy's result of `op` on complex `x` (before the caller's cast to the result dtype);
/// a non-complex `x` is returned unchanged.
pub(super) fn unary(op: UnaryOp, x: Scalar) -> Scalar {
    match x {
        Scalar::C64(z) => unary64(op, z),
        Scalar::C128(z) => unary128(op, z),
        _ => x,
    }
}

/// NumPy's result of `op` on complex `a` and `b` of `a`'s dtype; anything else gives `a`.
pub(super) fn binary(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (Scalar::C64(x), Scalar::C64(y)) => binary64(op, x, y),
        (Scalar::C128(x), Scalar::C128(y)) => binary128(op, x, y),
        _ => a,
    }
}

/// `complex(re, im)`: `float32` parts give `complex64`; any other parts are read as
/// `float64` and give `complex128` (lowering only ever passes two floats of one dtype).
pub(super) fn from_parts(re: Scalar, im: Scalar) -> Scalar {
    match (re, im) {
        (Scalar::F32(r), Scalar::F32(i)) => Scalar::C64(Complex32::new(r, i)),
        _ => {
            let part = |s: Scalar| match s.cast(crate::types::DType::F64) {
                Scalar::F64(v) => v,
                _ => 0.0,
            };
            Scalar::C128(Complex64::new(part(re), part(im)))
        }
    }
}

#[cfg(test)]
mod tests;
