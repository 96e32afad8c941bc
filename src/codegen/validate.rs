//! Checks the IR's typing invariants before code generation, so that a malformed program
//! is an [`crate::ErrorKind::Internal`] error instead of a Cranelift panic.

use super::calls::internal;
use super::complex;
use super::{Access, Layout};
use crate::error::Result;
use crate::ir::{BinaryOp, Op, Program, StrOperand, UnaryOp};
use crate::types::DType;

/// Returns an error describing the first broken invariant, if any.
pub(crate) fn check(program: &Program, layout: &Layout) -> Result<()> {
    if layout.inputs.len() != program.inputs.len() {
        return Err(internal(
            "layout and program disagree on the number of inputs",
        ));
    }
    if program.outputs.is_empty() {
        return Err(internal("the program has no output"));
    }
    if layout.outputs.len() != program.outputs.len() {
        return Err(internal(
            "layout and program disagree on the number of outputs",
        ));
    }
    if layout.outputs.contains(&Access::Broadcast) {
        return Err(internal("an output cannot be broadcast"));
    }
    if program
        .outputs
        .iter()
        .any(|&o| o as usize >= program.insts.len())
    {
        return Err(internal("an output is not an instruction"));
    }
    let bad = |i: usize, why: &str| internal(format!("instruction %{i}: {why}"));
    for (i, inst) in program.insts.iter().enumerate() {
        let ops = inst.op.operands();
        if ops.iter().any(|&a| a as usize >= i) {
            return Err(bad(i, "operand is not an earlier instruction"));
        }
        let dt = |a: u32| program.insts[a as usize].dtype;
        // Strings are never SSA values: only a copy has a string dtype, and no operand does.
        let string_ok = matches!(inst.op, Op::StrCopy(_)) || inst.dtype.is_numeric();
        if !string_ok || ops.iter().any(|&a| !dt(a).is_numeric()) {
            return Err(bad(
                i,
                "a string is only ever a copy's result, never an operand",
            ));
        }
        let ok = match inst.op {
            // String inputs are read by address in string ops, never loaded.
            Op::Input(k) => {
                program.inputs.get(k).is_some_and(|d| d.dtype == inst.dtype)
                    && inst.dtype.is_numeric()
            }
            Op::Const(c) => c.dtype() == inst.dtype,
            Op::Cast(a) => dt(a).is_numeric() && inst.dtype.is_numeric(),
            Op::Unary(u, a) if dt(a).is_complex() => complex_unary(u, dt(a), inst.dtype),
            Op::Unary(u, a) => {
                if u.is_predicate() {
                    inst.dtype == DType::Bool
                } else {
                    dt(a) == inst.dtype && (u != UnaryOp::Neg || inst.dtype != DType::Bool)
                }
            }
            Op::Binary(BinaryOp::Complex, a, b) => {
                dt(a) == dt(b) && dt(a).is_float() && inst.dtype == dt(a).to_complex()
            }
            Op::Binary(op, a, b) => {
                dt(a) == dt(b)
                    && (!dt(a).is_complex() || complex::binary_compiles(op, dt(a)))
                    && if op.is_comparison() {
                        inst.dtype == DType::Bool
                    } else {
                        dt(a) == inst.dtype
                    }
            }
            Op::Select(c, a, b) => {
                dt(c) == DType::Bool && dt(a) == inst.dtype && dt(b) == inst.dtype
            }
            Op::StrCompare {
                op,
                unicode,
                ref lhs,
                ref rhs,
            } => {
                op.is_comparison()
                    && inst.dtype == DType::Bool
                    && str_ok(program, unicode, lhs)
                    && str_ok(program, unicode, rhs)
            }
            Op::StrContains {
                unicode,
                ref haystack,
                ref needle,
            } => {
                inst.dtype == DType::Bool
                    && str_ok(program, unicode, haystack)
                    && str_ok(program, unicode, needle)
            }
            Op::StrCopy(ref o) => copy_ok(program, inst.dtype, o),
        };
        if !ok {
            return Err(bad(
                i,
                "operand or result dtype breaks the IR's typing rules",
            ));
        }
    }
    Ok(())
}

/// A string operand is an input of the op's string kind, or a literal of whole code units.
fn str_ok(program: &Program, unicode: bool, o: &StrOperand) -> bool {
    match o {
        StrOperand::Input(k) => program.inputs.get(*k).is_some_and(|d| {
            matches!(
                (d.dtype, unicode),
                (DType::Bytes(_), false) | (DType::Str(_), true)
            )
        }),
        StrOperand::Literal(bytes) => !unicode || bytes.len() % 4 == 0,
    }
}

/// A copy's source is an input of exactly its dtype, or a literal of its kind that fits.
fn copy_ok(program: &Program, dtype: DType, o: &StrOperand) -> bool {
    let unicode = match dtype {
        DType::Bytes(_) => false,
        DType::Str(_) => true,
        _ => return false,
    };
    match o {
        StrOperand::Input(k) => program.inputs.get(*k).is_some_and(|d| d.dtype == dtype),
        StrOperand::Literal(bytes) => str_ok(program, unicode, o) && bytes.len() <= dtype.size(),
    }
}

/// The typing rule of unary `op` on complex `arg` giving `result`: `real`, `imag` and `abs`
/// give the part dtype, the predicates `bool` (`signbit` is not defined on complex), the
/// rest the operand's dtype; and the op must be one the code generator compiles.
fn complex_unary(op: UnaryOp, arg: DType, result: DType) -> bool {
    let want = match op {
        UnaryOp::Real | UnaryOp::Imag | UnaryOp::Abs => arg.real_part(),
        UnaryOp::SignBit => return false,
        u if u.is_predicate() => DType::Bool,
        _ => arg,
    };
    result == want && complex::unary_compiles(op, arg)
}
