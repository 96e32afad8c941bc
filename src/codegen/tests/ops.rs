//! Every op on every dtype it is defined on, and every cast.

use super::{check, B};
use crate::ir::{BinaryOp, UnaryOp};
use crate::types::DType;

const FLOAT_UNARY: [UnaryOp; 23] = {
    use UnaryOp::*;
    [
        Ceil, Floor, Trunc, Round, Sqrt, Sin, Cos, Tan, Arcsin, Arccos, Arctan, Sinh, Cosh, Tanh,
        Arcsinh, Arccosh, Arctanh, Exp, Expm1, Log, Log1p, Log2, Log10,
    ]
};

fn unary_defined(op: UnaryOp, dt: DType) -> bool {
    use UnaryOp::*;
    match op {
        Neg => dt != DType::Bool,
        Not => !dt.is_float(),
        Abs | Sign | IsNan | IsFinite | IsInf | SignBit => true,
        _ => dt.is_float() || !FLOAT_UNARY.contains(&op),
    }
}

fn binary_defined(op: BinaryOp, dt: DType) -> bool {
    use BinaryOp::*;
    match op {
        Div | Arctan2 | Hypot | Nextafter | Copysign => dt.is_float(),
        Shl | Shr | And | Or | Xor => !dt.is_float(),
        _ => true,
    }
}

const ALL_UNARY: [UnaryOp; 31] = {
    use UnaryOp::*;
    [
        Neg, Not, Abs, Sign, Ceil, Floor, Trunc, Round, Sqrt, Sin, Cos, Tan, Arcsin, Arccos,
        Arctan, Sinh, Cosh, Tanh, Arcsinh, Arccosh, Arctanh, Exp, Expm1, Log, Log1p, Log2, Log10,
        IsNan, IsFinite, IsInf, SignBit,
    ]
};

const ALL_BINARY: [BinaryOp; 25] = {
    use BinaryOp::*;
    [
        Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Shl, Shr, And, Or, Xor, Lt, Le, Eq, Ne, Ge, Gt,
        Max, Min, Fmod, Arctan2, Hypot, Nextafter, Copysign,
    ]
};

fn unary_on(dts: &[DType]) {
    for &dt in dts {
        for op in ALL_UNARY.into_iter().filter(|&op| unary_defined(op, dt)) {
            let mut b = B::default();
            let x = b.input(dt);
            let r = b.un(op, x);
            check(&b.ret(r));
        }
    }
}

fn binary_on(dts: &[DType]) {
    for &dt in dts {
        for op in ALL_BINARY.into_iter().filter(|&op| binary_defined(op, dt)) {
            let mut b = B::default();
            let x = b.input(dt);
            let y = b.input(dt);
            let r = b.bin(op, x, y);
            check(&b.ret(r));
        }
    }
}

#[test]
fn unary_float() {
    unary_on(&[DType::F64, DType::F32]);
}

#[test]
fn unary_int_and_bool() {
    let non_float: Vec<DType> = DType::ALL.into_iter().filter(|d| !d.is_float()).collect();
    unary_on(&non_float);
}

#[test]
fn binary_float() {
    binary_on(&[DType::F64, DType::F32]);
}

#[test]
fn binary_signed() {
    binary_on(&[DType::I8, DType::I16, DType::I32, DType::I64]);
}

#[test]
fn binary_unsigned_and_bool() {
    binary_on(&[DType::Bool, DType::U8, DType::U16, DType::U32, DType::U64]);
}

#[test]
fn all_casts() {
    for from in DType::ALL {
        for to in DType::ALL {
            let mut b = B::default();
            let x = b.input(from);
            let r = b.cast(x, to);
            check(&b.ret(r));
        }
    }
}
