//! Reductions along one axis of a 2-D float64 array of shape (N/1000, 1000), the peer
//! matrix's 2-D reduction rows: `max(a, axis=0)` (down the columns: a non-innermost axis)
//! and `sum(a*b, axis=1)` (along each row of 1000, the argument computed as it is reduced),
//! allocating their results, at N = 1e3 … 1e7 on one thread and on two (1e8 too when
//! `JITEX_BENCH_1E8` is set: it needs 1.6 GB of inputs).
//!
//! `cargo bench --bench axis_reductions`; criterion's time divided by N is the cost per
//! element.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use jitex::Expr;
use std::time::Duration;

mod common;
use common::bench_ab_on_threads;

fn axis_reductions(c: &mut Criterion) {
    let mut sizes = vec![1_000usize, 10_000, 100_000, 1_000_000, 10_000_000];
    if std::env::var_os("JITEX_BENCH_1E8").is_some() {
        sizes.push(100_000_000);
    }
    for src in ["max(a, axis=0)", "sum(a*b, axis=1)"] {
        let expr = Expr::compile(src).expect("compiles");
        let mut group = c.benchmark_group(src);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        for &n in &sizes {
            bench_ab_on_threads(&mut group, &expr, n, &[n / 1000, 1000]);
        }
        group.finish();
    }
}

criterion_group!(benches, axis_reductions);
criterion_main!(benches);
