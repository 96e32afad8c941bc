//! Complex lowering: result dtypes (each checked with NumPy 2.4), IR typing, errors.

use super::super::lower;
use crate::error::ErrorKind;
use crate::ir::{BinaryOp, InputDecl, Op, Program, UnaryOp};
use crate::syntax::parse;
use crate::types::{promote, DType};

fn decls() -> Vec<InputDecl> {
    crate::ir::lower::tests::decls_of(&[
        ("a", DType::I8),
        ("w", DType::I32),
        ("f", DType::F32),
        ("d", DType::F64),
        ("t", DType::Bool),
        ("z", DType::C64),
        ("y", DType::C128),
    ])
}

fn lower_src(src: &str) -> crate::error::Result<Program> {
    lower(&parse(src).unwrap(), &decls())
}

fn result_dtype(src: &str) -> DType {
    let p = lower_src(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    check_complex_typing(&p);
    p.insts[p.result() as usize].dtype
}

/// The complex rules of `ir/mod.rs`: parts and `abs` give the part dtype, `complex` gives
/// the complex dtype of its (equal) float operands, everything else keeps operand dtypes.
fn check_complex_typing(p: &Program) {
    let dt = |v: u32| p.insts[v as usize].dtype;
    for inst in &p.insts {
        match inst.op {
            Op::Unary(UnaryOp::Real | UnaryOp::Imag | UnaryOp::Abs, a) => {
                assert_eq!(inst.dtype, dt(a).real_part(), "{p}")
            }
            Op::Unary(op, a) if !op.is_predicate() => assert_eq!(inst.dtype, dt(a), "{p}"),
            Op::Binary(BinaryOp::Complex, a, b) => {
                assert_eq!(dt(a), dt(b), "{p}");
                assert!(dt(a).is_float(), "{p}");
                assert_eq!(inst.dtype, dt(a).to_complex(), "{p}");
            }
            Op::Binary(op, a, b) => {
                assert_eq!(dt(a), dt(b), "{p}");
                let want = if op.is_comparison() {
                    DType::Bool
                } else {
                    dt(a)
                };
                assert_eq!(inst.dtype, want, "{p}");
            }
            _ => {}
        }
    }
}

#[test]
fn result_dtypes_match_numpy() {
    use DType::*;
    let table = [
        ("f * 1j", C64),
        ("a * 1j", C128),
        ("w + 2j", C128),
        ("t * 1j", C128),
        ("d * 1j", C128),
        ("z + d", C128),
        ("z + a", C64),
        ("z + w", C128),
        ("z * 2.5", C64),
        ("z ** 2", C64),
        ("y / z", C128),
        ("z / 2", C64),
        ("(1 + 2j) * f", C64),
        ("-2j * f", C64),
        ("where(t, f, 1j)", C64),
        ("where(t, z, 1.0)", C64),
        ("abs(z)", F32),
        ("abs(y)", F64),
        ("real(w)", I32),
        ("imag(f)", F32),
        ("conj(a)", I8),
        ("real(z)", F32),
        ("imag(y)", F64),
        ("conj(z)", C64),
        ("sign(z)", C64),
        ("sign(y)", C128),
        ("round(z)", C64),
        ("round(y * f)", C128),
        ("z.real", F32),
        ("(y + 1).imag", F64),
        ("copy(z)", C64),
        ("ones_like(y)", C128),
        ("sqrt(z)", C64),
        ("log10(y)", C128),
        ("isnan(z)", Bool),
        ("z == 1j", Bool),
        ("y != z", Bool),
        ("complex(f, f)", C64),
        ("complex(f, 1.5)", C64),
        ("complex(d, f)", C128),
        ("complex(w, a)", C128),
        ("complex(1, 2)", C128),
        ("complex64(d)", C64),
        ("complex128(z)", C128),
        ("float32(z)", F32),
        ("2j", C128),
        ("1j * 1j", C128),
    ];
    for (src, want) in table {
        assert_eq!(result_dtype(src), want, "{src}");
    }
}

#[test]
fn promotion_with_complex_matches_numpy() {
    use DType::*;
    // np.result_type(complex64, d) for every real d.
    for d in DType::ALL {
        let want = match d {
            Bool | I8 | U8 | I16 | U16 | F32 => C64,
            _ => C128,
        };
        assert_eq!(promote(C64, d), want, "{d}");
        assert_eq!(promote(d, C64), want, "{d}");
        assert_eq!(promote(C128, d), C128, "{d}");
    }
    assert_eq!(promote(C64, C128), C128);
}

#[test]
fn literals_fold_to_python_values() {
    use crate::types::Scalar;
    // Python: -2j == complex(-0.0, -2.0); 1 - 2j == complex(1.0, -2.0).
    for (src, re, im) in [
        ("-2j", -0.0f64, -2.0f64),
        ("1 - 2j", 1.0, -2.0),
        ("2j * 2j", -4.0, 0.0),
    ] {
        let p = crate::ir::fold::run(&lower_src(src).unwrap());
        let Op::Const(Scalar::C128(c)) = p.insts[p.result() as usize].op else {
            panic!("{src} did not fold: {p}")
        };
        assert_eq!(
            (c.re.to_bits(), c.im.to_bits()),
            (re.to_bits(), im.to_bits()),
            "{src} gave {c}"
        );
    }
}

#[test]
fn imag_of_a_real_is_a_zero_of_its_dtype() {
    let p = lower_src("imag(w)").unwrap();
    assert!(matches!(
        p.insts[p.result() as usize].op,
        Op::Const(crate::types::Scalar::I32(0))
    ));
}

#[test]
fn undefined_operations_are_type_errors_with_spans() {
    // An operator's span runs from the end of its left operand to the start of its right.
    let cases = [
        ("z < 1", "`<` is not supported for complex64", 1..4),
        ("y >= d", "`>=` is not supported for complex128", 1..5),
        ("z // 2", "`//` is not supported for complex64", 1..5),
        ("z % 2", "`%` is not supported for complex64", 1..4),
        ("z & 1", "`&` is not supported for complex64", 1..4),
        ("1j << 2", "`<<` is not supported for complex128", 2..6),
        ("~z", "`~` is not supported for complex64", 0..1),
        (
            "maximum(z, 1)",
            "`maximum` is not supported for complex64",
            0..13,
        ),
        (
            "arctan2(d, 1j)",
            "`arctan2` is not supported for complex128",
            0..14,
        ),
        ("floor(z)", "`floor` is not supported for complex64", 0..8),
        ("trunc(y)", "`trunc` is not supported for complex128", 0..8),
        (
            "signbit(z)",
            "`signbit` is not supported for complex64",
            0..10,
        ),
        (
            "complex(z, 1)",
            "`complex` takes real parts, got complex64",
            8..9,
        ),
    ];
    for (src, msg, span) in cases {
        let e = lower_src(src).expect_err(src);
        assert_eq!(e.kind, ErrorKind::Type, "{src}");
        assert_eq!(e.message, msg, "{src}");
        let s = e.span.expect("a span");
        assert_eq!(s.start..s.end, span, "{src}");
    }
}
