//! Reductions of a plain array through the public API: float64, float32 and int32 sums
//! and means, `min`, `prod`, `any`, axis reductions of a (1000, 10000) float64 matrix, a
//! reversed view and a transposed one, all at 1e7 elements, on one thread and on two,
//! beside a plain eight-accumulator Rust sum (what the machine streams right now).
//!
//! `cargo bench --bench plain_reductions`; criterion's time divided by 1e7 is the cost
//! per element.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jitex::{Arg, ArrayView, Expr};
use std::time::Duration;

mod common;
use common::{column, jit_on};

const N: usize = 10_000_000;

fn plain_reductions(c: &mut Criterion) {
    let f64s = column(N, 1);
    let f32s: Vec<f32> = f64s.iter().map(|&x| x as f32).collect();
    let i32s: Vec<i32> = (0..N).map(|i| i as i32).collect();
    let v = ArrayView::from_slice(&f64s);
    let m = ArrayView::from_shape(&f64s, &[1000, 10_000]).expect("shape");
    let cases: Vec<(&str, &str, ArrayView)> = vec![
        ("sum f64", "sum(a)", v.clone()),
        ("sum f32", "sum(a)", ArrayView::from_slice(&f32s)),
        ("mean i32", "mean(a)", ArrayView::from_slice(&i32s)),
        ("min f64", "min(a)", v.clone()),
        ("prod f64", "prod(a)", v.clone()),
        ("any f64", "any(a)", v.clone()),
        ("sum f64 axis 0", "sum(a, axis=0)", m.clone()),
        ("sum f64 axis 1", "sum(a, axis=1)", m.clone()),
        ("max f64 axis 0", "max(a, axis=0)", m.clone()),
        ("sum f64 reversed", "sum(a)", v.slice_step(-1)),
        ("sum f64 transposed axis 0", "sum(a, axis=0)", m.transpose()),
    ];
    let mut group = c.benchmark_group("plain reductions 1e7");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(N as u64));
    group.bench_function("rust 8-accumulator sum f64", |bench| {
        bench.iter(|| {
            let mut r = [0f64; 8];
            for c in f64s.chunks_exact(8) {
                for (a, &x) in r.iter_mut().zip(c) {
                    *a += x;
                }
            }
            r.iter().sum::<f64>()
        })
    });
    for (name, src, view) in cases {
        let expr = Expr::compile(src).expect("compiles");
        let inputs = [("a", Arg::from(view))];
        for t in [1usize, 2] {
            let o = jit_on(t);
            group.bench_function(BenchmarkId::new(name, format!("{t}T")), |bench| {
                bench.iter(|| expr.eval_with(&inputs, &o).expect("eval"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, plain_reductions);
criterion_main!(benches);
