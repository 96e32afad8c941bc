//! Floating-point semantics of the IR ops, for `f32` and `f64`.
//!
//! Elementary functions come from the platform libm (through Rust std, which calls it,
//! or directly through [`libm`] where std has its own formula), so the JIT, which calls the
//! same libm, agrees bit for bit.

use crate::ir::{BinaryOp, UnaryOp};
use crate::math::libm;

/// The outcome of a float op: a value, a `bool`, or "not a float op" (bitwise ops, which
/// the caller evaluates on `int64` instead).
pub(super) enum Out<T> {
    /// A value of the operand type.
    Val(T),
    /// A `bool` result.
    Bool(bool),
    /// The op is integer-only.
    NotFloat,
}

/// Float ops for one primitive type.
pub(super) trait FloatOps: Copy + Sized {
    /// One-operand op.
    fn unary(op: UnaryOp, x: Self) -> Out<Self>;
    /// Two-operand op.
    fn binary(op: BinaryOp, a: Self, b: Self) -> Out<Self>;
}

macro_rules! float_ops {
    ($t:ident, $bits:ty, $asinh:path, $acosh:path, $atanh:path) => {
        impl FloatOps for $t {
            fn unary(op: UnaryOp, x: $t) -> Out<$t> {
                use UnaryOp::*;
                Out::Val(match op {
                    Neg => -x,
                    Abs => x.abs(),
                    // NumPy: sign(±0) is +0, sign(NaN) is NaN.
                    Sign => {
                        if x > 0.0 {
                            1.0
                        } else if x < 0.0 {
                            -1.0
                        } else if x == 0.0 {
                            0.0
                        } else {
                            x
                        }
                    }
                    Ceil => x.ceil(),
                    Floor => x.floor(),
                    Trunc => x.trunc(),
                    Round => x.round_ties_even(),
                    Sqrt => x.sqrt(),
                    Sin => x.sin(),
                    Cos => x.cos(),
                    Tan => x.tan(),
                    Arcsin => x.asin(),
                    Arccos => x.acos(),
                    Arctan => x.atan(),
                    Sinh => x.sinh(),
                    Cosh => x.cosh(),
                    Tanh => x.tanh(),
                    // SAFETY: pure libm functions of one float; no pointers, no state.
                    Arcsinh => unsafe { $asinh(x) },
                    // SAFETY: as for `asinh`.
                    Arccosh => unsafe { $acosh(x) },
                    // SAFETY: as for `asinh`.
                    Arctanh => unsafe { $atanh(x) },
                    Exp => x.exp(),
                    Expm1 => x.exp_m1(),
                    Log => x.ln(),
                    Log1p => x.ln_1p(),
                    Log2 => x.log2(),
                    Log10 => x.log10(),
                    IsNan => return Out::Bool(x.is_nan()),
                    IsFinite => return Out::Bool(x.is_finite()),
                    IsInf => return Out::Bool(x.is_infinite()),
                    SignBit => return Out::Bool(x.is_sign_negative()),
                    // A real number is its own real part and conjugate.
                    Real | Conj => x,
                    Imag => 0.0,
                    Not => return Out::NotFloat,
                })
            }

            fn binary(op: BinaryOp, a: $t, b: $t) -> Out<$t> {
                use BinaryOp::*;
                Out::Val(match op {
                    // `interp::binary` evaluates `complex(re, im)` before dispatching here.
                    Complex => a,
                    Add => a + b,
                    Sub => a - b,
                    Mul => a * b,
                    Div => a / b,
                    FloorDiv => {
                        if b == 0.0 {
                            a / b
                        } else {
                            divmod(a, b).0
                        }
                    }
                    Mod => {
                        if b == 0.0 {
                            a % b
                        } else {
                            divmod(a, b).1
                        }
                    }
                    Pow => a.powf(b),
                    Lt => return Out::Bool(a < b),
                    Le => return Out::Bool(a <= b),
                    Eq => return Out::Bool(a == b),
                    Ne => return Out::Bool(a != b),
                    Ge => return Out::Bool(a >= b),
                    Gt => return Out::Bool(a > b),
                    // NumPy's loops: NaN wins; otherwise, on ties (±0) the second operand.
                    Max => {
                        if a.is_nan() || (!b.is_nan() && a > b) {
                            a
                        } else {
                            b
                        }
                    }
                    Min => {
                        if a.is_nan() || (!b.is_nan() && a < b) {
                            a
                        } else {
                            b
                        }
                    }
                    // Rust's float `%` is C's fmod (exact, no rounding).
                    Fmod => a % b,
                    Arctan2 => a.atan2(b),
                    Hypot => a.hypot(b),
                    Nextafter => nextafter(a, b),
                    Copysign => a.copysign(b),
                    Shl | Shr | And | Or | Xor => return Out::NotFloat,
                })
            }
        }

        /// NumPy's `npy_divmod` (numpy/_core/src/npymath/npy_math_internal.h.src):
        /// floor quotient and Python-style remainder; `b != 0` here.
        fn divmod(a: $t, b: $t) -> ($t, $t) {
            let mut m = a % b;
            let mut div = (a - m) / b;
            // NaN is "truthy" in C, so `m != 0.0` must stay true for NaN.
            if m != 0.0 || m.is_nan() {
                if (b < 0.0) != (m < 0.0) {
                    m += b;
                    div -= 1.0;
                }
            } else {
                m = (0.0 as $t).copysign(b);
            }
            let floordiv = if div != 0.0 || div.is_nan() {
                let f = div.floor();
                if div - f > 0.5 {
                    f + 1.0
                } else {
                    f
                }
            } else {
                (0.0 as $t).copysign(a / b)
            };
            (floordiv, m)
        }

        /// C's `nextafter`: the next representable value after `a` toward `b`.
        fn nextafter(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                return a + b;
            }
            if a == b {
                return b;
            }
            if a == 0.0 {
                // The smallest subnormal, with the sign of the direction.
                return <$t>::from_bits(1).copysign(b);
            }
            let bits = a.to_bits();
            // Moving away from zero increments the magnitude's bits, toward zero decrements.
            let away = (b > a) == (a > 0.0);
            <$t>::from_bits(if away { bits + 1 } else { bits - 1 })
        }
    };
}

mod f32_impl {
    use super::*;
    float_ops!(f32, u32, libm::asinhf, libm::acoshf, libm::atanhf);
}

mod f64_impl {
    use super::*;
    float_ops!(f64, u64, libm::asinh, libm::acosh, libm::atanh);
}
