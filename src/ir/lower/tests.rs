//! Lowering tests: result dtypes against a table checked with NumPy, IR invariants, errors.

use super::*;
use crate::syntax::parse;

/// Input declarations from (name, dtype) pairs, for this module's tests and its children's.
pub(in crate::ir::lower) fn decls_of(pairs: &[(&str, DType)]) -> Vec<InputDecl> {
    pairs
        .iter()
        .map(|&(n, d)| InputDecl {
            name: n.into(),
            dtype: d,
        })
        .collect()
}

fn decls() -> Vec<InputDecl> {
    decls_of(&[
        ("a", DType::I8),
        ("b", DType::U8),
        ("s", DType::I16),
        ("w", DType::I32),
        ("i", DType::I64),
        ("u", DType::U64),
        ("f", DType::F32),
        ("d", DType::F64),
        ("t", DType::Bool),
    ])
}

fn lower_src(src: &str) -> Result<Program> {
    lower(&parse(src).unwrap(), &decls())
}

/// Asserts the typing invariants documented in `ir/mod.rs`.
fn check_invariants(p: &Program) {
    let dt = |v: ValueId| p.insts[v as usize].dtype;
    for (k, inst) in p.insts.iter().enumerate() {
        for o in inst.op.operands() {
            assert!((o as usize) < k, "operand after use in {p}");
        }
        match inst.op {
            Op::Input(n) => assert_eq!(p.inputs[n].dtype, inst.dtype),
            Op::Const(c) => assert_eq!(c.dtype(), inst.dtype),
            Op::Cast(_) => {}
            Op::Unary(op, a) => {
                let want = if op.is_predicate() {
                    DType::Bool
                } else {
                    dt(a)
                };
                assert_eq!(inst.dtype, want, "{p}");
            }
            Op::Binary(op, a, b) => {
                assert_eq!(dt(a), dt(b), "{p}");
                let want = if op.is_comparison() {
                    DType::Bool
                } else if op == crate::ir::BinaryOp::Complex {
                    dt(a).to_complex()
                } else {
                    dt(a)
                };
                assert_eq!(inst.dtype, want, "{p}");
            }
            Op::Select(c, a, b) => {
                assert_eq!(dt(c), DType::Bool);
                assert_eq!(dt(a), inst.dtype);
                assert_eq!(dt(b), inst.dtype);
            }
            Op::StrCompare { .. } | Op::StrContains { .. } => {
                assert_eq!(inst.dtype, DType::Bool)
            }
            Op::StrCopy(_) => assert!(inst.dtype.is_string(), "{p}"),
        }
    }
}

/// The `expression ; dtype` rows of a dtype table, comments and blank lines skipped.
fn table_rows(table: &str) -> impl Iterator<Item = (&str, &str)> {
    table
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (src, want) = l.split_once(';').unwrap();
            (src.trim(), want.trim())
        })
}

