//! Conversions between any two dtypes with [`crate::types::Scalar::cast`] semantics:
//! integers wrap, `x != 0` gives `bool` (NaN is true), float → integer truncates toward
//! zero, saturates and maps NaN to 0 (Rust's `as`).

use super::scalar::clif_type;
use crate::error::Result;
use crate::types::{DType, Kind};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_frontend::FunctionBuilder;

/// Converts `x` of dtype `from` to dtype `to`.
pub(crate) fn cast(b: &mut FunctionBuilder, from: DType, to: DType, x: Value) -> Result<Value> {
    if from == to {
        return Ok(x);
    }
    let to_ty = clif_type(to);
    Ok(match (from.kind(), to.kind()) {
        (Kind::Float, Kind::Bool) => {
            let zero = super::scalar::constant(b, crate::types::Scalar::F64(0.0).cast(from));
            b.ins().fcmp(FloatCC::NotEqual, x, zero)
        }
        (_, Kind::Bool) => b.ins().icmp_imm_s(IntCC::NotEqual, x, 0),
        (Kind::Float, Kind::Float) => {
            if to == DType::F64 {
                b.ins().fpromote(types::F64, x)
            } else {
                b.ins().fdemote(types::F32, x)
            }
        }
        (Kind::Float, _) => float_to_int(b, to, x),
        (_, Kind::Float) => {
            let wide = super::ops_int::extend64(b, from, x);
            // Zero-extended u8..u32 are non-negative i64s, so only u64 needs the unsigned form.
            if from == DType::U64 {
                b.ins().fcvt_from_uint(to_ty, wide)
            } else {
                b.ins().fcvt_from_sint(to_ty, wide)
            }
        }
        _ => {
            let (fw, tw) = (from.size(), to.size());
            if tw < fw {
                b.ins().ireduce(to_ty, x)
            } else if tw == fw {
                x
            } else if from.is_signed_int() {
                b.ins().sextend(to_ty, x)
            } else {
                b.ins().uextend(to_ty, x)
            }
        }
    })
}

/// Float → integer, saturating like Rust's `as`. Cranelift saturates only to 32 and 64
/// bits, so narrower (and `u32`) targets saturate to a wider type, clamp, then truncate.
fn float_to_int(b: &mut FunctionBuilder, to: DType, x: Value) -> Value {
    match to {
        DType::I64 => b.ins().fcvt_to_sint_sat(types::I64, x),
        DType::U64 => b.ins().fcvt_to_uint_sat(types::I64, x),
        DType::I32 => b.ins().fcvt_to_sint_sat(types::I32, x),
        _ => {
            let (wide, lo, hi) = match to {
                DType::U32 => (types::I64, 0, u32::MAX as i64),
                DType::I16 => (types::I32, i16::MIN as i64, i16::MAX as i64),
                DType::U16 => (types::I32, 0, u16::MAX as i64),
                DType::I8 => (types::I32, i8::MIN as i64, i8::MAX as i64),
                _ => (types::I32, 0, u8::MAX as i64),
            };
            let v = b.ins().fcvt_to_sint_sat(wide, x);
            let lo_v = super::scalar::iconst(b, wide, lo);
            let hi_v = super::scalar::iconst(b, wide, hi);
            let below = b.ins().icmp(IntCC::SignedLessThan, v, lo_v);
            let v = b.ins().select(below, lo_v, v);
            let above = b.ins().icmp(IntCC::SignedGreaterThan, v, hi_v);
            let v = b.ins().select(above, hi_v, v);
            b.ins().ireduce(clif_type(to), v)
        }
    }
}
