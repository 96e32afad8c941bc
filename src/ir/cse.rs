//! Common-subexpression elimination: hash-conses identical instructions.
//!
//! Every op is pure, so two instructions with the same op, operands and dtype compute the
//! same value. Constants are keyed by their bit pattern (so `0.0` and `-0.0` stay apart and
//! NaN constants merge).

use super::{Inst, Op, Program, ValueId};
use std::collections::HashMap;

/// A hashable form of an instruction, after operand renaming.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    Input(usize),
    Const(u128),
    Cast(ValueId),
    Unary(super::UnaryOp, ValueId),
    Binary(super::BinaryOp, ValueId, ValueId),
    Select(ValueId, ValueId, ValueId),
    StrCompare(super::BinaryOp, bool, super::StrOperand, super::StrOperand),
    StrContains(bool, super::StrOperand, super::StrOperand),
    StrCopy(super::StrOperand),
}

/// Merges identical instructions; the result keeps topological order.
pub fn run(p: &Program) -> Program {
    let mut seen: HashMap<(Key, crate::types::DType), ValueId> = HashMap::new();
    let mut map: Vec<ValueId> = Vec::with_capacity(p.insts.len());
    let mut insts: Vec<Inst> = Vec::new();
    for inst in &p.insts {
        let m = |v: ValueId| map[v as usize];
        let op = match inst.op {
            Op::Input(k) => Op::Input(k),
            Op::Const(c) => Op::Const(c),
            Op::Cast(a) => Op::Cast(m(a)),
            Op::Unary(o, a) => Op::Unary(o, m(a)),
            Op::Binary(o, a, b) => Op::Binary(o, m(a), m(b)),
            Op::Select(c, a, b) => Op::Select(m(c), m(a), m(b)),
            Op::StrCompare { .. } | Op::StrContains { .. } | Op::StrCopy(_) => inst.op.clone(),
        };
        let key = match &op {
            &Op::Input(k) => Key::Input(k),
            &Op::Const(c) => Key::Const(c.to_bits()),
            &Op::Cast(a) => Key::Cast(a),
            &Op::Unary(o, a) => Key::Unary(o, a),
            &Op::Binary(o, a, b) => Key::Binary(o, a, b),
            &Op::Select(c, a, b) => Key::Select(c, a, b),
            Op::StrCompare {
                op,
                unicode,
                lhs,
                rhs,
            } => Key::StrCompare(*op, *unicode, lhs.clone(), rhs.clone()),
            Op::StrContains {
                unicode,
                haystack,
                needle,
            } => Key::StrContains(*unicode, haystack.clone(), needle.clone()),
            Op::StrCopy(o) => Key::StrCopy(o.clone()),
        };
        let id = *seen.entry((key, inst.dtype)).or_insert_with(|| {
            insts.push(Inst {
                op,
                dtype: inst.dtype,
            });
            (insts.len() - 1) as ValueId
        });
        map.push(id);
    }
    Program {
        inputs: p.inputs.clone(),
        insts,
        outputs: p.outputs.iter().map(|&o| map[o as usize]).collect(),
    }
}

/// Removes instructions the result does not depend on. `inputs` is kept whole, so that
/// input indices (and the shapes the runtime broadcasts) do not change.
pub fn dce(p: &Program) -> Program {
    let mut live = vec![false; p.insts.len()];
    for &o in &p.outputs {
        live[o as usize] = true;
    }
    for k in (0..p.insts.len()).rev() {
        if live[k] {
            for o in p.insts[k].op.operands() {
                live[o as usize] = true;
            }
        }
    }
    let mut map = vec![0 as ValueId; p.insts.len()];
    let mut insts = Vec::new();
    for (k, inst) in p.insts.iter().enumerate() {
        if !live[k] {
            continue;
        }
        let m = |v: ValueId| map[v as usize];
        let op = match inst.op {
            Op::Cast(a) => Op::Cast(m(a)),
            Op::Unary(o, a) => Op::Unary(o, m(a)),
            Op::Binary(o, a, b) => Op::Binary(o, m(a), m(b)),
            Op::Select(c, a, b) => Op::Select(m(c), m(a), m(b)),
            ref o => o.clone(),
        };
        map[k] = insts.len() as ValueId;
        insts.push(Inst {
            op,
            dtype: inst.dtype,
        });
    }
    Program {
        inputs: p.inputs.clone(),
        insts,
        outputs: p.outputs.iter().map(|&o| map[o as usize]).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{BinaryOp, InputDecl};
    use crate::types::{DType, Scalar};

    fn prog(insts: Vec<(Op, DType)>) -> Program {
        let result = (insts.len() - 1) as ValueId;
        Program {
            inputs: vec![InputDecl {
                name: "a".into(),
                dtype: DType::F64,
            }],
            insts: insts
                .into_iter()
                .map(|(op, dtype)| Inst { op, dtype })
                .collect(),
            outputs: vec![result],
        }
    }

    #[test]
    fn merges_repeated_subexpressions() {
        use DType::F64;
        // (a*a) + (a*a) with two loads of `a`.
        let p = prog(vec![
            (Op::Input(0), F64),
            (Op::Input(0), F64),
            (Op::Binary(BinaryOp::Mul, 0, 0), F64),
            (Op::Binary(BinaryOp::Mul, 1, 1), F64),
            (Op::Binary(BinaryOp::Add, 2, 3), F64),
        ]);
        let q = run(&p);
        assert_eq!(q.insts.len(), 3);
        assert_eq!(q.insts[2].op, Op::Binary(BinaryOp::Add, 1, 1));
    }

    #[test]
    fn keeps_distinct_zero_signs_and_dtypes() {
        let p = prog(vec![
            (Op::Const(Scalar::F64(0.0)), DType::F64),
            (Op::Const(Scalar::F64(-0.0)), DType::F64),
            (Op::Binary(BinaryOp::Add, 0, 1), DType::F64),
        ]);
        assert_eq!(run(&p).insts.len(), 3);
    }

    #[test]
    fn dce_drops_unused_and_keeps_inputs() {
        use DType::F64;
        let p = prog(vec![
            (Op::Input(0), F64),
            (Op::Const(Scalar::F64(1.0)), F64),
            (Op::Const(Scalar::F64(2.0)), F64),
        ]);
        let q = dce(&p);
        assert_eq!(
            q.insts,
            vec![Inst {
                op: Op::Const(Scalar::F64(2.0)),
                dtype: F64
            }]
        );
        assert_eq!(q.result(), 0);
        assert_eq!(q.inputs.len(), 1);
    }
}
