//! Strings as results (numexpr's `evaluate('s')`): a string input, `copy()` of one, or a
//! literal comes back as a copy with the same dtype and the very same bytes, NULs included,
//! from the JIT (1 and 4 threads) and the interpreter alike, on every layout (strided,
//! reversed, broadcast, transposed, 0-d, zero-size, n-d), into `out`, in place, and as
//! one of several outputs; the errors name what is wrong.

use jitex::{Arg, Array, ArrayView, ArrayViewMut, Backend, DType, ErrorKind, EvalOptions, Expr};
use jitex::{MathImpl, Scalar};

/// (backend, threads) pairs every case runs on.
const RUNS: [(Backend, usize); 3] = [(Backend::Jit, 1), (Backend::Jit, 4), (Backend::Interp, 2)];

fn opts(backend: Backend, threads: usize) -> EvalOptions {
    EvalOptions {
        backend,
        threads: Some(threads),
        ..Default::default()
    }
}

fn compile(src: &str) -> Expr {
    Expr::compile(src).unwrap_or_else(|e| panic!("{}", e.render(src)))
}

/// `n` S6 elements with NULs inside and at the ends (numexpr's `test_null_chars` data).
fn s6(n: usize) -> Vec<u8> {
    const WORDS: [&[u8; 6]; 4] = [b"foo\0b\0", b"\0\0foo\0", b"\0\0\0\0\0\0", b"\xffabc\x80z"];
    (0..n).flat_map(|i| *WORDS[i % 4]).collect()
}

/// `n` U2 elements (native-endian code points, astral and NUL ones among them).
fn u2(n: usize) -> Vec<u8> {
    const PAIRS: [[u32; 2]; 3] = [[0x61, 0], [0, 0x1f600], [0xe9, 0x10ffff]];
    (0..n)
        .flat_map(|i| PAIRS[i % 3])
        .flat_map(u32::to_ne_bytes)
        .collect()
}

/// The result's elements must be `want`'s, in C order.
fn assert_elements(r: &Array, dtype: DType, shape: &[usize], want: &[&[u8]], what: &str) {
    assert_eq!((r.dtype(), r.shape()), (dtype, shape), "{what}");
    let got: Vec<&[u8]> = (0..r.len()).map(|i| r.element_bytes(i)).collect();
    assert_eq!(got, want, "{what}");
}

/// The elements of `bytes` as `size`-byte chunks.
fn chunks(bytes: &[u8], size: usize) -> Vec<&[u8]> {
    bytes.chunks_exact(size).collect()
}

#[test]
fn inputs_and_copies_come_back_byte_for_byte() {
    let s = s6(4);
    let u = u2(6);
    let sv = ArrayView::from_bytes(&s, DType::Bytes(6), &[4]).unwrap();
    let uv = ArrayView::from_bytes(&u, DType::Str(2), &[2, 3]).unwrap();
    for (src, var, arg, dtype, bytes, shape) in [
        ("s", "s", &sv, DType::Bytes(6), &s, &[4][..]),
        ("copy(s)", "s", &sv, DType::Bytes(6), &s, &[4]),
        ("u", "u", &uv, DType::Str(2), &u, &[2, 3]),
        ("copy(copy(u))", "u", &uv, DType::Str(2), &u, &[2, 3]),
    ] {
        let e = compile(src);
        assert_eq!(e.result_dtype(&[(var, dtype)]).unwrap(), dtype);
        for (backend, threads) in RUNS {
            let r = e
                .eval_with(&[(var, Arg::Array(arg.clone()))], &opts(backend, threads))
                .unwrap();
            assert_eq!(r.as_bytes(), bytes.as_slice(), "{src} {backend:?}");
            assert_eq!((r.dtype(), r.shape()), (dtype, shape));
        }
    }
}

#[test]
fn literals_are_zero_d_strings() {
    let u = |s: &str| -> Vec<u8> { s.chars().flat_map(|c| (c as u32).to_ne_bytes()).collect() };
    for (src, dtype, bytes) in [
        ("b'abc'", DType::Bytes(3), b"abc".to_vec()),
        ("b\"abc\"", DType::Bytes(3), b"abc".to_vec()),
        ("b'a\\0b\\0'", DType::Bytes(4), b"a\0b\0".to_vec()),
        ("b''", DType::Bytes(1), vec![0]),
        ("'abc'", DType::Str(3), u("abc")),
        ("'h\\xe9\\U0001F600'", DType::Str(3), u("hé\u{1F600}")),
        ("copy('')", DType::Str(1), vec![0; 4]),
    ] {
        let e = compile(src);
        for (backend, threads) in RUNS {
            let r = e.eval_with(&[], &opts(backend, threads)).unwrap();
            assert_eq!((r.dtype(), r.shape()), (dtype, &[][..]), "{src}");
            assert_eq!(r.as_bytes(), bytes.as_slice(), "{src} {backend:?}");
        }
    }
}

