//! Random well-typed IR programs, built by construction to satisfy the typing invariants of
//! `jitex::ir` (module doc), with plenty of constants so that folding has work to do.

use super::rng::Rng;
use super::{BINARY_OPS, UNARY_OPS};
use jitex::ir::{BinaryOp, InputDecl, Inst, Op, Program, UnaryOp, ValueId};
use jitex::types::Kind;
use jitex::DType;

/// `true` if lowering may emit `op` on operands of `dtype` (see `jitex::ir`).
pub fn unary_defined(op: UnaryOp, dtype: DType) -> bool {
    use UnaryOp::*;
    match op {
        Neg | Sign => dtype.kind() != Kind::Bool,
        Not => dtype.kind() != Kind::Float,
        Abs | IsNan | IsFinite | IsInf | SignBit => true,
        _ => dtype.is_float(),
    }
}

/// `true` if lowering may emit `op` on operands of `dtype`.
pub fn binary_defined(op: BinaryOp, dtype: DType) -> bool {
    use BinaryOp::*;
    match op {
        Add | Sub | Mul | FloorDiv | Mod | Pow | Fmod => dtype.kind() != Kind::Bool,
        Div | Arctan2 | Hypot | Nextafter | Copysign => dtype.is_float(),
        Shl | Shr => dtype.is_int(),
        And | Or | Xor => dtype.kind() != Kind::Float,
        Lt | Le | Eq | Ne | Ge | Gt | Max | Min => true,
        Complex => false,
    }
}

/// A random program of at most `size` instructions over 1–4 inputs.
pub fn program(rng: &mut Rng, size: usize) -> Program {
    let n_inputs = 1 + rng.below(4);
    let inputs: Vec<InputDecl> = (0..n_inputs)
        .map(|i| InputDecl {
            name: ["a", "b", "c", "d"][i].to_string(),
            dtype: rng.pick(&DType::ALL),
        })
        .collect();
    let mut insts: Vec<Inst> = inputs
        .iter()
        .enumerate()
        .map(|(i, d)| Inst {
            op: Op::Input(i),
            dtype: d.dtype,
        })
        .collect();
    let unary_ops = &UNARY_OPS;
    let binary_ops = &BINARY_OPS;
    while insts.len() < size.max(n_inputs + 1) {
        // Operands: an existing value, or a fresh constant (often, so folding triggers).
        let operand = |rng: &mut Rng, insts: &mut Vec<Inst>, want: Option<DType>| -> ValueId {
            let existing = rng.below(insts.len());
            match want {
                Some(t) if insts[existing].dtype != t || rng.chance(0.3) => {
                    if rng.chance(0.5) {
                        insts.push(Inst {
                            op: Op::Const(rng.scalar(t)),
                            dtype: t,
                        });
                    } else {
                        insts.push(Inst {
                            op: Op::Cast(existing as ValueId),
                            dtype: t,
                        });
                    }
                    (insts.len() - 1) as ValueId
                }
                None if rng.chance(0.3) => {
                    let t = rng.pick(&DType::ALL);
                    insts.push(Inst {
                        op: Op::Const(rng.scalar(t)),
                        dtype: t,
                    });
                    (insts.len() - 1) as ValueId
                }
                _ => existing as ValueId,
            }
        };
        match rng.below(10) {
            0 => {
                let a = operand(rng, &mut insts, None);
                let t = rng.pick(&DType::ALL);
                insts.push(Inst {
                    op: Op::Cast(a),
                    dtype: t,
                });
            }
            1..=3 => {
                let a = operand(rng, &mut insts, None);
                let t = insts[a as usize].dtype;
                let op = rng.pick(unary_ops);
                if unary_defined(op, t) {
                    let dtype = if op.is_predicate() { DType::Bool } else { t };
                    insts.push(Inst {
                        op: Op::Unary(op, a),
                        dtype,
                    });
                }
            }
            4..=8 => {
                let a = operand(rng, &mut insts, None);
                let t = insts[a as usize].dtype;
                let op = rng.pick(binary_ops);
                if binary_defined(op, t) {
                    let b = operand(rng, &mut insts, Some(t));
                    let dtype = if op.is_comparison() { DType::Bool } else { t };
                    insts.push(Inst {
                        op: Op::Binary(op, a, b),
                        dtype,
                    });
                }
            }
            _ => {
                let c = operand(rng, &mut insts, Some(DType::Bool));
                let x = operand(rng, &mut insts, None);
                let t = insts[x as usize].dtype;
                let y = operand(rng, &mut insts, Some(t));
                insts.push(Inst {
                    op: Op::Select(c, x, y),
                    dtype: t,
                });
            }
        }
    }
    let result = (insts.len() - 1) as ValueId;
    Program {
        inputs,
        insts,
        outputs: vec![result],
    }
}
