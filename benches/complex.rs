//! Timing of complex arithmetic rows through the public API (`Expr::eval_with`, a new
//! result each call, and `Expr::eval_into` a preallocated one), on one thread and two.
//!
//! `cargo bench --bench complex [-- FILTER]`: prints one line per row, the fastest of
//! `REPEATS` batches in nanoseconds per element (on a shared machine the fastest batch is
//! the one least disturbed). Plain timing rather than criterion, so a build of another
//! revision can run the same file and the two be run alternately.

use jitex::{Arg, ArrayViewMut, EvalOptions, Expr};
use num_complex::{Complex32, Complex64};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod common;
use common::column;

/// Expressions over complex inputs `z` and `w`.
const EXPRESSIONS: &[&str] = &["z*w + z", "2*z + 1", "conj(z)*w - z", "z + w"];

/// Batches per row; the fastest is printed.
const REPEATS: usize = 15;

/// Complex numbers from two deterministic columns.
fn complex_column(n: usize, seed: u64) -> Vec<Complex64> {
    let (re, im) = (column(n, seed), column(n, seed + 7));
    re.iter()
        .zip(&im)
        .map(|(&r, &i)| Complex64::new(r - 0.5, i - 0.5))
        .collect()
}

/// The fewest nanoseconds per element of `run` over batches of about 10 ms.
fn time(n: usize, mut run: impl FnMut()) -> f64 {
    run();
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < Duration::from_millis(5) || calls < 2 {
        run();
        calls += 1;
    }
    let per = start.elapsed() / calls;
    let batch = (Duration::from_millis(10).as_nanos() / per.as_nanos().max(1)).max(1) as u32;
    (0..REPEATS)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                run();
            }
            t.elapsed().as_nanos() as f64 / f64::from(batch) / n as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// Times every row of one element type.
fn rows<T: jitex::Element + Default>(
    label: &str,
    filter: Option<&str>,
    (z, w): (&[T], &[T]),
    sizes: &[(usize, usize)],
) {
    for src in EXPRESSIONS {
        let expr = Expr::compile(src).expect("bench expressions compile");
        for &(n, threads) in sizes {
            let name = format!("{label} {src} n={n} threads={threads}");
            if filter.is_some_and(|f| !name.contains(f)) {
                continue;
            }
            let inputs = [("z", Arg::from(&z[..n])), ("w", Arg::from(&w[..n]))];
            let opts = EvalOptions {
                threads: Some(threads),
                ..Default::default()
            };
            let alloc = time(n, || {
                black_box(expr.eval_with(&inputs, &opts).expect("eval succeeds"));
            });
            let mut out = vec![T::default(); n];
            let into = time(n, || {
                let mut view = ArrayViewMut::from_slice_mut(&mut out[..]);
                expr.eval_into(&inputs, &mut view, &opts)
                    .expect("eval succeeds");
            });
            println!("{name:<48} alloc {alloc:7.3} ns/el   out= {into:7.3} ns/el");
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters rows by substring.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let sizes = [
        (1_000, 1),
        (10_000, 1),
        (10_000, 2),
        (100_000, 1),
        (100_000, 2),
        (1_000_000, 1),
        (1_000_000, 2),
    ];
    let max = 1_000_000;
    let (z, w) = (complex_column(max, 1), complex_column(max, 2));
    rows("c128", filter.as_deref(), (&z, &w), &sizes);
    let narrow = |v: &[Complex64]| -> Vec<Complex32> {
        v.iter()
            .map(|c| Complex32::new(c.re as f32, c.im as f32))
            .collect()
    };
    let (z32, w32) = (narrow(&z), narrow(&w));
    rows("c64", filter.as_deref(), (&z32, &w32), &sizes);
}