#[test]
fn result_dtypes_match_numpy_table() {
    let table = include_str!("../../../tests/data/lower/dtype_table.txt");
    let mut n = 0;
    for (src, want) in table_rows(table) {
        let p = lower_src(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        check_invariants(&p);
        let got = p.insts[p.result() as usize].dtype;
        assert_eq!(got.name(), want, "{src}\n{p}");
        n += 1;
    }
    assert!(n > 50);
}

#[test]
fn numexpr_typing_matches_numexpr_table() {
    let table = include_str!("../../../tests/data/lower/numexpr_dtype_table.txt");
    let mut n = 0;
    for (src, want) in table_rows(table) {
        let ast = crate::syntax::parse_program(src).unwrap();
        let plan = lower_program(&ast, &decls(), None, Typing::Numexpr)
            .unwrap_or_else(|e| panic!("{src}: {e}"));
        for stage in &plan.stages {
            check_invariants(&stage.program);
        }
        let p = &plan.outputs;
        check_invariants(p);
        let got = p.insts[p.outputs[0] as usize].dtype;
        assert_eq!(got.name(), want, "{src}\n{p}");
        n += 1;
    }
    assert!(n > 50);
}

#[test]
fn numexpr_typing_folds_integer_literals_as_python_does() {
    let ast = crate::syntax::parse_program("w + (7 // -2) + (-7 % 2) + 2**10").unwrap();
    let plan = lower_program(&ast, &decls(), None, Typing::Numexpr).unwrap();
    let consts: Vec<String> = plan
        .outputs
        .insts
        .iter()
        .filter_map(|i| match i.op {
            Op::Const(c) => Some(c.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(consts, ["-4", "1", "1024"]);
}

#[test]
fn inputs_are_the_used_ones_in_order_of_first_use() {
    let p = lower_src("f + a * f + b").unwrap();
    let names: Vec<_> = p.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["f", "a", "b"]);
    let inputs = p
        .insts
        .iter()
        .filter(|i| matches!(i.op, Op::Input(_)))
        .count();
    assert_eq!(inputs, 3);
}

#[test]
fn weak_literals_are_emitted_in_the_dtype_they_meet() {
    let p = lower_src("a + 3").unwrap();
    assert!(
        p.insts.iter().any(|i| i.op == Op::Const(Scalar::I8(3))),
        "{p}"
    );
    let p = lower_src("f * (2.0 + 1.0)").unwrap();
    // The literal-only part is computed in float64, then cast once.
    assert!(
        p.insts.iter().any(|i| i.op == Op::Const(Scalar::F64(2.0))),
        "{p}"
    );
    assert!(p
        .insts
        .iter()
        .any(|i| matches!(i.op, Op::Cast(_)) && i.dtype == DType::F32));
}

#[test]
fn bool_arithmetic_is_logical() {
    let p = lower_src("t + t").unwrap();
    assert!(matches!(
        p.insts[p.result() as usize].op,
        Op::Binary(IrBin::Or, _, _)
    ));
    let p = lower_src("maximum(t, t)").unwrap();
    assert!(matches!(
        p.insts[p.result() as usize].op,
        Op::Binary(IrBin::Or, _, _)
    ));
    let p = lower_src("~t").unwrap();
    assert!(matches!(
        p.insts[p.result() as usize].op,
        Op::Unary(IrUn::Not, _)
    ));
}

#[test]
fn out_of_range_comparison_keeps_the_array_and_the_answer() {
    // `int8 < 300` is always true: lowered to `a <= 127`.
    let p = lower_src("a < 300").unwrap();
    let r = &p.insts[p.result() as usize];
    let Op::Binary(IrBin::Le, x, c) = r.op else {
        panic!("{p}")
    };
    assert_eq!(p.insts[x as usize].op, Op::Input(0));
    assert_eq!(p.insts[c as usize].op, Op::Const(Scalar::I8(127)));
    // `300 == a` is never true: `a > 127`.
    let p = lower_src("300 == a").unwrap();
    assert!(matches!(
        p.insts[p.result() as usize].op,
        Op::Binary(IrBin::Gt, _, _)
    ));
    // `u != -1` is always true: `u >= 0`.
    let p = lower_src("u != -1").unwrap();
    let Op::Binary(IrBin::Ge, _, c) = p.insts[p.result() as usize].op else {
        panic!("{p}")
    };
    assert_eq!(p.insts[c as usize].op, Op::Const(Scalar::U64(0)));
}

fn err(src: &str) -> Error {
    lower_src(src).expect_err(src)
}

#[test]
fn type_errors() {
    for src in [
        "a + 300",
        "b + -1",
        "f << 1",
        "d & 1",
        "~f",
        "-t",
        "t - t",
        "sign(t)",
        "i + 9223372036854775808",
        "18446744073709551615",
    ] {
        let e = err(src);
        assert_eq!(e.kind, ErrorKind::Type, "{src}: {e}");
        assert!(e.span.is_some());
    }
    // The error points at the operator.
    let e = err("f << 1");
    assert_eq!(e.span, Some(Span::new(1, 5)));
    // The literal fits once negated: `-128` is one literal.
    lower_src("a + -128").unwrap();
    lower_src("u + 18446744073709551615").unwrap();
}

#[test]
fn integer_to_a_negative_literal_power_is_a_value_error() {
    // NumPy raises ValueError: the dtypes are fine, the exponent's value is not.
    for (src, span) in [("a ** -1", 5..7), ("(w + 1)**-2", 9..11), ("t ** -1", 5..7)] {
        let e = err(src);
        assert_eq!(e.kind, ErrorKind::Value, "{src}: {e}");
        assert_eq!(
            e.message,
            "integers to negative integer powers are not allowed"
        );
        let s = e.span.expect("a span");
        assert_eq!(s.start..s.end, span, "{src}");
    }
    // A float base or exponent is fine.
    lower_src("f ** -1").unwrap();
    lower_src("a ** -1.0").unwrap();
}

#[test]
fn copy_is_the_identity_and_ones_like_a_constant() {
    let p = lower_src("copy(d)").unwrap();
    assert_eq!(p.insts[p.result() as usize].op, Op::Input(0));
    for (src, one) in [
        ("ones_like(t)", Scalar::Bool(true)),
        ("ones_like(b)", Scalar::U8(1)),
        ("ones_like(f * 2)", Scalar::F32(1.0)),
        ("ones_like(3)", Scalar::I64(1)),
    ] {
        let p = lower_src(src).unwrap();
        assert_eq!(p.insts[p.result() as usize].op, Op::Const(one), "{src}");
    }
    // The argument's inputs stay inputs: they give the result its shape.
    let p = lower_src("ones_like(a + f)").unwrap();
    let names: Vec<_> = p.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["a", "f"]);
    // `copy` makes a literal strong, as any function result.
    assert_eq!(result_dtype("f * copy(2.0)"), DType::F64);
    assert_eq!(err("copy(a, a)").kind, ErrorKind::Arity);
}

fn result_dtype(src: &str) -> DType {
    let p = lower_src(src).unwrap();
    p.insts[p.result() as usize].dtype
}

#[test]
fn name_errors_suggest() {
    let e = err("f + ff");
    assert_eq!(e.kind, ErrorKind::UnknownName);
    assert_eq!(e.span, Some(Span::new(4, 6)));
    assert_eq!(e.help.as_deref(), Some("did you mean `f`?"));
    let e = err("2*sinn(a)");
    assert_eq!(e.kind, ErrorKind::UnknownFunction);
    assert_eq!(e.help.as_deref(), Some("did you mean `sin`?"));
    assert_eq!(e.span, Some(Span::new(2, 6)));
    assert_eq!(err("sin(a, a)").kind, ErrorKind::Arity);
    assert_eq!(err("where(t, a)").kind, ErrorKind::Arity);
}

#[test]
fn limits() {
    let many: Vec<InputDecl> = (0..=MAX_INPUTS)
        .map(|k| InputDecl {
            name: format!("x{k}"),
            dtype: DType::F64,
        })
        .collect();
    let src: Vec<String> = many.iter().map(|d| d.name.clone()).collect();
    let e = lower(&parse(&src.join(" + ")).unwrap(), &many).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    // A balanced tree of additions stays shallow but exceeds the instruction budget.
    let mut s = String::from("f");
    for _ in 0..15 {
        s = format!("({s}) + ({s})");
    }
    let r = lower(&parse(&s).unwrap(), &decls());
    assert_eq!(r.err().map(|e| e.kind), Some(ErrorKind::Limit));
}
