//! Spot checks of the edge cases the conformance table also covers, so that `cargo test
//! --lib` alone catches regressions. Expected values were checked with NumPy 2.4.

use super::*;
use crate::ir::{InputDecl, Inst};
use BinaryOp as B;
use Scalar::*;
use UnaryOp as U;

fn bin(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    let dtype = if op.is_comparison() {
        DType::Bool
    } else {
        a.dtype()
    };
    binary(op, a, b, dtype)
}

fn same(a: Scalar, b: Scalar) -> bool {
    a.dtype() == b.dtype() && a.to_bits() == b.to_bits()
}

#[test]
fn integer_division_edge_cases() {
    assert_eq!(bin(B::FloorDiv, I8(-128), I8(-1)), I8(-128));
    assert_eq!(bin(B::Mod, I8(-128), I8(-1)), I8(0));
    assert_eq!(bin(B::FloorDiv, I32(5), I32(0)), I32(0));
    assert_eq!(bin(B::Mod, I32(5), I32(0)), I32(0));
    assert_eq!(bin(B::FloorDiv, I32(-7), I32(2)), I32(-4));
    assert_eq!(bin(B::Mod, I32(-7), I32(2)), I32(1));
    assert_eq!(bin(B::Mod, I32(7), I32(-2)), I32(-1));
    assert_eq!(bin(B::Fmod, I32(-7), I32(2)), I32(-1));
    assert_eq!(bin(B::Fmod, I64(i64::MIN), I64(-1)), I64(0));
    assert_eq!(bin(B::FloorDiv, U8(255), U8(2)), U8(127));
}

#[test]
fn float_divmod_follows_npy_divmod() {
    assert!(same(
        bin(B::FloorDiv, F64(-1.0), F64(f64::INFINITY)),
        F64(-1.0)
    ));
    assert!(same(
        bin(B::Mod, F64(-1.0), F64(f64::INFINITY)),
        F64(f64::INFINITY)
    ));
    assert!(same(bin(B::FloorDiv, F64(0.0), F64(-3.0)), F64(-0.0)));
    assert!(same(bin(B::Mod, F64(-0.0), F64(3.0)), F64(0.0)));
    assert!(same(bin(B::Mod, F64(0.0), F64(-3.0)), F64(-0.0)));
    assert!(same(
        bin(B::FloorDiv, F64(5.0), F64(0.0)),
        F64(f64::INFINITY)
    ));
    assert!(matches!(bin(B::Mod, F64(5.0), F64(0.0)), F64(v) if v.is_nan()));
    assert!(matches!(bin(B::FloorDiv, F32(f32::INFINITY), F32(3.0)), F32(v) if v.is_nan()));
    assert!(same(bin(B::FloorDiv, F32(7.0), F32(-2.0)), F32(-4.0)));
}

#[test]
fn shifts_past_the_width() {
    assert_eq!(bin(B::Shl, I8(1), I8(8)), I8(0));
    assert_eq!(bin(B::Shl, I8(1), I8(7)), I8(-128));
    assert_eq!(bin(B::Shl, I8(1), I8(-1)), I8(0));
    assert_eq!(bin(B::Shr, I8(-4), I8(-1)), I8(-1));
    assert_eq!(bin(B::Shr, I8(-4), I8(9)), I8(-1));
    assert_eq!(bin(B::Shr, I8(4), I8(9)), I8(0));
    assert_eq!(bin(B::Shr, U64(u64::MAX), U64(64)), U64(0));
    assert_eq!(bin(B::Shr, I16(-4), I16(1)), I16(-2));
}

#[test]
fn integer_power() {
    assert_eq!(bin(B::Pow, I8(3), I8(5)), I8(243u8 as i8));
    assert_eq!(bin(B::Pow, I64(2), I64(63)), I64(i64::MIN));
    assert_eq!(bin(B::Pow, I32(2), I32(-1)), I32(0));
    assert_eq!(bin(B::Pow, I32(1), I32(-5)), I32(1));
    assert_eq!(bin(B::Pow, I32(-1), I32(-5)), I32(-1));
    assert_eq!(bin(B::Pow, I32(-1), I32(-4)), I32(1));
    assert_eq!(bin(B::Pow, U8(0), U8(0)), U8(1));
}

#[test]
fn wrapping_unary_ops_and_sign() {
    assert_eq!(unary(U::Neg, I8(-128), DType::I8), I8(-128));
    assert_eq!(unary(U::Abs, I8(-128), DType::I8), I8(-128));
    assert_eq!(unary(U::Neg, U8(1), DType::U8), U8(255));
    assert_eq!(unary(U::Not, I8(0), DType::I8), I8(-1));
    assert_eq!(unary(U::Not, Bool(true), DType::Bool), Bool(false));
    assert_eq!(unary(U::Sign, I16(-9), DType::I16), I16(-1));
    assert_eq!(unary(U::Sign, U16(9), DType::U16), U16(1));
    assert!(same(unary(U::Sign, F64(-0.0), DType::F64), F64(0.0)));
    assert!(matches!(unary(U::Sign, F32(f32::NAN), DType::F32), F32(v) if v.is_nan()));
    assert!(same(unary(U::Round, F64(2.5), DType::F64), F64(2.0)));
    assert!(same(unary(U::Round, F64(-0.5), DType::F64), F64(-0.0)));
    assert_eq!(unary(U::SignBit, F64(-0.0), DType::Bool), Bool(true));
    assert_eq!(unary(U::SignBit, I8(-1), DType::Bool), Bool(true));
    assert_eq!(unary(U::IsFinite, I8(-1), DType::Bool), Bool(true));
}

