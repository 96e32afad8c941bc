//! The interpreter's complex rules that the conformance table does not reach: mixed
//! operand dtypes, truthiness in `where`, and folding.

use crate::interp::{binary, select, unary};
use crate::ir::{BinaryOp, UnaryOp};
use crate::types::{Complex32, Complex64, DType, Scalar};

fn c128(re: f64, im: f64) -> Scalar {
    Scalar::C128(Complex64::new(re, im))
}

#[test]
fn complex_of_two_floats_keeps_their_precision() {
    let z = binary(
        BinaryOp::Complex,
        Scalar::F32(1.5),
        Scalar::F32(-0.0),
        DType::C64,
    );
    assert_eq!(z, Scalar::C64(Complex32::new(1.5, -0.0)));
    let z = binary(
        BinaryOp::Complex,
        Scalar::F64(f64::INFINITY),
        Scalar::F64(2.0),
        DType::C128,
    );
    assert_eq!(z, c128(f64::INFINITY, 2.0));
    // Malformed operands (ints) still give a value: read as float64.
    let z = binary(
        BinaryOp::Complex,
        Scalar::I32(3),
        Scalar::I32(-4),
        DType::C128,
    );
    assert_eq!(z, c128(3.0, -4.0));
}

#[test]
fn a_real_operand_is_cast_to_the_complex_one() {
    let z = binary(BinaryOp::Mul, c128(0.0, 1.0), Scalar::F64(2.0), DType::C128);
    assert_eq!(z, c128(0.0, 2.0));
    assert_eq!(
        binary(BinaryOp::Eq, c128(2.0, 0.0), Scalar::I64(2), DType::Bool),
        Scalar::Bool(true)
    );
    assert_eq!(
        binary(BinaryOp::Ne, c128(2.0, -0.0), c128(2.0, 0.0), DType::Bool),
        Scalar::Bool(false)
    );
}

#[test]
fn where_treats_a_complex_condition_as_nonzero() {
    let (a, b) = (c128(1.0, 0.0), c128(2.0, 0.0));
    assert_eq!(select(c128(0.0, -0.0), a, b, DType::C128), b);
    assert_eq!(select(c128(0.0, 1e-300), a, b, DType::C128), a);
    assert_eq!(select(c128(f64::NAN, 0.0), a, b, DType::C128), a);
}

#[test]
fn parts_and_predicates_look_at_both_parts() {
    let z = c128(f64::INFINITY, f64::NAN);
    assert_eq!(unary(UnaryOp::IsNan, z, DType::Bool), Scalar::Bool(true));
    assert_eq!(unary(UnaryOp::IsInf, z, DType::Bool), Scalar::Bool(true));
    assert_eq!(
        unary(UnaryOp::IsFinite, z, DType::Bool),
        Scalar::Bool(false)
    );
    assert_eq!(
        unary(UnaryOp::Imag, c128(1.0, -2.0), DType::F64),
        Scalar::F64(-2.0)
    );
    assert_eq!(
        unary(UnaryOp::Conj, c128(1.0, 0.0), DType::C128),
        c128(1.0, -0.0)
    );
    let Scalar::F32(a) = unary(
        UnaryOp::Abs,
        Scalar::C64(Complex32::new(f32::NAN, f32::NEG_INFINITY)),
        DType::F32,
    ) else {
        panic!("abs of complex64 is float32")
    };
    assert_eq!(a, f32::INFINITY);
}

#[test]
fn folding_computes_complex_constants() {
    use crate::ir::{fold, lower::lower};
    let p = fold::run(&lower(&crate::syntax::parse("(1 + 2j) ** 2 / 1j").unwrap(), &[]).unwrap());
    // (1+2j)**2 = -3+4j (npy_cpow's plain multiply); / 1j = 4+3j.
    assert_eq!(
        p.insts[p.result() as usize].op,
        crate::ir::Op::Const(c128(4.0, 3.0))
    );
}
