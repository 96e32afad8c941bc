//! Shared helpers for the integration tests: the conformance table's parser, op lists and
//! bit-level float comparison (the last from `jitex::testkit`).

#![allow(dead_code)] // Each test binary uses a different subset.

pub mod irgen;
pub mod rng;
pub mod snapshots;

use jitex::ir::{BinaryOp, UnaryOp};
use jitex::types::{Complex32, Complex64};
use jitex::{DType, Scalar};

/// Every one-operand IR op.
pub const UNARY_OPS: [UnaryOp; 31] = {
    use UnaryOp::*;
    [
        Neg, Not, Abs, Sign, Ceil, Floor, Trunc, Round, Sqrt, Sin, Cos, Tan, Arcsin, Arccos,
        Arctan, Sinh, Cosh, Tanh, Arcsinh, Arccosh, Arctanh, Exp, Expm1, Log, Log1p, Log2, Log10,
        IsNan, IsFinite, IsInf, SignBit,
    ]
};

/// Every two-operand IR op.
pub const BINARY_OPS: [BinaryOp; 25] = {
    use BinaryOp::*;
    [
        Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Shl, Shr, And, Or, Xor, Lt, Le, Eq, Ne, Ge, Gt,
        Max, Min, Fmod, Arctan2, Hypot, Nextafter, Copysign,
    ]
};

/// The ops defined on complex numbers only (or, for `Complex`, making them), which
/// [`UNARY_OPS`] and [`BINARY_OPS`] leave out.
pub const COMPLEX_UNARY_OPS: [UnaryOp; 3] = [UnaryOp::Real, UnaryOp::Imag, UnaryOp::Conj];

/// See [`COMPLEX_UNARY_OPS`].
pub const COMPLEX_BINARY_OPS: [BinaryOp; 1] = [BinaryOp::Complex];

/// The op of one conformance case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CaseOp {
    /// A one-operand op.
    Unary(UnaryOp),
    /// A two-operand op.
    Binary(BinaryOp),
}

/// One line of `tests/data/conformance/cases.txt`.
#[derive(Clone, Debug)]
pub struct Case {
    /// 1-based line number, for messages.
    pub line: usize,
    /// The op.
    pub op: CaseOp,
    /// The operands (one or two), of the operand dtype.
    pub args: Vec<Scalar>,
    /// NumPy's result (or jitex's documented choice where NumPy raises).
    pub expected: Scalar,
    /// The line as written.
    pub text: String,
}

/// The table, embedded so the tests need no working directory.
pub const CASES: &str = include_str!("../data/conformance/cases.txt");

/// Parses one value of `dtype` as the generator writes it.
pub fn parse_value(dtype: DType, s: &str) -> Option<Scalar> {
    Some(match dtype {
        DType::Bool => Scalar::Bool(match s {
            "True" => true,
            "False" => false,
            _ => return None,
        }),
        DType::I8 => Scalar::I8(s.parse().ok()?),
        DType::I16 => Scalar::I16(s.parse().ok()?),
        DType::I32 => Scalar::I32(s.parse().ok()?),
        DType::I64 => Scalar::I64(s.parse().ok()?),
        DType::U8 => Scalar::U8(s.parse().ok()?),
        DType::U16 => Scalar::U16(s.parse().ok()?),
        DType::U32 => Scalar::U32(s.parse().ok()?),
        DType::U64 => Scalar::U64(s.parse().ok()?),
        DType::F32 => Scalar::F32(s.parse().ok()?),
        DType::F64 => Scalar::F64(s.parse().ok()?),
        // `re,im`, each part as a float of the part dtype.
        DType::C64 | DType::C128 => {
            let (re, im) = s.split_once(',')?;
            let part = dtype.real_part();
            match (parse_value(part, re)?, parse_value(part, im)?) {
                (Scalar::F32(r), Scalar::F32(i)) => Scalar::C64(Complex32::new(r, i)),
                (Scalar::F64(r), Scalar::F64(i)) => Scalar::C128(Complex64::new(r, i)),
                _ => return None,
            }
        }
        _ => return None,
    })
}

fn parse_op(name: &str) -> Option<CaseOp> {
    if let Some(op) = UNARY_OPS
        .iter()
        .chain(&COMPLEX_UNARY_OPS)
        .find(|o| o.name() == name)
    {
        return Some(CaseOp::Unary(*op));
    }
    BINARY_OPS
        .iter()
        .chain(&COMPLEX_BINARY_OPS)
        .find(|o| o.name() == name)
        .map(|o| CaseOp::Binary(*o))
}

/// Parses one non-comment line; `None` if it is malformed.
fn parse_line(line: usize, raw: &str, text: &str) -> Option<Case> {
    let (lhs, rhs) = text.split_once("->")?;
    let lhs: Vec<&str> = lhs.split_whitespace().collect();
    let rhs: Vec<&str> = rhs.split_whitespace().collect();
    if lhs.len() < 3 || rhs.len() != 2 {
        return None;
    }
    let op = parse_op(lhs[0])?;
    let dtype = DType::from_name(lhs[1])?;
    let args = lhs[2..]
        .iter()
        .map(|s| parse_value(dtype, s))
        .collect::<Option<Vec<Scalar>>>()?;
    let arity = match op {
        CaseOp::Unary(_) => 1,
        CaseOp::Binary(_) => 2,
    };
    if args.len() != arity {
        return None;
    }
    let expected = parse_value(DType::from_name(rhs[0])?, rhs[1])?;
    Some(Case {
        line,
        op,
        args,
        expected,
        text: raw.to_string(),
    })
}

/// `true` for a case with complex operands or a complex result.
pub fn involves_complex(case: &Case) -> bool {
    case.args[0].dtype().is_complex() || case.expected.dtype().is_complex()
}

/// Parses the whole table; panics with the line number on a malformed line.
pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (i, raw) in CASES.lines().enumerate() {
        let text = raw.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        match parse_line(i + 1, raw, text) {
            Some(case) => out.push(case),
            None => panic!("cases.txt:{}: malformed line `{raw}`", i + 1),
        }
    }
    out
}

#[allow(unused_imports)] // Each test binary uses a different subset.
pub use jitex::testkit::{is_nan, parts, same_bits, ulps};

/// The largest ULP difference accepted between libm (jitex) and NumPy for `op` on `dtype`,
/// and `0` for every op that is exact (or correctly rounded) in both. Measured on this
/// table with NumPy 2.4 on x86-64 glibc (`JITEX_SHOW_ULPS=1` prints the worst case per
/// op): at most 1 ULP for `float64` and 2 ULP for `float32` (`arctan2`, `expm1`, `log10`),
/// where NumPy uses its own SIMD code instead of libm. Transcendentals in this sense are
/// the libm-backed ops.
pub fn ulp_bound(op: CaseOp, dtype: DType) -> u64 {
    use UnaryOp::*;
    let transcendental = matches!(
        op,
        CaseOp::Unary(
            Sin | Cos
                | Tan
                | Arcsin
                | Arccos
                | Arctan
                | Sinh
                | Cosh
                | Tanh
                | Arcsinh
                | Arccosh
                | Arctanh
                | Exp
                | Expm1
                | Log
                | Log1p
                | Log2
                | Log10,
        ) | CaseOp::Binary(BinaryOp::Pow | BinaryOp::Arctan2 | BinaryOp::Hypot)
    );
    match dtype {
        DType::F64 if transcendental => 1,
        DType::F32 if transcendental => 2,
        _ => 0,
    }
}
