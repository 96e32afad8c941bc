//! Constant folding: every instruction whose operands are all constants becomes a
//! constant, computed by the reference interpreter so folding never changes a result.
//! `where` with a constant condition becomes its chosen branch.
//!
//! Instructions keep their relative order (so the program stays topologically sorted);
//! a folded `where` disappears and its uses are redirected. Constants left without uses
//! are removed by dead-code elimination, not here.

use super::{Inst, Op, Program, ValueId};
// The one dependency of `ir` on `interp` (docs/architecture.md): folding must give the
// interpreter's bits, so it runs the interpreter rather than a second copy of its semantics.
use crate::interp;
use crate::types::Scalar;

// Literal-only string comparisons and `contains` fold during lowering (strings are never
// SSA values, so [`run`] never sees them); they come through here to keep `interp` behind
// this one file.
pub(crate) use crate::interp::{str_compare, str_contains};

/// Folds constants in `p`.
pub fn run(p: &Program) -> Program {
    let mut insts: Vec<Inst> = Vec::with_capacity(p.insts.len());
    // `remap[old]` is the new id of old instruction `old`.
    let mut remap: Vec<ValueId> = Vec::with_capacity(p.insts.len());
    for inst in &p.insts {
        let new_id = |old: ValueId| -> ValueId { remap.get(old as usize).copied().unwrap_or(old) };
        let konst = |new: ValueId| -> Option<Scalar> {
            match insts.get(new as usize)?.op {
                Op::Const(c) => Some(c),
                _ => None,
            }
        };
        let t = inst.dtype;
        let op = match inst.op {
            Op::Input(k) => Op::Input(k),
            Op::Const(c) => Op::Const(c.cast(t)),
            Op::Cast(a) => {
                let a = new_id(a);
                match konst(a) {
                    Some(c) => Op::Const(c.cast(t)),
                    None => Op::Cast(a),
                }
            }
            Op::Unary(op, a) => {
                let a = new_id(a);
                match konst(a) {
                    Some(c) => Op::Const(interp::unary(op, c, t)),
                    None => Op::Unary(op, a),
                }
            }
            Op::Binary(op, a, b) => {
                let (a, b) = (new_id(a), new_id(b));
                match (konst(a), konst(b)) {
                    (Some(x), Some(y)) => Op::Const(interp::binary(op, x, y, t)),
                    _ => Op::Binary(op, a, b),
                }
            }
            Op::Select(c, a, b) => {
                let (c, a, b) = (new_id(c), new_id(a), new_id(b));
                match konst(c) {
                    Some(cond) => {
                        let chosen =
                            if matches!(cond.cast(crate::types::DType::Bool), Scalar::Bool(true)) {
                                a
                            } else {
                                b
                            };
                        // The branch has the select's dtype in a well-formed program; reuse it.
                        if insts.get(chosen as usize).is_some_and(|i| i.dtype == t) {
                            remap.push(chosen);
                            continue;
                        }
                        match konst(chosen) {
                            Some(v) => Op::Const(v.cast(t)),
                            None => Op::Cast(chosen),
                        }
                    }
                    None => Op::Select(c, a, b),
                }
            }
            // Lowering folds literal-only string ops; the rest depend on inputs. A string
            // copy is never folded: a literal result is already as simple as it gets.
            Op::StrCompare { .. } | Op::StrContains { .. } | Op::StrCopy(_) => inst.op.clone(),
        };
        remap.push(insts.len() as ValueId);
        insts.push(Inst { op, dtype: t });
    }
    let outputs = p
        .outputs
        .iter()
        .map(|&o| remap.get(o as usize).copied().unwrap_or(o))
        .collect();
    Program {
        inputs: p.inputs.clone(),
        insts,
        outputs,
    }
}

#[cfg(test)]
mod tests;