#[test]
fn every_layout_is_copied_in_logical_order() {
    let n = 100_003;
    let s = s6(2 * n);
    let all = chunks(&s, 6);
    let e = compile("s");
    let run = |v: ArrayView, backend, threads| {
        e.eval_with(&[("s", Arg::Array(v))], &opts(backend, threads))
            .unwrap()
    };
    for (backend, threads) in RUNS {
        let base = ArrayView::from_bytes(&s, DType::Bytes(6), &[2 * n]).unwrap();
        // Every other element, then reversed: past the 16K chunks, across threads.
        let r = run(base.slice_step(2), backend, threads);
        let want: Vec<&[u8]> = all.iter().step_by(2).copied().collect();
        assert_elements(&r, DType::Bytes(6), &[n], &want, "s[::2]");
        let r = run(base.slice_step(-1), backend, threads);
        let want: Vec<&[u8]> = all.iter().rev().copied().collect();
        assert_elements(&r, DType::Bytes(6), &[2 * n], &want, "s[::-1]");
        // n-d, transposed: (2, 3, 4) read as (4, 3, 2).
        let cube = ArrayView::from_bytes(&s[..24 * 6], DType::Bytes(6), &[2, 3, 4]).unwrap();
        let r = run(cube.transpose(), backend, threads);
        let want: Vec<&[u8]> = (0..24)
            .map(|i| {
                let (a, b, c) = (i / 6, i / 2 % 3, i % 2);
                all[c * 12 + b * 4 + a]
            })
            .collect();
        assert_elements(&r, DType::Bytes(6), &[4, 3, 2], &want, "cube.T");
        // A broadcast view (zero strides, as `np.broadcast_to` makes).
        // SAFETY: every index reads element 1 of `s`, which outlives the view.
        let b = unsafe {
            ArrayView::from_raw_parts(s.as_ptr().add(6), DType::Bytes(6), &[3, 5], &[0, 0])
        };
        let r = run(b, backend, threads);
        assert_elements(&r, DType::Bytes(6), &[3, 5], &[all[1]; 15], "broadcast");
        // 0-d and zero-size.
        let r = run(
            ArrayView::from_bytes(&s[6..12], DType::Bytes(6), &[]).unwrap(),
            backend,
            threads,
        );
        assert_elements(&r, DType::Bytes(6), &[], &[all[1]], "0-d");
        for shape in [&[0][..], &[3, 0], &[0, 2]] {
            let r = run(
                ArrayView::from_bytes(&[], DType::Bytes(6), shape).unwrap(),
                backend,
                threads,
            );
            assert_elements(&r, DType::Bytes(6), shape, &[], "zero-size");
        }
    }
}

/// A writable view of `buf` as C-order `dtype` elements of `shape` (stepped along axis 0).
fn out_view<'a>(buf: &'a mut [u8], dtype: DType, shape: &[usize], step: isize) -> ArrayViewMut<'a> {
    let n: usize = shape.iter().product();
    assert!(buf.len() >= n * dtype.size() * step.unsigned_abs());
    // SAFETY: `buf` holds every element addressed, and is borrowed exclusively.
    let v = unsafe {
        ArrayViewMut::from_raw_parts(
            buf.as_mut_ptr(),
            dtype,
            &[n * step.unsigned_abs()],
            &[dtype.size() as isize],
        )
    };
    v.slice_step(step)
}

