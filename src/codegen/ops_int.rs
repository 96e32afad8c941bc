//! Integer and `bool` operations on scalars, with NumPy's (jitex's) edge-case semantics:
//! wrapping arithmetic, guarded division (never trapping), saturating shift amounts.

use super::calls::internal;
use super::scalar::clif_type;
use crate::error::Result;
use crate::ir::{BinaryOp, UnaryOp};
use crate::types::DType;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, InstructionData, Opcode, Value};
use cranelift_frontend::FunctionBuilder;

fn undefined(op: &str, dt: DType) -> crate::error::Error {
    internal(format!("`{op}` is not defined on {dt}"))
}

/// Sign- or zero-extends an integer/`bool` value to 64 bits, by the dtype's signedness.
pub(crate) fn extend64(b: &mut FunctionBuilder, dt: DType, x: Value) -> Value {
    if dt.size() == 8 {
        x
    } else if dt.is_signed_int() {
        b.ins().sextend(types::I64, x)
    } else {
        b.ins().uextend(types::I64, x)
    }
}

/// A unary op on an integer or `bool` operand.
pub(crate) fn unary(b: &mut FunctionBuilder, op: UnaryOp, dt: DType, x: Value) -> Result<Value> {
    use UnaryOp::*;
    let ty = clif_type(dt);
    let signed = dt.is_signed_int();
    Ok(match op {
        Neg if dt != DType::Bool => b.ins().ineg(x),
        Not if dt == DType::Bool => b.ins().bxor_imm_s(x, 1),
        Not => b.ins().bnot(x),
        Abs if signed => {
            // Wrapping: abs(INT_MIN) == INT_MIN, which `ineg` gives.
            let neg = b.ins().ineg(x);
            let is_neg = b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
            b.ins().select(is_neg, neg, x)
        }
        Abs => x,
        Sign if signed => {
            let gt = b.ins().icmp_imm_s(IntCC::SignedGreaterThan, x, 0);
            let lt = b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
            let s = b.ins().isub(gt, lt);
            if ty == types::I8 {
                s
            } else {
                b.ins().sextend(ty, s)
            }
        }
        Sign if dt == DType::Bool => x,
        Sign => {
            let nz = b.ins().icmp_imm_s(IntCC::NotEqual, x, 0);
            if ty == types::I8 {
                nz
            } else {
                b.ins().uextend(ty, nz)
            }
        }
        // Rounding an integer is the identity.
        Ceil | Floor | Trunc | Round => x,
        IsNan | IsInf => b.ins().iconst(types::I8, 0),
        IsFinite => b.ins().iconst(types::I8, 1),
        SignBit if signed => b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0),
        SignBit => b.ins().iconst(types::I8, 0),
        _ => return Err(undefined(op.name(), dt)),
    })
}

/// A binary op on two integer or `bool` operands of dtype `dt` (integer `**` is a call,
/// handled by the caller).
pub(crate) fn binary(
    b: &mut FunctionBuilder,
    op: BinaryOp,
    dt: DType,
    x: Value,
    y: Value,
) -> Result<Value> {
    use BinaryOp::*;
    let signed = dt.is_signed_int();
    let is_bool = dt == DType::Bool;
    let cc = |s: IntCC, u: IntCC| if signed { s } else { u };
    Ok(match op {
        // NumPy's bool arithmetic is logical: `+` is or, `*` is and, `-` is xor.
        Add if is_bool => b.ins().bor(x, y),
        Sub if is_bool => b.ins().bxor(x, y),
        Mul if is_bool => b.ins().band(x, y),
        Add => b.ins().iadd(x, y),
        Sub => b.ins().isub(x, y),
        Mul => b.ins().imul(x, y),
        FloorDiv | Mod | Fmod if !is_bool => match const_divisor(b, dt, y) {
            Some(c) => super::divconst::const_div(b, op, dt, x, c),
            None if signed => signed_div(b, op, x, y),
            None => unsigned_div(b, op, x, y),
        },
        FloorDiv | Mod | Fmod => unsigned_div(b, op, x, y),
        Shl => {
            let big = b
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, y, dt.bits() as i64);
            let shifted = b.ins().ishl(x, y);
            let zero = b.ins().iconst(clif_type(dt), 0);
            let r = b.ins().select(big, zero, shifted);
            if is_bool {
                b.ins().icmp_imm_s(IntCC::NotEqual, r, 0)
            } else {
                r
            }
        }
        Shr => {
            // Cranelift masks the amount; NumPy-style out-of-range shifts fill with the sign.
            let big = b
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, y, dt.bits() as i64);
            let (shifted, fill) = if signed {
                let s = b.ins().sshr(x, y);
                (s, b.ins().sshr_imm_s(x, dt.bits() as i64 - 1))
            } else {
                let s = b.ins().ushr(x, y);
                (s, b.ins().iconst(clif_type(dt), 0))
            };
            b.ins().select(big, fill, shifted)
        }
        And => b.ins().band(x, y),
        Or => b.ins().bor(x, y),
        Xor => b.ins().bxor(x, y),
        Lt => b
            .ins()
            .icmp(cc(IntCC::SignedLessThan, IntCC::UnsignedLessThan), x, y),
        Le => b.ins().icmp(
            cc(IntCC::SignedLessThanOrEqual, IntCC::UnsignedLessThanOrEqual),
            x,
            y,
        ),
        Eq => b.ins().icmp(IntCC::Equal, x, y),
        Ne => b.ins().icmp(IntCC::NotEqual, x, y),
        Ge => b.ins().icmp(
            cc(
                IntCC::SignedGreaterThanOrEqual,
                IntCC::UnsignedGreaterThanOrEqual,
            ),
            x,
            y,
        ),
        Gt => b.ins().icmp(
            cc(IntCC::SignedGreaterThan, IntCC::UnsignedGreaterThan),
            x,
            y,
        ),
        Max | Min => {
            let c = if op == Max {
                cc(IntCC::SignedGreaterThan, IntCC::UnsignedGreaterThan)
            } else {
                cc(IntCC::SignedLessThan, IntCC::UnsignedLessThan)
            };
            let pick_x = b.ins().icmp(c, x, y);
            b.ins().select(pick_x, x, y)
        }
        _ => return Err(undefined(op.name(), dt)),
    })
}

