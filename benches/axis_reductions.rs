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

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jitex::{Arg, ArrayView, Expr};
use std::time::Duration;

mod common;
use common::{column, jit_on};

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
            group.throughput(Throughput::Elements(n as u64));
            let (a, b) = (column(n, 1), column(n, 2));
            let shape = [n / 1000, 1000];
            let va = ArrayView::from_shape(&a, &shape).expect("shape");
            let vb = ArrayView::from_shape(&b, &shape).expect("shape");
            let inputs = [("a", Arg::from(va)), ("b", Arg::from(vb))];
            for t in [1usize, 2] {
                let o = jit_on(t);
                group.bench_with_input(BenchmarkId::new(format!("{t}T"), n), &n, |bench, _| {
                    bench.iter(|| expr.eval_with(&inputs, &o).expect("eval"))
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, axis_reductions);
criterion_main!(benches);
