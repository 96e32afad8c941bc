//! Checks the reference interpreter against NumPy, case by case, using the table that
//! `tests/data/conformance/generate.py` writes from NumPy 2 (see its header for the
//! format). Everything is bit-exact (NaNs compared as "is NaN"), except the
//! transcendental functions, which allow the per-function ULP bounds in [`ulp_bound`]:
//! jitex calls the platform libm, while NumPy uses its own SIMD implementations for
//! some functions and dtypes, so the last bit or two may differ.

mod common;

use common::{cases, same_bits, ulp_bound, ulps, CaseOp};
use jitex::interp;
use jitex::DType;

/// The result dtype the IR's typing rules give `op` on operands of `dtype`.
fn ir_result_dtype(op: CaseOp, dtype: DType) -> DType {
    use jitex::ir::{BinaryOp, UnaryOp};
    match op {
        CaseOp::Unary(UnaryOp::Real | UnaryOp::Imag | UnaryOp::Abs) => dtype.real_part(),
        CaseOp::Binary(BinaryOp::Complex) => dtype.to_complex(),
        CaseOp::Unary(u) if u.is_predicate() => DType::Bool,
        CaseOp::Binary(b) if b.is_comparison() => DType::Bool,
        _ => dtype,
    }
}

#[test]
fn interpreter_matches_numpy() {
    let cases = cases();
    assert!(
        cases.len() > 10_000,
        "the table looks truncated: {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut worst = std::collections::BTreeMap::<String, u64>::new();
    for case in &cases {
        let dtype = case.args[0].dtype();
        let rdt = ir_result_dtype(case.op, dtype);
        assert_eq!(
            rdt,
            case.expected.dtype(),
            "line {}: NumPy's result dtype differs from the IR's: {}",
            case.line,
            case.text
        );
        let got = match case.op {
            CaseOp::Unary(op) => interp::unary(op, case.args[0], rdt),
            CaseOp::Binary(op) => interp::binary(op, case.args[0], case.args[1], rdt),
        };
        let bound = ulp_bound(case.op, dtype);
        let ok = if bound == 0 {
            same_bits(got, case.expected)
        } else {
            let d = ulps(got, case.expected);
            if d != u64::MAX {
                let key = format!("{:?} {dtype}", case.op);
                let w = worst.entry(key).or_default();
                *w = (*w).max(d);
            }
            d <= bound
        };
        if !ok {
            failures.push(format!(
                "line {}: {}  => got {got:?}",
                case.line,
                case.text.trim()
            ));
        }
    }
    if std::env::var_os("JITEX_SHOW_ULPS").is_some() {
        for (k, v) in &worst {
            eprintln!("{k}: {v} ulp");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from NumPy:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn table_covers_every_op() {
    let cases = cases();
    for op in common::UNARY_OPS {
        assert!(
            cases.iter().any(|c| c.op == CaseOp::Unary(op)),
            "no case for {op:?}"
        );
    }
    for op in common::BINARY_OPS {
        assert!(
            cases.iter().any(|c| c.op == CaseOp::Binary(op)),
            "no case for {op:?}"
        );
    }
}

#[test]
fn table_covers_every_complex_op() {
    use jitex::ir::{BinaryOp, UnaryOp};
    let cases = cases();
    let on_complex =
        |op: CaseOp, dt: DType| cases.iter().any(|c| c.op == op && c.args[0].dtype() == dt);
    let unary = common::UNARY_OPS
        .into_iter()
        .chain(common::COMPLEX_UNARY_OPS)
        .filter(|&op| {
            !matches!(
                op,
                UnaryOp::Not | UnaryOp::Ceil | UnaryOp::Floor | UnaryOp::Trunc | UnaryOp::SignBit
            )
        });
    for dt in DType::COMPLEX {
        for op in unary.clone() {
            assert!(
                on_complex(CaseOp::Unary(op), dt),
                "no case for {op:?} on {dt}"
            );
        }
        for op in [
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Pow,
            BinaryOp::Eq,
            BinaryOp::Ne,
        ] {
            assert!(
                on_complex(CaseOp::Binary(op), dt),
                "no case for {op:?} on {dt}"
            );
        }
        let part = dt.real_part();
        assert!(on_complex(CaseOp::Binary(BinaryOp::Complex), part));
    }
}
