//! STREAM's triad, `a[i] = b[i] + s*c[i]`, measured in the benchmark's own run: the
//! memory bandwidth that bounds any streaming kernel on this machine, with one thread and
//! with many.

use std::hint::black_box;
use std::time::Instant;

/// Bytes the triad moves per element: read `b` and `c`, write `a` (write-allocate
/// traffic is not counted, as in STREAM and as in jitex's bytes-per-element figures).
pub const BYTES_PER_ELEMENT: usize = 3 * std::mem::size_of::<f64>();

/// Best-of-`reps` triad bandwidth in GB/s (1e9 bytes/s) over arrays of `len` doubles,
/// split into `threads` contiguous pieces.
pub fn triad_gbs(len: usize, threads: usize, reps: usize) -> f64 {
    let threads = threads.clamp(1, len.max(1));
    let mut a = vec![0.0f64; len];
    let mut b = vec![0.0f64; len];
    let mut c = vec![0.0f64; len];
    // First touch from the threads that will stream the pages (matters on NUMA machines).
    run_split(threads, &mut a, &b, &c, |a, _, _| a.fill(1.0));
    run_split(threads, &mut b, &a, &c, |b, _, _| b.fill(2.0));
    run_split(threads, &mut c, &a, &b, |c, _, _| c.fill(0.5));
    let s = black_box(3.0);
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        run_split(threads, &mut a, &b, &c, |a, b, c| {
            for i in 0..a.len() {
                a[i] = b[i] + s * c[i];
            }
        });
        best = best.min(t.elapsed().as_secs_f64());
        black_box(&a);
    }
    (len * BYTES_PER_ELEMENT) as f64 / best / 1e9
}

/// Runs `f` on matching contiguous pieces of `out`, `x` and `y` on `threads` threads
/// (the calling thread takes the last piece).
fn run_split(
    threads: usize,
    out: &mut [f64],
    x: &[f64],
    y: &[f64],
    f: impl Fn(&mut [f64], &[f64], &[f64]) + Sync,
) {
    let piece = out.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let mut pieces: Vec<_> = out
            .chunks_mut(piece)
            .zip(x.chunks(piece).zip(y.chunks(piece)))
            .collect();
        let last = pieces.pop();
        for (o, (x, y)) in pieces {
            let f = &f;
            scope.spawn(move || f(o, x, y));
        }
        if let Some((o, (x, y))) = last {
            f(o, x, y);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_every_element_exactly_once() {
        for threads in [1, 2, 3, 7] {
            let mut out = vec![0.0; 10];
            let x: Vec<f64> = (0..10).map(f64::from).collect();
            let y = vec![1.0; 10];
            run_split(threads, &mut out, &x, &y, |o, x, y| {
                for i in 0..o.len() {
                    o[i] += x[i] + y[i];
                }
            });
            assert_eq!(
                out,
                (1..=10).map(f64::from).collect::<Vec<_>>(),
                "threads={threads}"
            );
        }
    }

    #[test]
    fn triad_reports_a_positive_finite_bandwidth() {
        let gbs = triad_gbs(1 << 12, 2, 3);
        assert!(gbs.is_finite() && gbs > 0.0, "{gbs}");
    }
}
