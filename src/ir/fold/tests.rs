use super::*;
use crate::interp::eval_element;
use crate::ir::{BinaryOp, InputDecl, UnaryOp};
use crate::types::DType;

fn inst(op: Op, dtype: DType) -> Inst {
    Inst { op, dtype }
}

fn prog(insts: Vec<Inst>) -> Program {
    let result = insts.len() as ValueId - 1;
    Program {
        inputs: vec![InputDecl {
            name: "a".into(),
            dtype: DType::F64,
        }],
        insts,
        outputs: vec![result],
    }
}

fn consts(p: &Program) -> usize {
    p.insts
        .iter()
        .filter(|i| matches!(i.op, Op::Const(_)))
        .count()
}

#[test]
fn folds_constant_subtrees_and_keeps_the_rest() {
    // a * float64(int8(100) + int8(100))   — the int8 sum wraps to -56
    let p = prog(vec![
        inst(Op::Input(0), DType::F64),
        inst(Op::Const(Scalar::I8(100)), DType::I8),
        inst(Op::Binary(BinaryOp::Add, 1, 1), DType::I8),
        inst(Op::Cast(2), DType::F64),
        inst(Op::Binary(BinaryOp::Mul, 0, 3), DType::F64),
    ]);
    let f = run(&p);
    assert_eq!(f.insts[3].op, Op::Const(Scalar::F64(-56.0)));
    assert_eq!(f.insts[4].op, Op::Binary(BinaryOp::Mul, 0, 3));
    for x in [0.0, -2.5, 1e300] {
        assert_eq!(
            eval_element(&f, &[Scalar::F64(x)]),
            eval_element(&p, &[Scalar::F64(x)])
        );
    }
}

#[test]
fn folds_unary_and_predicates() {
    let p = prog(vec![
        inst(Op::Const(Scalar::F32(f32::NAN)), DType::F32),
        inst(Op::Unary(UnaryOp::IsNan, 0), DType::Bool),
    ]);
    let f = run(&p);
    assert_eq!(
        f.insts[f.result() as usize].op,
        Op::Const(Scalar::Bool(true))
    );
}

#[test]
fn select_with_constant_condition_becomes_its_branch() {
    let p = prog(vec![
        inst(Op::Input(0), DType::F64),
        inst(Op::Const(Scalar::Bool(false)), DType::Bool),
        inst(Op::Const(Scalar::F64(7.0)), DType::F64),
        inst(Op::Select(1, 2, 0), DType::F64),
        inst(Op::Unary(UnaryOp::Neg, 3), DType::F64),
    ]);
    let f = run(&p);
    // The select is gone, and the negation reads the input directly.
    assert_eq!(f.insts.len(), 4);
    assert_eq!(f.insts[3].op, Op::Unary(UnaryOp::Neg, 0));
    assert_eq!(f.result(), 3);
    assert_eq!(eval_element(&f, &[Scalar::F64(2.0)]), Scalar::F64(-2.0));
}

#[test]
fn select_as_result_is_remapped() {
    let p = prog(vec![
        inst(Op::Input(0), DType::F64),
        inst(Op::Const(Scalar::F64(1.0)), DType::F64),
        inst(Op::Cast(1), DType::Bool),
        inst(Op::Select(2, 0, 1), DType::F64),
    ]);
    let f = run(&p);
    assert_eq!(f.result(), 0);
    assert_eq!(consts(&f), 2);
    assert_eq!(eval_element(&f, &[Scalar::F64(3.5)]), Scalar::F64(3.5));
}

#[test]
fn programs_without_constants_are_unchanged() {
    let p = prog(vec![
        inst(Op::Input(0), DType::F64),
        inst(Op::Unary(UnaryOp::Sin, 0), DType::F64),
        inst(Op::Binary(BinaryOp::Add, 0, 1), DType::F64),
    ]);
    assert_eq!(run(&p), p);
}
