//! Helpers shared by the criterion benchmarks.

/// Deterministic inputs in [0, 1) without a random-number dependency.
pub fn column(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// The JIT backend on `threads` threads, everything else at its default.
// Not every benchmark that includes this module uses it.
#[allow(dead_code)]
pub fn jit_on(threads: usize) -> jitex::EvalOptions {
    jitex::EvalOptions {
        backend: jitex::Backend::Jit,
        threads: Some(threads),
        ..Default::default()
    }
}

/// Times `expr` over `a` and `b`, two `column`s of `n` float64 in `shape`, allocating its
/// result, on one thread and on two: one `{t}T/{n}` entry of `group` each.
// Not every benchmark that includes this module uses it.
#[allow(dead_code)]
pub fn bench_ab_on_threads(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    expr: &jitex::Expr,
    n: usize,
    shape: &[usize],
) {
    use jitex::{Arg, ArrayView};
    group.throughput(criterion::Throughput::Elements(n as u64));
    let (a, b) = (column(n, 1), column(n, 2));
    let va = ArrayView::from_shape(&a, shape).expect("shape");
    let vb = ArrayView::from_shape(&b, shape).expect("shape");
    let inputs = [("a", Arg::from(va)), ("b", Arg::from(vb))];
    for t in [1usize, 2] {
        let o = jit_on(t);
        group.bench_with_input(
            criterion::BenchmarkId::new(format!("{t}T"), n),
            &n,
            |bench, _| bench.iter(|| expr.eval_with(&inputs, &o).expect("eval")),
        );
    }
}
