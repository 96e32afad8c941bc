//! Per-call overhead of the cached path: `eval_into` a preallocated output and the
//! allocating `eval`, at sizes where the kernel itself costs little (N = 1, 1e3), next to
//! the same arithmetic written as a plain Rust loop; and, for tuning the
//! parallel threshold (`runtime::work`), one thread against two around it.
//!
//! `cargo bench --bench overhead`.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jitex::{Arg, ArrayViewMut, Expr};

mod common;
use common::{column, jit_on};
use std::hint::black_box;

fn overhead(c: &mut Criterion) {
    let expr = Expr::compile("2*a + 3*b").expect("compiles");
    let one = jit_on(1);
    let mut group = c.benchmark_group("overhead 2*a + 3*b");
    for n in [1usize, 1_000] {
        group.throughput(Throughput::Elements(n as u64));
        let (a, b) = (column(n, 1), column(n, 2));
        let mut out = vec![0.0f64; n];
        let inputs = [("a", Arg::from(&a)), ("b", Arg::from(&b))];
        group.bench_with_input(BenchmarkId::new("eval_into", n), &n, |bench, _| {
            bench.iter(|| {
                let mut o = ArrayViewMut::from_slice_mut(&mut out[..]);
                expr.eval_into(black_box(&inputs), &mut o, &one)
                    .expect("eval succeeds")
            })
        });
        group.bench_with_input(BenchmarkId::new("eval", n), &n, |bench, _| {
            bench.iter(|| expr.eval_with(black_box(&inputs), &one).expect("eval"))
        });
        group.bench_with_input(BenchmarkId::new("hand loop", n), &n, |bench, _| {
            bench.iter(|| {
                let (a, b) = (black_box(&a[..]), black_box(&b[..]));
                for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
                    *o = 2.0 * x + 3.0 * y;
                }
                black_box(&out);
            })
        });
    }
    group.finish();
}

/// One thread against two on cheap expressions, for sizes around the parallel threshold.
fn threshold(c: &mut Criterion) {
    for src in [
        "a*b + c",
        "(a > 0.5) & (b < 0.5)",
        "where(a > b, a, b)",
        "exp(-a*b)",
        "sin(a)**2 + cos(b)**2",
    ] {
        let expr = Expr::compile(src).expect("compiles");
        let mut group = c.benchmark_group(format!("threads {src}"));
        for n in [32_768usize, 65_536, 131_072, 262_144, 1_048_576] {
            group.throughput(Throughput::Elements(n as u64));
            let (a, b, cc) = (column(n, 1), column(n, 2), column(n, 3));
            let inputs = [
                ("a", Arg::from(&a)),
                ("b", Arg::from(&b)),
                ("c", Arg::from(&cc)),
            ];
            let is_bool = src.contains('&');
            let (mut out_f, mut out_b) = (vec![0.0f64; n], vec![false; n]);
            for t in [1usize, 2] {
                let o = jit_on(t);
                group.bench_with_input(BenchmarkId::new(format!("{t}T"), n), &n, |bench, _| {
                    bench.iter(|| {
                        let mut v = if is_bool {
                            ArrayViewMut::from_slice_mut(&mut out_b[..])
                        } else {
                            ArrayViewMut::from_slice_mut(&mut out_f[..])
                        };
                        expr.eval_into(&inputs, &mut v, &o).expect("eval")
                    })
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, overhead, threshold);
criterion_main!(benches);
