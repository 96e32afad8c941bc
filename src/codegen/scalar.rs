//! One element, one instruction: dispatches an IR instruction to the integer, float, cast
//! and call emitters. Both the scalar loop and the per-lane vector fallback use it.

use super::calls::{internal, Callees};
use super::{cast, ops_float, ops_int};
use crate::error::Result;
use crate::ir::{BinaryOp, Op, UnaryOp};
use crate::math;
use crate::types::{DType, Scalar};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{types, InstBuilder, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// The scalar Cranelift type holding one element of `dt` (`bool` is a 0/1 byte).
pub(crate) fn clif_type(dt: DType) -> Type {
    match dt {
        DType::Bool | DType::I8 | DType::U8 => types::I8,
        DType::I16 | DType::U16 => types::I16,
        DType::I32 | DType::U32 => types::I32,
        DType::I64 | DType::U64 => types::I64,
        DType::F32 => types::F32,
        DType::F64 => types::F64,
        // A complex value is a pair of its part type.
        DType::C64 => types::F32,
        DType::C128 => types::F64,
        // A string element is handled by address.
        DType::Bytes(_) | DType::Str(_) => types::I64,
    }
}

/// An integer constant of type `ty` from a possibly negative `v` (Cranelift requires the
/// immediate zero-extended from the type's width).
pub(crate) fn iconst(b: &mut FunctionBuilder, ty: Type, v: i64) -> Value {
    let bits = ty.bits();
    let masked = if bits >= 64 {
        v
    } else {
        v & ((1i64 << bits) - 1)
    };
    b.ins().iconst(ty, masked)
}

/// Materialises a constant, keeping NaN payloads and signed zeros.
pub(crate) fn constant(b: &mut FunctionBuilder, c: Scalar) -> Value {
    match c {
        Scalar::F32(v) => b.ins().f32const(Ieee32::with_bits(v.to_bits())),
        Scalar::F64(v) => b.ins().f64const(Ieee64::with_bits(v.to_bits())),
        // Cranelift wants narrow immediates zero-extended, which `to_bits` gives.
        _ => b.ins().iconst(clif_type(c.dtype()), c.to_bits() as i64),
    }
}

/// Emits a computing instruction (`Cast`, `Unary`, `Binary`, `Select`) whose operands'
/// dtypes are `arg_dtypes` and values `args`; the result has dtype `dt`.
pub(crate) fn emit(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    op: &Op,
    dt: DType,
    arg_dtypes: &[DType],
    args: &[Value],
) -> Result<Value> {
    match *op {
        Op::StrCompare { .. } | Op::StrContains { .. } | Op::StrCopy(_) => {
            // The loop emits string ops itself, as calls on their operands' addresses.
            Err(super::calls::internal(
                "string ops are not element operations",
            ))
        }
        Op::Cast(_) => cast::cast(b, arg_dtypes[0], dt, args[0]),
        Op::Select(..) => {
            // The condition is a 0/1 byte; `select` tests it against zero.
            Ok(b.ins().select(args[0], args[1], args[2]))
        }
        Op::Unary(u, _) => unary(b, calls, u, arg_dtypes[0], args[0]),
        Op::Binary(bop, _, _) => binary(b, calls, bop, arg_dtypes[0], args[0], args[1]),
        Op::Input(_) | Op::Const(_) => Err(internal("inputs and constants are not computed")),
    }
}

/// A unary op on an operand of dtype `dt`.
fn unary(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    op: UnaryOp,
    dt: DType,
    x: Value,
) -> Result<Value> {
    if let Some(entry) = math::unary(op, dt) {
        return calls.call(b, entry, &[x]);
    }
    if dt.is_float() {
        ops_float::unary(b, op, dt, x)
    } else {
        ops_int::unary(b, op, dt, x)
    }
}

/// A binary op on operands of dtype `dt`.
fn binary(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    op: BinaryOp,
    dt: DType,
    x: Value,
    y: Value,
) -> Result<Value> {
    if let Some(entry) = math::binary(op, dt) {
        if dt.is_float() {
            return calls.call(b, entry, &[x, y]);
        }
        // Integer `**`: widen to 64 bits, call, truncate (wrapping commutes with truncation).
        let (x64, y64) = (ops_int::extend64(b, dt, x), ops_int::extend64(b, dt, y));
        let r = calls.call(b, entry, &[x64, y64])?;
        let r = if dt.size() < 8 {
            b.ins().ireduce(clif_type(dt), r)
        } else {
            r
        };
        // `bool ** bool` is 0 or 1 already (0**0 == 1), so no renormalisation is needed.
        return Ok(r);
    }
    if dt.is_float() {
        ops_float::binary(b, op, dt, x, y)
    } else {
        ops_int::binary(b, op, dt, x, y)
    }
}
