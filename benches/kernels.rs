//! Criterion benchmarks of whole `Expr` evaluations through the public API: a few
//! representative expressions (arithmetic, transcendental, comparison) at several sizes,
//! each into a preallocated output on one thread and on all threads.
//!
//! `cargo bench --bench kernels`. For the full suite against hand-written loops and
//! memory bandwidth, run `jitex bench` instead.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jitex::{Arg, ArrayViewMut, Backend, EvalOptions, Expr};

mod common;
use common::column;

/// Expressions over float64 inputs `a` and `b`, and their result's bool-ness.
const EXPRESSIONS: &[(&str, bool)] = &[
    ("2*a + 3*b", false),
    ("sqrt(a*a + b*b)", false),
    ("sin(a)**2 + cos(b)**2", false),
    ("(a > 0.5) & (b < 0.5)", true),
];

const SIZES: &[usize] = &[1_000, 100_000, 1_000_000];

fn kernels(c: &mut Criterion) {
    let max = SIZES.iter().copied().max().unwrap_or(0);
    let (a, b) = (column(max, 1), column(max, 2));
    for &(src, is_bool) in EXPRESSIONS {
        let expr = Expr::compile(src).expect("suite expressions compile");
        let mut group = c.benchmark_group(src);
        for &n in SIZES {
            group.throughput(Throughput::Elements(n as u64));
            let inputs = [("a", Arg::from(&a[..n])), ("b", Arg::from(&b[..n]))];
            for (label, threads) in [("1T", Some(1)), ("allT", None)] {
                let opts = EvalOptions {
                    backend: Backend::Jit,
                    threads,
                    ..Default::default()
                };
                let (mut out_f, mut out_b) = (vec![0.0f64; n], vec![false; n]);
                group.bench_with_input(BenchmarkId::new(label, n), &n, |bench, _| {
                    bench.iter(|| {
                        let mut out = if is_bool {
                            ArrayViewMut::from_slice_mut(&mut out_b[..])
                        } else {
                            ArrayViewMut::from_slice_mut(&mut out_f[..])
                        };
                        expr.eval_into(&inputs, &mut out, &opts)
                            .expect("eval succeeds")
                    })
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, kernels);
criterion_main!(benches);
