//! Streaming stores: results computed block by block into a scratch buffer and copied out
//! with non-temporal stores must be bit-for-bit the results stored through the cache,
//! at every length around the block and chunk boundaries, for every output element
//! size, on 1, 2 and 4 threads, through the general and the remembered-call paths, in
//! place, at unaligned starts, and for layouts that cannot stream (which store as usual).

use jitex::{Arg, Array, ArrayView, ArrayViewMut, DType, EvalOptions, Expr, Stores};

fn opts(stores: Stores, threads: usize) -> EvalOptions {
    EvalOptions {
        threads: Some(threads),
        stores,
        ..EvalOptions::default()
    }
}

/// Lengths around vector groups, the 2048-element f64 block, and the 16K work item.
const LENGTHS: [usize; 17] = [
    0, 1, 2, 15, 16, 17, 63, 64, 65, 2047, 2048, 2049, 16383, 16384, 16385, 40_001, 100_003,
];

fn ramp(n: usize, scale: f64, shift: f64) -> Vec<f64> {
    (0..n).map(|i| (i as f64 - shift) * scale).collect()
}

/// Evaluates `src` over f64 `a`, `b`, `c` of length `n` with the given stores.
fn eval(e: &Expr, n: usize, stores: Stores, threads: usize) -> Array {
    let (a, b, c) = (ramp(n, 0.37, 50.0), ramp(n, -0.011, 3.0), ramp(n, 1.5, 0.0));
    let ins: Vec<(&str, Arg)> = vec![("a", (&a).into()), ("b", (&b).into()), ("c", (&c).into())];
    e.eval_with(&ins, &opts(stores, threads)).unwrap()
}

#[test]
fn every_element_size_and_length_matches_cached_stores() {
    // Results of 1, 2, 4, 8 and 16 bytes per element.
    let exprs = [
        ("a*b + c", DType::F64),
        ("a < b", DType::Bool),
        ("float32(a) * float32(b)", DType::F32),
        ("int32(a) + int32(c)", DType::I32),
        ("int16(a) - int16(c)", DType::I16),
        ("a + 1j*b", DType::C128),
    ];
    for (src, dtype) in exprs {
        let e = Expr::compile(src).unwrap();
        for n in LENGTHS {
            let want = eval(&e, n, Stores::Cached, 1);
            assert_eq!(want.dtype(), dtype, "`{src}`");
            // The cached result against the interpreter: `tests/matrix.rs`.
            for threads in [1, 2, 4] {
                let got = eval(&e, n, Stores::Streaming, threads);
                assert_eq!(
                    got.as_bytes(),
                    want.as_bytes(),
                    "`{src}` n {n} threads {threads}"
                );
            }
        }
    }
}

#[test]
fn remembered_calls_into_out_stream_too() {
    // The second and later `eval_into` calls take the remembered-call path.
    let e = Expr::compile("a*b + c").unwrap();
    for n in [1, 17, 2049, 16385, 100_003] {
        let (a, b, c) = (ramp(n, 0.37, 50.0), ramp(n, -0.011, 3.0), ramp(n, 1.5, 0.0));
        let want: Vec<f64> = (0..n).map(|i| a[i] * b[i] + c[i]).collect();
        let ins: Vec<(&str, Arg)> =
            vec![("a", (&a).into()), ("b", (&b).into()), ("c", (&c).into())];
        for threads in [1, 2, 4] {
            for call in 0..3 {
                let mut out = vec![f64::NAN; n];
                e.eval_into(
                    &ins,
                    &mut ArrayViewMut::from_slice_mut(&mut out),
                    &opts(Stores::Streaming, threads),
                )
                .unwrap();
                // `a*b + c` may be one fused multiply-add: compare with a tolerance of
                // one rounding, the exact check being the cached comparison above.
                for i in 0..n {
                    let tol = 1e-15 * (a[i] * b[i]).abs().max(c[i].abs()).max(1.0);
                    assert!(
                        (out[i] - want[i]).abs() <= tol,
                        "n {n} threads {threads} call {call} at {i}: {} vs {}",
                        out[i],
                        want[i]
                    );
                }
            }
        }
    }
}

#[test]
fn in_place_updates_stream_correctly() {
    // `a = 2*a + 1`, with `out` the very memory of `a`: each block is read before written.
    for n in [5, 2049, 40_001, 100_003] {
        for threads in [1, 2, 4] {
            let mut buf = ramp(n, 0.5, 7.0);
            let p = buf.as_mut_ptr();
            let e = Expr::compile("2*a + 1").unwrap();
            for _call in 0..2 {
                // SAFETY: both views cover exactly `buf`, which nothing else touches
                // during the call.
                let (av, mut ov) = unsafe {
                    (
                        ArrayView::from_raw_parts(p as *const u8, DType::F64, &[n], &[8]),
                        ArrayViewMut::from_raw_parts(p as *mut u8, DType::F64, &[n], &[8]),
                    )
                };
                let before: Vec<f64> = buf.clone();
                e.eval_into(
                    &[("a", av.into())],
                    &mut ov,
                    &opts(Stores::Streaming, threads),
                )
                .unwrap();
                let expect: Vec<f64> = before.iter().map(|x| 2.0 * x + 1.0).collect();
                assert_eq!(buf, expect, "n {n} threads {threads}");
            }
        }
    }
}

