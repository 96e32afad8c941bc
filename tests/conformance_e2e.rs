//! The conformance table (see `conformance.rs`), run through the whole pipeline: each
//! (op, dtype) group becomes one expression over arrays `a` (and `b`), evaluated by the
//! JIT and by the interpreter backend. The JIT must match NumPy within the same bounds as
//! the interpreter does, and match the interpreter backend bit for bit.

#[path = "common/api.rs"]
mod api;
mod common;

use api::{read_all, Buffer};
use common::{cases, same_bits, ulp_bound, ulps, Case, CaseOp};
use jitex::ir::{BinaryOp, UnaryOp};
use jitex::{Arg, Backend, EvalOptions, Expr, MathImpl, Scalar};
use std::collections::BTreeMap;

/// The source text computing `op` on inputs `a` and `b`.
fn source(op: CaseOp) -> String {
    match op {
        CaseOp::Unary(u) => match u {
            UnaryOp::Neg => "-a".into(),
            UnaryOp::Not => "~a".into(),
            _ => format!("{}(a)", u.name()),
        },
        CaseOp::Binary(b) => {
            let sym = match b {
                BinaryOp::Add => "+",
                BinaryOp::Sub => "-",
                BinaryOp::Mul => "*",
                BinaryOp::Div => "/",
                BinaryOp::FloorDiv => "//",
                BinaryOp::Mod => "%",
                BinaryOp::Pow => "**",
                BinaryOp::Shl => "<<",
                BinaryOp::Shr => ">>",
                BinaryOp::And => "&",
                BinaryOp::Or => "|",
                BinaryOp::Xor => "^",
                BinaryOp::Lt => "<",
                BinaryOp::Le => "<=",
                BinaryOp::Eq => "==",
                BinaryOp::Ne => "!=",
                BinaryOp::Ge => ">=",
                BinaryOp::Gt => ">",
                _ => return format!("{}(a, b)", b.name()),
            };
            format!("a {sym} b")
        }
    }
}

fn eval(
    e: &Expr,
    args: &[Buffer],
    backend: Backend,
    math: MathImpl,
    threads: usize,
) -> Vec<Scalar> {
    let named: Vec<(&str, Arg)> = ["a", "b"]
        .iter()
        .zip(args)
        .map(|(n, b)| (*n, Arg::Array(b.view())))
        .collect();
    let out = e
        .eval_with(
            &named,
            &EvalOptions {
                backend,
                threads: Some(threads),
                math,
                ..EvalOptions::default()
            },
        )
        .unwrap_or_else(|err| panic!("`{}` failed: {}", e.source(), err.render(e.source())));
    read_all(&out)
}

/// The extra ULPs a vector kernel for `op` may add (its bound against the correctly
/// rounded result, plus libm's own distance from it); 0 when `op` has none.
fn vector_ulps(op: CaseOp, dtype: jitex::DType) -> u64 {
    let entry = match op {
        CaseOp::Unary(u) => jitex::math::vector::unary(u, dtype),
        CaseOp::Binary(b) => jitex::math::vector::binary(b, dtype),
    };
    entry.map_or(0, |e| u64::from(e.ulps) + 1)
}

#[test]
fn jit_matches_numpy_and_interpreter() {
    let mut groups: BTreeMap<String, Vec<Case>> = BTreeMap::new();
    for case in cases() {
        groups
            .entry(format!("{:?} {}", case.op, case.args[0].dtype()))
            .or_default()
            .push(case);
    }
    let mut failures = Vec::new();
    for cases in groups.values() {
        let op = cases[0].op;
        let dtype = cases[0].args[0].dtype();
        let src = source(op);
        let e = Expr::compile(&src).unwrap_or_else(|err| panic!("{}", err.render(&src)));
        let arity = cases[0].args.len();
        // Strided (step 2) and reversed layouts as well as contiguous ones.
        for step in [1isize, 2, -1] {
            let args: Vec<Buffer> = (0..arity)
                .map(|k| {
                    let vals: Vec<Scalar> = cases.iter().map(|c| c.args[k]).collect();
                    Buffer::new(dtype, &vals, step)
                })
                .collect();
            // Libm in blocks computes what the interpreter does; the vector kernels may
            // add their own bound to libm's distance from NumPy.
            let jit = eval(&e, &args, Backend::Jit, MathImpl::LibmBlocks, 1);
            let vector = eval(&e, &args, Backend::Jit, MathImpl::Vector, 1);
            let interp = eval(&e, &args, Backend::Interp, MathImpl::Libm, 1);
            assert_eq!(jit.len(), cases.len(), "`{src}` on {dtype}");
            let bound = ulp_bound(op, dtype);
            let vector_bound = bound + vector_ulps(op, dtype);
            for (((case, j), v), i) in cases.iter().zip(&jit).zip(&vector).zip(&interp) {
                let vs_numpy = same_bits(*j, case.expected) || ulps(*j, case.expected) <= bound;
                let vector_ok =
                    same_bits(*v, case.expected) || ulps(*v, case.expected) <= vector_bound;
                if !vs_numpy || !vector_ok || !same_bits(*j, *i) {
                    failures.push(format!(
                        "line {} (`{src}`, step {step}): {}  => jit {j:?}, vector {v:?}, interp {i:?}",
                        case.line,
                        case.text.trim()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
