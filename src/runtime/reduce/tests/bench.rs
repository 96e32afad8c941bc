//! Timings, not assertions: `cargo test --release --lib reduce::tests::bench -- --ignored
//! --nocapture`.

use super::reduce;
use crate::ir::ReduceOp;
use crate::runtime::ArrayView;
use std::time::Instant;

/// The best of five runs, in milliseconds.
fn best_ms(f: impl Fn()) -> f64 {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
#[ignore = "timing only"]
fn bench() {
    let n = 10_000_000;
    let f64s: Vec<f64> = (0..n).map(|i| (i % 1000) as f64 * 0.001).collect();
    let f32s: Vec<f32> = f64s.iter().map(|&x| x as f32).collect();
    let i32s: Vec<i32> = (0..n as i32).collect();
    let v = ArrayView::from_slice(&f64s);
    let m = ArrayView::from_shape(&f64s, &[1000, 10_000]).unwrap();
    let cases: Vec<(&str, ArrayView, ReduceOp, Option<usize>)> = vec![
        ("sum f64 1e7", v.clone(), ReduceOp::Sum, None),
        (
            "sum f32 1e7",
            ArrayView::from_slice(&f32s),
            ReduceOp::Sum,
            None,
        ),
        (
            "mean i32 1e7",
            ArrayView::from_slice(&i32s),
            ReduceOp::Mean,
            None,
        ),
        ("min f64 1e7", v.clone(), ReduceOp::Min, None),
        ("prod f64 1e7", v.clone(), ReduceOp::Prod, None),
        ("any f64 1e7", v.clone(), ReduceOp::Any, None),
        (
            "sum f64 (1000,10000) axis 0",
            m.clone(),
            ReduceOp::Sum,
            Some(0),
        ),
        (
            "sum f64 (1000,10000) axis 1",
            m.clone(),
            ReduceOp::Sum,
            Some(1),
        ),
        (
            "max f64 (1000,10000) axis 0",
            m.clone(),
            ReduceOp::Max,
            Some(0),
        ),
        (
            "sum f64 reversed 1e7",
            v.slice_step(-1),
            ReduceOp::Sum,
            None,
        ),
        (
            "sum f64 transposed axis 0",
            m.transpose(),
            ReduceOp::Sum,
            Some(0),
        ),
    ];
    // What the machine streams right now: eight plain accumulators over the slice.
    let ms = best_ms(|| {
        let mut r = [0f64; 8];
        for c in f64s.chunks_exact(8) {
            for (a, &x) in r.iter_mut().zip(c) {
                *a += x;
            }
        }
        std::hint::black_box(r);
    });
    println!(
        "{:32} 1T {ms:8.2} ms {:6.1} GB/s",
        "baseline 8-acc f64 1e7",
        8e7 / (ms * 1e6)
    );
    for (name, view, op, axis) in cases {
        for threads in [1, 2] {
            let ms = best_ms(|| {
                std::hint::black_box(reduce(&view, op, axis, threads).unwrap());
            });
            let gbs = (view.len() * view.dtype().size()) as f64 / (ms * 1e6);
            println!("{name:32} {threads}T {ms:8.2} ms {gbs:6.1} GB/s");
        }
    }
}