/// The divisor's value when `y` is an `iconst` (sign-extended for signed dtypes,
/// zero-extended for unsigned ones), which `divconst` divides by without a divide.
fn const_divisor(b: &FunctionBuilder, dt: DType, y: Value) -> Option<i64> {
    let dfg = &b.func.dfg;
    let inst = dfg.value_def(y).inst()?;
    let InstructionData::UnaryImm {
        opcode: Opcode::Iconst,
        imm,
    } = dfg.insts[inst]
    else {
        return None;
    };
    let bits = dt.bits();
    let raw = imm.bits();
    let c = if dt.is_signed_int() {
        // Sign-extend the zero-extended immediate from the dtype's width.
        (raw << (64 - bits)) >> (64 - bits)
    } else if bits < 64 {
        raw & ((1i64 << bits) - 1)
    } else {
        raw
    };
    Some(c)
}

/// Signed `//`, `%` (Python: sign of the divisor) and `fmod` (C: sign of the dividend),
/// without trapping: the divisor 0 and -1 are replaced by 1 and the results fixed up
/// (`x // 0 == 0`, `x % 0 == 0`, `x // -1 == -x` wrapping, `x % -1 == 0`).
fn signed_div(b: &mut FunctionBuilder, op: BinaryOp, x: Value, y: Value) -> Value {
    let ty = b.func.dfg.value_type(x);
    let zero = b.ins().iconst(ty, 0);
    let one = b.ins().iconst(ty, 1);
    let is_zero = b.ins().icmp_imm_s(IntCC::Equal, y, 0);
    let is_m1 = b.ins().icmp_imm_s(IntCC::Equal, y, -1);
    let unsafe_div = b.ins().bor(is_zero, is_m1);
    let d = b.ins().select(unsafe_div, one, y);
    let r = b.ins().srem(x, d);
    match op {
        BinaryOp::Fmod => b.ins().select(is_zero, zero, r),
        BinaryOp::Mod => {
            // Python remainder: if r != 0 and sign(r) != sign(y), r += y.
            let r_nz = b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
            let xor = b.ins().bxor(r, y);
            let diff = b.ins().icmp_imm_s(IntCC::SignedLessThan, xor, 0);
            let adjust = b.ins().band(r_nz, diff);
            let fixed = b.ins().iadd(r, y);
            let m = b.ins().select(adjust, fixed, r);
            // y == -1 gave r == 0 through d == 1 already; y == 0 must give 0.
            b.ins().select(is_zero, zero, m)
        }
        _ => {
            let q = b.ins().sdiv(x, d);
            let r_nz = b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
            let xor = b.ins().bxor(r, y);
            let diff = b.ins().icmp_imm_s(IntCC::SignedLessThan, xor, 0);
            let adjust = b.ins().band(r_nz, diff);
            let q1 = b.ins().iadd_imm_s(q, -1);
            let q = b.ins().select(adjust, q1, q);
            let neg = b.ins().ineg(x);
            let q = b.ins().select(is_m1, neg, q);
            b.ins().select(is_zero, zero, q)
        }
    }
}

/// Unsigned `//`, `%` and `fmod` (all the same for unsigned), with `x // 0 == x % 0 == 0`.
fn unsigned_div(b: &mut FunctionBuilder, op: BinaryOp, x: Value, y: Value) -> Value {
    let ty = b.func.dfg.value_type(x);
    let zero = b.ins().iconst(ty, 0);
    let one = b.ins().iconst(ty, 1);
    let is_zero = b.ins().icmp_imm_s(IntCC::Equal, y, 0);
    let d = b.ins().select(is_zero, one, y);
    let r = if op == BinaryOp::FloorDiv {
        b.ins().udiv(x, d)
    } else {
        b.ins().urem(x, d)
    };
    b.ins().select(is_zero, zero, r)
}