#[test]
fn maximum_minimum_nan_and_signed_zero() {
    assert!(matches!(bin(B::Max, F64(f64::NAN), F64(1.0)), F64(v) if v.is_nan()));
    assert!(matches!(bin(B::Min, F64(1.0), F64(f64::NAN)), F64(v) if v.is_nan()));
    // NumPy returns the second operand on ties.
    assert!(same(bin(B::Max, F64(0.0), F64(-0.0)), F64(-0.0)));
    assert!(same(bin(B::Min, F64(-0.0), F64(0.0)), F64(0.0)));
    assert_eq!(bin(B::Max, Bool(true), Bool(false)), Bool(true));
}

#[test]
fn comparisons_with_nan() {
    let n = F64(f64::NAN);
    for op in [B::Lt, B::Le, B::Eq, B::Ge, B::Gt] {
        assert_eq!(bin(op, n, n), Bool(false), "{op:?}");
    }
    assert_eq!(bin(B::Ne, n, n), Bool(true));
}

#[test]
fn nextafter_steps_one_ulp() {
    assert!(same(
        bin(B::Nextafter, F64(0.0), F64(-1.0)),
        F64(-f64::from_bits(1))
    ));
    assert!(same(
        bin(B::Nextafter, F64(1.0), F64(2.0)),
        F64(1.0 + f64::EPSILON)
    ));
    assert!(same(
        bin(B::Nextafter, F32(f32::MAX), F32(f32::INFINITY)),
        F32(f32::INFINITY)
    ));
    assert!(same(
        bin(B::Nextafter, F32(-f32::from_bits(1)), F32(0.0)),
        F32(-0.0)
    ));
    assert!(same(bin(B::Nextafter, F64(1.0), F64(1.0)), F64(1.0)));
}

#[test]
fn bool_arithmetic_is_logical() {
    assert_eq!(bin(B::Add, Bool(true), Bool(true)), Bool(true));
    assert_eq!(bin(B::Mul, Bool(true), Bool(false)), Bool(false));
    assert_eq!(bin(B::Xor, Bool(true), Bool(true)), Bool(false));
    assert_eq!(bin(B::Lt, Bool(false), Bool(true)), Bool(true));
}

#[test]
fn out_of_domain_ops_do_not_panic() {
    // Not produced by lowering, but the interpreter must stay total.
    assert_eq!(unary(U::Sqrt, I32(16), DType::I32), I32(4));
    assert_eq!(binary(B::Shl, F64(1.0), F64(3.0), DType::F64), F64(8.0));
    assert_eq!(binary(B::Add, I8(1), F64(2.0), DType::I8), I8(3));
    assert_eq!(unary(U::Sin, Bool(false), DType::Bool), Bool(false));
}

fn program(insts: Vec<Inst>, result: u32) -> Program {
    Program {
        inputs: vec![
            InputDecl {
                name: "a".into(),
                dtype: DType::F64,
            },
            InputDecl {
                name: "b".into(),
                dtype: DType::I32,
            },
        ],
        insts,
        outputs: vec![result],
    }
}

#[test]
fn eval_element_runs_a_program() {
    // where(a > 0, a * float64(b), -1.0)
    let p = program(
        vec![
            Inst {
                op: Op::Input(0),
                dtype: DType::F64,
            },
            Inst {
                op: Op::Input(1),
                dtype: DType::I32,
            },
            Inst {
                op: Op::Const(F64(0.0)),
                dtype: DType::F64,
            },
            Inst {
                op: Op::Binary(B::Gt, 0, 2),
                dtype: DType::Bool,
            },
            Inst {
                op: Op::Cast(1),
                dtype: DType::F64,
            },
            Inst {
                op: Op::Binary(B::Mul, 0, 4),
                dtype: DType::F64,
            },
            Inst {
                op: Op::Const(F64(-1.0)),
                dtype: DType::F64,
            },
            Inst {
                op: Op::Select(3, 5, 6),
                dtype: DType::F64,
            },
        ],
        7,
    );
    assert_eq!(eval_element(&p, &[F64(1.5), I32(4)]), F64(6.0));
    assert_eq!(eval_element(&p, &[F64(-1.5), I32(4)]), F64(-1.0));
}

#[test]
fn eval_element_tolerates_malformed_programs() {
    let p = program(
        vec![
            Inst {
                op: Op::Input(5),
                dtype: DType::F64,
            },
            Inst {
                op: Op::Binary(B::Add, 0, 9),
                dtype: DType::F64,
            },
        ],
        7,
    );
    assert_eq!(eval_element(&p, &[]), F64(0.0));
    let p = program(vec![], 0);
    assert_eq!(eval_element(&p, &[]), F64(0.0));
}
