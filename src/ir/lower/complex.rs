//! Lowering of complex numbers: operators and functions whose operands promote to a
//! complex dtype, `real imag conj complex`, and the type errors for what NumPy does not
//! define on complex numbers (ordering, `//`, `%`, bitwise ops, `floor`, …).
//!
//! Weak complex literals (`2j`) follow NEP 50: meeting a `float32` array they become
//! `complex64`, meeting integers or `float64` `complex128` (see `weak_meets`).

use super::{type_err, Lit, Lowerer, Repr, Val};
use crate::error::{Result, Span};
use crate::ir::{BinaryOp as IrBin, Op, UnaryOp as IrUn, ValueId};
use crate::syntax::ast::BinaryOp;
use crate::types::{DType, Scalar};

/// The help shown when an ordering is asked of complex numbers.
const NOT_ORDERED: &str = "complex numbers are not ordered; compare `abs(z)` or `real(z)` instead";

impl Lowerer<'_> {
    /// `-literal` for a complex literal: Python negates both parts (`-2j` is `-0-2j`).
    pub(super) fn neg_complex_lit(a: Val, span: Span) -> Option<Val> {
        match a.repr {
            Repr::Lit(Lit::Complex(re, im)) => Some(Val {
                repr: Repr::Lit(Lit::Complex(-re, -im)),
                span,
                ..a
            }),
            _ => None,
        }
    }

    /// An operator whose operands promote to complex `t`.
    pub(super) fn complex_binary(
        &mut self,
        op: BinaryOp,
        a: Val,
        b: Val,
        t: DType,
        op_span: Span,
    ) -> Result<Val> {
        let sym = op.symbol();
        let ir = match op {
            BinaryOp::Add => IrBin::Add,
            BinaryOp::Sub => IrBin::Sub,
            BinaryOp::Mul => IrBin::Mul,
            BinaryOp::Div => IrBin::Div,
            BinaryOp::Pow => IrBin::Pow,
            BinaryOp::Eq => IrBin::Eq,
            BinaryOp::Ne => IrBin::Ne,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                return Err(
                    type_err(op_span, format!("`{sym}` is not supported for {t}"))
                        .with_help(NOT_ORDERED),
                )
            }
            BinaryOp::FloorDiv | BinaryOp::Mod => {
                return Err(
                    type_err(op_span, format!("`{sym}` is not supported for {t}"))
                        .with_help("NumPy defines `//` and `%` for real numbers only"),
                )
            }
            BinaryOp::Shl
            | BinaryOp::Shr
            | BinaryOp::BitAnd
            | BinaryOp::BitOr
            | BinaryOp::BitXor => {
                return Err(
                    type_err(op_span, format!("`{sym}` is not supported for {t}"))
                        .with_help("bitwise operators need integer or bool operands"),
                )
            }
        };
        let span = a.span.cover(b.span);
        let x = self.materialize(a, t)?;
        let y = self.materialize(b, t)?;
        let rt = if ir.is_comparison() { DType::Bool } else { t };
        let id = self.emit(Op::Binary(ir, x, y), rt, span)?;
        Ok(Val {
            repr: Repr::Inst(id),
            dtype: rt,
            weak: a.weak && b.weak,
            span,
        })
    }

    /// A one-argument function on a complex operand, or `real imag conj` on a real one;
    /// `None` when `op` on `a` is not complex business.
    pub(super) fn complex_unary(
        &mut self,
        op: IrUn,
        a: Val,
        span: Span,
    ) -> Result<Option<ValueId>> {
        use IrUn::*;
        let d = a.dtype;
        if !d.is_complex() {
            return Ok(match op {
                // A real number is its own real part and conjugate (NumPy keeps the dtype).
                Real | Conj => Some(self.materialize(a, d)?),
                Imag => Some(self.emit(Op::Const(Scalar::from_bits(d, 0)), d, span)?),
                _ => None,
            });
        }
        let rt = match op {
            Real | Imag | Abs => d.real_part(),
            IsNan | IsInf | IsFinite => DType::Bool,
            // NumPy 2: `sign(z)` is `z/|z|`, `round(z)` rounds each part half to even.
            Neg | Conj | Sign | Round | Sqrt | Sin | Cos | Tan | Arcsin | Arccos | Arctan
            | Sinh | Cosh | Tanh | Arcsinh | Arccosh | Arctanh | Exp | Expm1 | Log | Log1p
            | Log2 | Log10 => d,
            Not | Ceil | Floor | Trunc | SignBit => {
                let help = match op {
                    Not => "bitwise operators need integer or bool operands",
                    SignBit => "complex numbers have no sign bit; use `real(z)` or `imag(z)`",
                    _ => "round the parts: `complex(floor(real(z)), floor(imag(z)))`",
                };
                return Err(
                    type_err(span, format!("`{}` is not supported for {d}", op.name()))
                        .with_help(help),
                );
            }
        };
        let x = self.materialize(a, d)?;
        Ok(Some(self.emit(Op::Unary(op, x), rt, span)?))
    }

    /// A two-argument function where an operand is complex, or `complex(re, im)`; `None`
    /// when it is neither.
    pub(super) fn complex_call_binary(
        &mut self,
        op: IrBin,
        a: Val,
        b: Val,
        t: DType,
        span: Span,
    ) -> Result<Option<ValueId>> {
        if op == IrBin::Complex {
            if t.is_complex() {
                let z = if a.dtype.is_complex() { a } else { b };
                return Err(type_err(
                    z.span,
                    format!("`complex` takes real parts, got {}", z.dtype),
                )
                .with_help("the parts of `z` are `real(z)` and `imag(z)`"));
            }
            // Float parts keep their precision; integers and bool become float64, as
            // `complex128(x)` would make them.
            let part = if t.is_float() { t } else { DType::F64 };
            let x = self.materialize(a, part)?;
            let y = self.materialize(b, part)?;
            return Ok(Some(self.emit(
                Op::Binary(IrBin::Complex, x, y),
                part.to_complex(),
                span,
            )?));
        }
        if !t.is_complex() {
            return Ok(None);
        }
        let help = match op {
            IrBin::Max | IrBin::Min => NOT_ORDERED,
            _ => "NumPy defines it for real numbers only",
        };
        Err(type_err(span, format!("`{}` is not supported for {t}", op.name())).with_help(help))
    }
}

#[cfg(test)]
mod tests;