#[test]
fn into_out_strided_in_place_and_errors() {
    let s = s6(8);
    let want = chunks(&s, 6);
    let e = compile("copy(s)");
    for (backend, threads) in RUNS {
        let o = opts(backend, threads);
        let sv = || Arg::Array(ArrayView::from_bytes(&s, DType::Bytes(6), &[8]).unwrap());
        // A reversed `out` with gaps: the gaps stay untouched.
        let mut buf = vec![7u8; 16 * 6];
        e.eval_into(
            &[("s", sv())],
            &mut out_view(&mut buf, DType::Bytes(6), &[8], -2),
            &o,
        )
        .unwrap();
        for (i, w) in want.iter().enumerate() {
            let slot = 2 * (7 - i) + 1;
            assert_eq!(&buf[slot * 6..slot * 6 + 6], *w, "{backend:?} {i}");
            assert_eq!(&buf[(slot - 1) * 6..slot * 6], &[7; 6]);
        }
        // In place: `out` is the input itself.
        let mut data = s.clone();
        let p = data.as_mut_ptr();
        // SAFETY: the input and `out` are the very same elements of `data`, untouched
        // otherwise during the call: the documented element-wise in-place use.
        let (inp, mut out) = unsafe {
            (
                ArrayView::from_raw_parts(p, DType::Bytes(6), &[8], &[6]),
                ArrayViewMut::from_raw_parts(p, DType::Bytes(6), &[8], &[6]),
            )
        };
        e.eval_into(&[("s", Arg::Array(inp))], &mut out, &o)
            .unwrap();
        assert_eq!(data, s);
        // `out` must have the string dtype itself.
        for (dtype, size) in [
            (DType::Bytes(5), 5),
            (DType::Bytes(7), 7),
            (DType::Str(6), 24),
            (DType::U8, 1),
        ] {
            let mut buf = vec![0u8; 8 * size];
            let err = e
                .eval_into(&[("s", sv())], &mut out_view(&mut buf, dtype, &[8], 1), &o)
                .unwrap_err();
            assert_eq!(err.kind, ErrorKind::Output);
            assert_eq!(
                err.message,
                format!("`out` has dtype {dtype}, but the result is S6")
            );
            assert!(buf.iter().all(|&b| b == 0), "out written on error");
        }
    }
}

#[test]
fn repeated_calls_take_the_fast_path() {
    let e = compile("s");
    let mut out = vec![0u8; 3 * 5];
    for round in 0..4u8 {
        let s: Vec<u8> = (0..15).map(|i| i ^ round).collect();
        let v = ArrayView::from_bytes(&s, DType::Bytes(5), &[3]).unwrap();
        let r = e.eval(&[("s", Arg::Array(v.clone()))]).unwrap();
        assert_eq!(r.as_bytes(), s.as_slice(), "round {round}");
        e.eval_into(
            &[("s", Arg::Array(v))],
            &mut out_view(&mut out, DType::Bytes(5), &[3], 1),
            &EvalOptions::default(),
        )
        .unwrap();
        assert_eq!(out, s, "round {round}");
    }
}

#[test]
fn several_outputs_fuse_strings_with_numbers() {
    let n = 40_000;
    let s = s6(n);
    let u = u2(n);
    let x: Vec<f64> = (0..n).map(|i| i as f64 * 0.01).collect();
    let src = "c = s; m = contains(s, b'foo'); d = copy(u); y = sin(x) + 1; l = b'lit'";
    let e = Expr::compile_outputs(src, &["c", "m", "d", "y", "l"]).unwrap();
    let inputs = [
        (
            "s",
            Arg::Array(ArrayView::from_bytes(&s, DType::Bytes(6), &[n]).unwrap()),
        ),
        (
            "u",
            Arg::Array(ArrayView::from_bytes(&u, DType::Str(2), &[n]).unwrap()),
        ),
        ("x", Arg::from(&x)),
    ];
    let want_m: Vec<bool> = chunks(&s, 6)
        .iter()
        .map(|w| w.windows(3).any(|x| x == b"foo"))
        .collect();
    for (backend, threads) in RUNS {
        // The vector-math call splits the fused kernel into stages: the copies belong to
        // the last one.
        for math in [MathImpl::Vector, MathImpl::LibmBlocks, MathImpl::Libm] {
            let o = EvalOptions {
                math,
                ..opts(backend, threads)
            };
            let r = e.eval_all_with(&inputs, &o).unwrap();
            assert_eq!(r.len(), 5);
            assert_eq!(r[0].dtype(), DType::Bytes(6));
            assert!(r[0].as_bytes() == s, "{backend:?} {math:?}");
            assert!(r[1].to_vec::<bool>() == want_m, "{backend:?} {math:?}");
            assert_eq!(r[2].dtype(), DType::Str(2));
            assert!(r[2].as_bytes() == u, "{backend:?} {math:?}");
            assert_eq!(r[3].dtype(), DType::F64);
            assert_eq!((r[4].shape(), r[4].as_bytes()), (&[][..], &b"lit"[..]));
        }
    }
}