#[test]
fn unaligned_starts_stream_correctly() {
    // Bool results starting at every byte offset, f64 results at odd 8-byte offsets: the
    // unaligned head and tail of each copy take plain stores.
    let n = 40_001;
    let (a, b) = (ramp(n, 0.37, 50.0), ramp(n, -0.011, 3.0));
    let ins: Vec<(&str, Arg)> = vec![("a", (&a).into()), ("b", (&b).into())];
    let lt = Expr::compile("a < b").unwrap();
    let want_lt: Vec<u8> = (0..n).map(|i| (a[i] < b[i]) as u8).collect();
    for off in 0..17 {
        let mut buf = vec![7u8; n + 32];
        // SAFETY: `off + n ≤ buf.len()`, and nothing else touches `buf` during the call.
        let mut ov = unsafe {
            ArrayViewMut::from_raw_parts(buf.as_mut_ptr().add(off), DType::Bool, &[n], &[1])
        };
        lt.eval_into(&ins, &mut ov, &opts(Stores::Streaming, 2))
            .unwrap();
        assert_eq!(&buf[off..off + n], &want_lt[..], "offset {off}");
        assert!(
            buf[..off].iter().chain(&buf[off + n..]).all(|&x| x == 7),
            "offset {off}"
        );
    }
    let sum = Expr::compile("a + b").unwrap();
    for off in 0..3 {
        let mut buf = vec![-1.0f64; n + 4];
        // SAFETY: as above, in f64 elements.
        let mut ov = unsafe {
            ArrayViewMut::from_raw_parts(
                buf.as_mut_ptr().add(off) as *mut u8,
                DType::F64,
                &[n],
                &[8],
            )
        };
        sum.eval_into(&ins, &mut ov, &opts(Stores::Streaming, 2))
            .unwrap();
        for i in 0..n {
            assert_eq!(buf[off + i], a[i] + b[i], "offset {off} at {i}");
        }
        assert!(buf[..off].iter().chain(&buf[off + n..]).all(|&x| x == -1.0));
    }
}

#[test]
fn layouts_that_cannot_stream_store_as_usual() {
    // A strided output (every other element), a transposed 2-D output, and a 2-D result
    // with a broadcast row, which streams row piece by row piece.
    let (rows, cols) = (300, 1001);
    let a = ramp(rows * cols, 0.25, 11.0);
    let row = ramp(cols, -3.0, 2.0);
    let e = Expr::compile("a * r - 1").unwrap();
    let av = ArrayView::from_shape(&a, &[rows, cols]).unwrap();
    let rv = ArrayView::from_slice(&row);
    let ins: Vec<(&str, Arg)> = vec![("a", av.into()), ("r", rv.into())];
    let want = |i: usize, j: usize| a[i * cols + j] * row[j] - 1.0;
    for threads in [1, 2, 4] {
        let got = e
            .eval_with(&ins, &opts(Stores::Streaming, threads))
            .unwrap();
        let v = got.to_vec::<f64>();
        for i in 0..rows {
            for j in 0..cols {
                assert_eq!(v[i * cols + j], want(i, j), "C order ({i}, {j})");
            }
        }
        // Transposed out: the inner loop steps by a whole row of `buf`.
        let mut buf = vec![0.0f64; rows * cols];
        // SAFETY: the (rows, cols) view with strides (8, rows·8) covers exactly `buf`.
        let mut ov = unsafe {
            ArrayViewMut::from_raw_parts(
                buf.as_mut_ptr() as *mut u8,
                DType::F64,
                &[rows, cols],
                &[8, rows as isize * 8],
            )
        };
        e.eval_into(&ins, &mut ov, &opts(Stores::Streaming, threads))
            .unwrap();
        for i in 0..rows {
            for j in 0..cols {
                assert_eq!(buf[j * rows + i], want(i, j), "transposed ({i}, {j})");
            }
        }
        // Every other element of a longer buffer.
        let n = 40_001;
        let x = ramp(n, 0.5, 0.0);
        let mut wide = vec![9.0f64; 2 * n];
        // SAFETY: `n` elements two apart lie within `wide`.
        let mut ov = unsafe {
            ArrayViewMut::from_raw_parts(wide.as_mut_ptr() as *mut u8, DType::F64, &[n], &[16])
        };
        Expr::compile("x + 1")
            .unwrap()
            .eval_into(
                &[("x", (&x).into())],
                &mut ov,
                &opts(Stores::Streaming, threads),
            )
            .unwrap();
        for i in 0..n {
            assert_eq!(
                (wide[2 * i], wide[2 * i + 1]),
                (x[i] + 1.0, 9.0),
                "strided {i}"
            );
        }
    }
}

#[test]
fn several_outputs_of_mixed_sizes_stream_together() {
    let e = Expr::compile_outputs("p = a*b; q = p > c; s = float32(p)", &["p", "q", "s"]).unwrap();
    for n in [0, 1, 960, 961, 16385, 100_003] {
        let (a, b, c) = (ramp(n, 0.37, 50.0), ramp(n, -0.011, 3.0), ramp(n, 1.5, 0.0));
        let ins: Vec<(&str, Arg)> =
            vec![("a", (&a).into()), ("b", (&b).into()), ("c", (&c).into())];
        let want = e.eval_all_with(&ins, &opts(Stores::Cached, 1)).unwrap();
        for threads in [1, 2, 4] {
            let got = e
                .eval_all_with(&ins, &opts(Stores::Streaming, threads))
                .unwrap();
            for (k, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_eq!(
                    g.as_bytes(),
                    w.as_bytes(),
                    "output {k} n {n} threads {threads}"
                );
            }
        }
    }
}

#[test]
fn large_results_stream_by_default_and_match() {
    // 96 MB of inputs and result: larger than the last-level cache of any machine we
    // run on, so `Auto` streams it where streaming is available.
    let n = 3_000_000;
    let e = Expr::compile("a*b + c").unwrap();
    for threads in [1, 2] {
        let auto = eval(&e, n, Stores::Auto, threads);
        let cached = eval(&e, n, Stores::Cached, threads);
        assert_eq!(auto.as_bytes(), cached.as_bytes(), "threads {threads}");
    }
}
