//! Criterion benchmarks of the transcendental functions, one thread, N = 4096 (in L1/L2):
//! each expression with the vector kernels of `jitex::math::vector` (the default) and
//! with per-element libm calls (`MathImpl::Libm`), so the two are measured in one run.
//!
//! `cargo bench --bench math`.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jitex::{Arg, ArrayViewMut, EvalOptions, Expr, MathImpl};

mod common;
use common::column;

/// One function each, on float64 `a` (and `b`) and on float32 `x` (and `y`), and the two
/// float32 mixes of the reference comparison with NumPy.
const EXPRESSIONS: &[&str] = &[
    "exp(a)",
    "log(a)",
    "sin(a)",
    "cos(a)",
    "tan(a)",
    "arctan(a)",
    "arcsin(a)",
    "arccos(a)",
    "arctan2(a, b)",
    "tanh(a)",
    "expm1(a)",
    "log1p(a)",
    "log10(a)",
    "exp(x)",
    "sin(x)",
    "log(x)",
    "cos(x)",
    "tan(x)",
    "arctan(x)",
    "arcsin(x)",
    "arctan2(x, y)",
    "tanh(x)",
    "expm1(x)",
    "log1p(x)",
    "log10(x)",
    "exp(x) + sin(y)",
    "log(x) * cos(y)",
];

const N: usize = 4096;

fn math(c: &mut Criterion) {
    let (a, b) = (column(N, 1), column(N, 2));
    let x: Vec<f32> = a.iter().map(|&v| v as f32).collect();
    let y: Vec<f32> = b.iter().map(|&v| v as f32).collect();
    let inputs = [
        ("a", Arg::from(&a[..])),
        ("b", Arg::from(&b[..])),
        ("x", Arg::from(&x[..])),
        ("y", Arg::from(&y[..])),
    ];
    for &src in EXPRESSIONS {
        let expr = Expr::compile(src).expect("suite expressions compile");
        let mut group = c.benchmark_group(src);
        group.throughput(Throughput::Elements(N as u64));
        for math in [MathImpl::Vector, MathImpl::Libm] {
            let opts = EvalOptions {
                threads: Some(1),
                math,
                ..Default::default()
            };
            let (mut f64s, mut f32s) = (vec![0.0f64; N], vec![0.0f32; N]);
            let label = format!("{math:?}");
            group.bench_function(BenchmarkId::new(label, N), |bench| {
                bench.iter(|| {
                    let mut out = if src.contains("(x") {
                        ArrayViewMut::from_slice_mut(&mut f32s[..])
                    } else {
                        ArrayViewMut::from_slice_mut(&mut f64s[..])
                    };
                    expr.eval_into(&inputs, &mut out, &opts)
                        .expect("suite expressions run")
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, math);
criterion_main!(benches);