#[test]
fn several_string_outputs_over_their_own_inputs_swap() {
    // c = s into t's memory and d = t into s's: each output overlaps the other's input,
    // so both must come from the values before the call.
    let e = Expr::compile_outputs("c = s; d = t; k = s == t", &["c", "d", "k"]).unwrap();
    for (backend, threads) in RUNS {
        let (s0, t0) = (s6(5), s6(7)[12..].to_vec());
        let mut data = [s0.clone(), t0.clone()].concat();
        let mut k = [9u8; 5];
        let p = data.as_mut_ptr();
        // SAFETY: `s` is data[..30] and `t` data[30..]; the outputs are the same memory,
        // crossed, and nothing else touches `data` during the call.
        let (sv, tv, mut outs) = unsafe {
            let view =
                |off: usize| ArrayView::from_raw_parts(p.add(off), DType::Bytes(6), &[5], &[6]);
            let out =
                |off: usize| ArrayViewMut::from_raw_parts(p.add(off), DType::Bytes(6), &[5], &[6]);
            (
                view(0),
                view(30),
                [
                    out(30),
                    out(0),
                    ArrayViewMut::from_raw_parts(k.as_mut_ptr(), DType::Bool, &[5], &[1]),
                ],
            )
        };
        e.eval_all_into(
            &[("s", Arg::Array(sv)), ("t", Arg::Array(tv))],
            &mut outs,
            &opts(backend, threads),
        )
        .unwrap();
        assert_eq!(&data[..30], &t0[..], "{backend:?}");
        assert_eq!(&data[30..], &s0[..], "{backend:?}");
        let want: Vec<u8> = (0..5)
            .map(|i| u8::from(s0[i * 6..][..6] == t0[i * 6..][..6]))
            .collect();
        assert_eq!(k.to_vec(), want);
    }
}

#[test]
fn outputs_of_other_shapes_run_on_their_own() {
    // `c` reads only the 0-d `s`, `m` the (3,) `t`: each gets NumPy's shape for what it reads.
    let e = Expr::compile_outputs("c = s; m = s < t", &["c", "m"]).unwrap();
    let (s, t) = (b"ab".to_vec(), b"aaabac".to_vec());
    let inputs = [
        (
            "s",
            Arg::Array(ArrayView::from_bytes(&s, DType::Bytes(2), &[]).unwrap()),
        ),
        (
            "t",
            Arg::Array(ArrayView::from_bytes(&t, DType::Bytes(2), &[3]).unwrap()),
        ),
    ];
    for (backend, threads) in RUNS {
        let r = e.eval_all_with(&inputs, &opts(backend, threads)).unwrap();
        assert_eq!((r[0].shape(), r[0].as_bytes()), (&[][..], &s[..]));
        assert_eq!(r[1].to_vec::<bool>(), [false, false, true]);
    }
}

#[test]
fn string_misuse_is_still_a_type_error() {
    let sig = [("s", DType::Bytes(3)), ("x", DType::F64)];
    for src in [
        "where(s == b'a', s, s)",
        "where(x > 0, s, b'b')",
        "s + b'a'",
        "t = s; t * 2",
        "sum(s)",
        "ones_like(s)",
    ] {
        let err = compile(src).result_dtype(&sig).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Type, "{src}: {err}");
    }
    // An input named but not given is a name error, as for numbers.
    let err = compile("s")
        .eval(&[("x", Arg::Scalar(Scalar::F64(1.0)))])
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnknownName);
}

#[test]
fn zero_width_strings_do_not_panic() {
    // `S0` cannot be named, but the enum can hold it: nothing to copy, no panic.
    let e = compile("s");
    for (backend, threads) in RUNS {
        let v = ArrayView::from_bytes(&[], DType::Bytes(0), &[3]).unwrap();
        match e.eval_with(&[("s", Arg::Array(v))], &opts(backend, threads)) {
            Ok(r) => assert_eq!(
                (r.dtype(), r.shape(), r.as_bytes()),
                (DType::Bytes(0), &[3][..], &[][..])
            ),
            Err(err) => assert_ne!(err.kind, ErrorKind::Internal, "{err}"),
        }
    }
}
