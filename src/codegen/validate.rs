//! Checks the IR's typing invariants before code generation, so that a malformed program
//! is an [`crate::ErrorKind::Internal`] error instead of a Cranelift panic.

use super::calls::internal;
use super::{Access, Layout};
use crate::error::Result;
use crate::ir::{Op, Program, UnaryOp};
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
        let ok = match inst.op {
            Op::Input(k) => program.inputs.get(k).is_some_and(|d| d.dtype == inst.dtype),
            Op::Const(c) => c.dtype() == inst.dtype,
            Op::Cast(_) => true,
            Op::Unary(u, a) => {
                if u.is_predicate() {
                    inst.dtype == DType::Bool
                } else {
                    dt(a) == inst.dtype && (u != UnaryOp::Neg || inst.dtype != DType::Bool)
                }
            }
            Op::Binary(op, a, b) => {
                dt(a) == dt(b)
                    && if op.is_comparison() {
                        inst.dtype == DType::Bool
                    } else {
                        dt(a) == inst.dtype
                    }
            }
            Op::Select(c, a, b) => {
                dt(c) == DType::Bool && dt(a) == inst.dtype && dt(b) == inst.dtype
            }
            Op::StrCompare { .. } | Op::StrContains { .. } => false,
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
