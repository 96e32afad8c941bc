//! Reductions whose argument is an expression (`sum(a*b)`, `max(a + b)`,
//! `sum(where(a > 0.5, a, 0))`, and `mean(a*b, axis=1)` over rows of 1000), at N = 1e4,
//! 1e6 and 1e7 float64 elements, on one thread and on two: the argument is computed and
//! reduced in one pass (`runtime::reduce::fused`).
//!
//! `cargo bench --bench reductions`; criterion's time divided by N is the cost per element.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use jitex::Expr;
use std::time::Duration;

mod common;
use common::bench_ab_on_threads;

fn reductions(c: &mut Criterion) {
    for src in [
        "sum(a*b)",
        "max(a + b)",
        "sum(where(a > 0.5, a, 0))",
        "mean(a*b, axis=1)",
    ] {
        let expr = Expr::compile(src).expect("compiles");
        let mut group = c.benchmark_group(src);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for n in [10_000usize, 1_000_000, 10_000_000] {
            // Rows of 1000 for the axis reduction; one axis otherwise.
            let shape = if src.contains("axis") {
                vec![n / 1000, 1000]
            } else {
                vec![n]
            };
            bench_ab_on_threads(&mut group, &expr, n, &shape);
        }
        group.finish();
    }
}

criterion_group!(benches, reductions);
criterion_main!(benches);
