//! Float operations on scalars that Cranelift does inline (transcendentals are calls,
//! see [`super::calls`]). No `fma` is ever emitted: results must round like NumPy's.

use super::calls::internal;
use crate::error::Result;
use crate::ir::{BinaryOp, UnaryOp};
use crate::types::{DType, Scalar};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::FunctionBuilder;

fn fconst(b: &mut FunctionBuilder, dt: DType, v: f64) -> Value {
    let c = if dt == DType::F32 {
        Scalar::F32(v as f32)
    } else {
        Scalar::F64(v)
    };
    super::scalar::constant(b, c)
}

/// A unary op on a float operand.
pub(crate) fn unary(b: &mut FunctionBuilder, op: UnaryOp, dt: DType, x: Value) -> Result<Value> {
    use UnaryOp::*;
    Ok(match op {
        Neg => b.ins().fneg(x),
        Abs => b.ins().fabs(x),
        Sign => {
            // NumPy: x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x  (±0 → +0, NaN → NaN itself).
            let one = fconst(b, dt, 1.0);
            let m_one = fconst(b, dt, -1.0);
            let zero = fconst(b, dt, 0.0);
            let is_zero = b.ins().fcmp(FloatCC::Equal, x, zero);
            let r = b.ins().select(is_zero, zero, x);
            let is_neg = b.ins().fcmp(FloatCC::LessThan, x, zero);
            let r = b.ins().select(is_neg, m_one, r);
            let is_pos = b.ins().fcmp(FloatCC::GreaterThan, x, zero);
            b.ins().select(is_pos, one, r)
        }
        Ceil => b.ins().ceil(x),
        Floor => b.ins().floor(x),
        Trunc => b.ins().trunc(x),
        Round => b.ins().nearest(x),
        Sqrt => b.ins().sqrt(x),
        IsNan => b.ins().fcmp(FloatCC::Unordered, x, x),
        IsFinite | IsInf => {
            let inf = fconst(b, dt, f64::INFINITY);
            let a = b.ins().fabs(x);
            // Ordered comparisons are false for NaN, which is neither finite nor infinite.
            let cc = if op == IsInf {
                FloatCC::Equal
            } else {
                FloatCC::LessThan
            };
            b.ins().fcmp(cc, a, inf)
        }
        SignBit => {
            let ity = if dt == DType::F32 {
                types::I32
            } else {
                types::I64
            };
            let bits = b.ins().bitcast(ity, MemFlagsData::new(), x);
            b.ins().icmp_imm_s(IntCC::SignedLessThan, bits, 0)
        }
        _ => return Err(internal(format!("`{}` is not inline on {dt}", op.name()))),
    })
}

/// A binary op on two float operands.
pub(crate) fn binary(
    b: &mut FunctionBuilder,
    op: BinaryOp,
    dt: DType,
    x: Value,
    y: Value,
) -> Result<Value> {
    use BinaryOp::*;
    let cmp = |b: &mut FunctionBuilder, cc| b.ins().fcmp(cc, x, y);
    Ok(match op {
        Add => b.ins().fadd(x, y),
        Sub => b.ins().fsub(x, y),
        Mul => b.ins().fmul(x, y),
        Div => b.ins().fdiv(x, y),
        Copysign => b.ins().fcopysign(x, y),
        Lt => cmp(b, FloatCC::LessThan),
        Le => cmp(b, FloatCC::LessThanOrEqual),
        Eq => cmp(b, FloatCC::Equal),
        // Cranelift's `ne` is "unordered or not equal": NaN != x is true, as in NumPy.
        Ne => cmp(b, FloatCC::NotEqual),
        Ge => cmp(b, FloatCC::GreaterThanOrEqual),
        Gt => cmp(b, FloatCC::GreaterThan),
        Max | Min => {
            // NumPy: (x > y || isnan(x)) ? x : y (and `<` for minimum). This propagates
            // NaN from either side and returns y for equal values (so max(-0., 0.) == 0.).
            let cc = if op == Max {
                FloatCC::GreaterThan
            } else {
                FloatCC::LessThan
            };
            let better = cmp(b, cc);
            let nan = b.ins().fcmp(FloatCC::Unordered, x, x);
            let pick_x = b.ins().bor(better, nan);
            b.ins().select(pick_x, x, y)
        }
        _ => return Err(internal(format!("`{}` is not inline on {dt}", op.name()))),
    })
}
