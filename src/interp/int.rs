//! Integer semantics of the IR ops, one instantiation per integer type.
//!
//! Everything wraps (two's complement), and every case NumPy leaves to a warning or a
//! trap (division by zero, `INT_MIN // -1`, shifts past the width) has the fixed result
//! documented on [`crate::ir::BinaryOp`], so no input can panic.

use crate::ir::{BinaryOp, UnaryOp};

/// The outcome of an integer op: a value of the operand type, a `bool` (comparisons and
/// predicates), or "not an integer op" (float-only ops, which the caller evaluates in
/// `float64` instead).
pub(super) enum Out<T> {
    /// A value of the operand type.
    Val(T),
    /// A `bool` result.
    Bool(bool),
    /// The op is float-only.
    NotInt,
}

/// Integer ops for one primitive type.
pub(super) trait IntOps: Copy + Sized {
    /// One-operand op.
    fn unary(op: UnaryOp, x: Self) -> Out<Self>;
    /// Two-operand op.
    fn binary(op: BinaryOp, a: Self, b: Self) -> Out<Self>;
}

/// Sign-dependent helpers, so that one macro body serves signed and unsigned types.
macro_rules! int_ops {
    ($t:ty, $ut:ty, signed) => {
        int_ops!(@impl $t, $ut, |x: $t| x.wrapping_abs(), |x: $t| x.signum(), |x: $t| x < 0);
    };
    ($t:ty, $ut:ty, unsigned) => {
        int_ops!(@impl $t, $ut, |x: $t| x, |x: $t| (x > 0) as $t, |_x: $t| false);
    };
    (@impl $t:ty, $ut:ty, $abs:expr, $sign:expr, $neg:expr) => {
        impl IntOps for $t {
            fn unary(op: UnaryOp, x: $t) -> Out<$t> {
                use UnaryOp::*;
                let is_neg = $neg;
                Out::Val(match op {
                    Neg => x.wrapping_neg(),
                    Not => !x,
                    Abs => ($abs)(x),
                    Sign => ($sign)(x),
                    // Integers are already integral (NumPy 2 returns them unchanged).
                    Ceil | Floor | Trunc | Round => x,
                    // A real number is its own real part and conjugate.
                    Real | Conj => x,
                    Imag => 0,
                    IsNan | IsInf => return Out::Bool(false),
                    IsFinite => return Out::Bool(true),
                    SignBit => return Out::Bool(is_neg(x)),
                    Sqrt | Sin | Cos | Tan | Arcsin | Arccos | Arctan | Sinh | Cosh | Tanh
                    | Arcsinh | Arccosh | Arctanh | Exp | Expm1 | Log | Log1p | Log2 | Log10 => {
                        return Out::NotInt
                    }
                })
            }

            fn binary(op: BinaryOp, a: $t, b: $t) -> Out<$t> {
                use BinaryOp::*;
                let is_neg = $neg;
                // `b as $ut as u64` reads a negative shift amount as a huge unsigned one.
                let shift_oob = (b as $ut as u64) >= u64::from(<$t>::BITS);
                Out::Val(match op {
                    // `interp::binary` evaluates `complex(re, im)` before dispatching here.
                    Complex => a,
                    Add => a.wrapping_add(b),
                    Sub => a.wrapping_sub(b),
                    Mul => a.wrapping_mul(b),
                    FloorDiv => {
                        if b == 0 {
                            0
                        } else {
                            // wrapping_div: INT_MIN / -1 == INT_MIN, as NumPy.
                            let q = a.wrapping_div(b);
                            let r = a.wrapping_rem(b);
                            if r != 0 && (is_neg(r) != is_neg(b)) {
                                q.wrapping_sub(1)
                            } else {
                                q
                            }
                        }
                    }
                    Mod => {
                        if b == 0 {
                            0
                        } else {
                            let r = a.wrapping_rem(b);
                            if r != 0 && (is_neg(r) != is_neg(b)) {
                                r.wrapping_add(b)
                            } else {
                                r
                            }
                        }
                    }
                    Fmod => {
                        if b == 0 {
                            0
                        } else {
                            a.wrapping_rem(b)
                        }
                    }
                    Pow => ipow(a, b),
                    Shl => {
                        if shift_oob {
                            0
                        } else {
                            a << (b as u32)
                        }
                    }
                    Shr => {
                        if shift_oob {
                            if is_neg(a) {
                                !0
                            } else {
                                0
                            }
                        } else {
                            a >> (b as u32)
                        }
                    }
                    And => a & b,
                    Or => a | b,
                    Xor => a ^ b,
                    Lt => return Out::Bool(a < b),
                    Le => return Out::Bool(a <= b),
                    Eq => return Out::Bool(a == b),
                    Ne => return Out::Bool(a != b),
                    Ge => return Out::Bool(a >= b),
                    Gt => return Out::Bool(a > b),
                    Max => a.max(b),
                    Min => a.min(b),
                    Div | Arctan2 | Hypot | Nextafter | Copysign => return Out::NotInt,
                })
            }
        }

        impl IntPow for $t {
            fn ipow_impl(base: $t, exp: $t) -> $t {
                let is_neg = $neg;
                if is_neg(exp) {
                    // NumPy raises here; jitex defines: 1 → 1, -1 → ±1 by parity, else 0.
                    return match base as i128 {
                        1 => 1,
                        -1 => if exp & 1 == 0 { 1 } else { base },
                        _ => 0,
                    };
                }
                let mut e = exp as $ut;
                let mut b = base;
                let mut acc: $t = 1;
                while e != 0 {
                    if e & 1 == 1 {
                        acc = acc.wrapping_mul(b);
                    }
                    b = b.wrapping_mul(b);
                    e >>= 1;
                }
                acc
            }
        }
    };
}

/// Integer power by repeated squaring (wrapping).
trait IntPow: Sized {
    fn ipow_impl(base: Self, exp: Self) -> Self;
}

fn ipow<T: IntPow>(base: T, exp: T) -> T {
    T::ipow_impl(base, exp)
}

int_ops!(i8, u8, signed);
int_ops!(i16, u16, signed);
int_ops!(i32, u32, signed);
int_ops!(i64, u64, signed);
int_ops!(u8, u8, unsigned);
int_ops!(u16, u16, unsigned);
int_ops!(u32, u32, unsigned);
int_ops!(u64, u64, unsigned);
