//! Reductions of expressions, which the compiled backend reduces as it computes the
//! argument (no argument array), against the interpreter backend, which materialises the
//! argument and reduces the array: identical bits (or the same error kind) for every op,
//! NaNs canonicalised in what sums and means give (which of several NaNs' payloads a sum
//! keeps is not specified: it depends on the compiled additions' operand order),
//! with and without an axis, on contiguous, strided, reversed, broadcast and transposed
//! inputs, lengths around the 16 KiB blocks and the pairwise tree's splits, NaNs in
//! several places, and 1, 2 and 4 threads.

use jitex::{Arg, Array, ArrayView, Backend, ErrorKind, EvalOptions, Expr};

/// Deterministic values in `[0, 1)`, with a NaN at each index of `nans` (payload = its
/// position in `nans`, so that the first NaN is recognisable).
fn data(n: usize, seed: u64, nans: &[usize]) -> Vec<f64> {
    let mut s = seed | 1;
    let mut v: Vec<f64> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect();
    for (k, &i) in nans.iter().enumerate() {
        if i < n {
            v[i] = f64::from_bits(0x7ff8_0000_0000_0000 | (k as u64 + 1));
        }
    }
    v
}

fn opts(backend: Backend, threads: usize) -> EvalOptions {
    EvalOptions {
        backend,
        threads: Some(threads),
        ..Default::default()
    }
}

/// The result's shape and bytes; with `canon`, every `float64` NaN as the canonical one.
fn bits(r: jitex::Result<Array>, canon: bool) -> Result<(Vec<usize>, Vec<u8>), ErrorKind> {
    r.map(|a| {
        let mut bytes = a.as_bytes().to_vec();
        if canon && a.dtype() == jitex::DType::F64 {
            for x in bytes.chunks_exact_mut(8) {
                if f64::from_le_bytes(x.try_into().expect("8 bytes")).is_nan() {
                    x.copy_from_slice(&f64::NAN.to_le_bytes());
                }
            }
        }
        (a.shape().to_vec(), bytes)
    })
    .map_err(|e| e.kind)
}

/// Whether `src` sums (a sum's NaN payload is not specified).
fn sums(src: &str) -> bool {
    src.contains("sum(") || src.contains("mean(")
}

/// Every source in `srcs` over `inputs`: the compiled backend on 1, 2 and 4 threads
/// against the interpreter on one.
fn agree(srcs: &[String], inputs: &[(&str, Arg)], what: &str) {
    for src in srcs {
        let expr = Expr::compile(src).expect("compiles");
        let want = bits(expr.eval_with(inputs, &opts(Backend::Interp, 1)), sums(src));
        for threads in [1, 2, 4] {
            let got = bits(
                expr.eval_with(inputs, &opts(Backend::Jit, threads)),
                sums(src),
            );
            assert!(got == want, "{src} on {what}, {threads} threads");
        }
    }
}

/// `op(arg)` and `op(arg, axis=k)` for every op and the given axes.
fn calls(arg: &str, axes: &[i64]) -> Vec<String> {
    let mut v = Vec::new();
    for op in ["sum", "prod", "min", "max", "mean", "any", "all"] {
        v.push(format!("{op}({arg})"));
        for a in axes {
            v.push(format!("{op}({arg}, axis={a})"));
        }
    }
    v
}

#[test]
fn one_axis_around_block_and_tree_boundaries() {
    // 2048 float64 elements make one block.
    for n in [1, 7, 129, 2047, 2048, 2049, 4088, 4105, 10_243, 70_001] {
        let (a, b) = (data(n, 1, &[]), data(n, 2, &[n / 3, n / 2]));
        let inputs = [("a", Arg::from(&a)), ("b", Arg::from(&b))];
        let mut srcs = calls("a*b", &[0, -1]);
        srcs.extend(calls("a + b", &[]));
        srcs.extend(calls("where(a > 0.5, a, 0)", &[0]));
        srcs.extend(calls("a > b", &[]));
        srcs.extend(calls("a*2.0 - 1.0", &[]));
        srcs.push("a - mean(a*b)".into());
        agree(&srcs, &inputs, &format!("n = {n}"));
    }
}

/// Ties between zeros of both signs, infinities and all-negative arguments: a fused `min`
/// or `max` gives the first of the extremes, as the interpreter does, wherever it lies
/// among the ranges the compiled code reduces at once.
#[test]
fn signed_zeros_infinities_and_negative_arguments() {
    let n = 20_000;
    let a: Vec<f64> = (0..n)
        .map(|i| match i % 7 {
            0 => 1.0,
            1 => -1.0,
            2 => 0.5,
            _ => -0.25,
        })
        .collect();
    let mut b = data(n, 11, &[]);
    b[12_345] = f64::INFINITY;
    b[333] = f64::NEG_INFINITY;
    let inputs = [("a", Arg::from(&a)), ("b", Arg::from(&b))];
    let mut srcs = Vec::new();
    for arg in [
        "a*0.0",
        "where(a > 0, 0.0*a, -b)",
        "where(a < 0, 0.0*a, b)",
        "b - 2.0",
        "a*b",
        "-b*b",
    ] {
        srcs.extend(["min", "max"].map(|op| format!("{op}({arg})")));
    }
    agree(&srcs, &inputs, "signed zeros and infinities");
}

#[test]
fn strided_reversed_and_broadcast_inputs() {
    let n = 5000;
    let a = data(2 * n, 3, &[]);
    let b = data(n, 4, &[17, 4000]);
    let even = ArrayView::from_slice(&a).slice_step(2);
    let back = ArrayView::from_slice(&b).slice_step(-1);
    let inputs = [
        ("a", Arg::from(even)),
        ("b", Arg::from(back)),
        ("s", Arg::from(0.25f64)),
    ];
    let mut srcs = calls("a*b", &[0]);
    srcs.extend(calls("a + s", &[]));
    srcs.extend(calls("s*b - a", &[0]));
    agree(&srcs, &inputs, "a[::2], b[::-1], scalar s");
}

#[test]
fn two_and_three_dimensional_inputs() {
    for (rows, cols) in [(3, 700), (700, 3), (64, 2049), (150, 2000), (1, 5000)] {
        let n = rows * cols;
        let a = data(n, 5, &[n / 2]);
        let b = data(cols, 6, &[]);
        let c = data(rows, 7, &[]);
        let va = ArrayView::from_shape(&a, &[rows, cols]).expect("shape");
        let vc = ArrayView::from_shape(&c, &[rows, 1]).expect("shape");
        let inputs = [
            ("a", Arg::from(va.clone())),
            ("b", Arg::from(&b)),
            ("c", Arg::from(vc)),
            ("t", Arg::from(va.transpose())),
        ];
        let mut srcs = calls("a*b", &[0, 1, -1]);
        srcs.extend(calls("a - c", &[0, 1]));
        srcs.extend(calls("t*2.0", &[0, 1]));
        srcs.push("a - mean(a*b, axis=0)".into());
        agree(&srcs, &inputs, &format!("({rows}, {cols})"));
    }
    let a = data(5 * 33 * 21, 8, &[]);
    let va = ArrayView::from_shape(&a, &[5, 33, 21]).expect("shape");
    let inputs = [("a", Arg::from(va)), ("s", Arg::from(3.0f64))];
    agree(&calls("a*s", &[0, 1, 2]), &inputs, "(5, 33, 21)");
}

#[test]
fn empty_inputs_give_identities_or_errors() {
    let a: Vec<f64> = Vec::new();
    let z = data(12, 9, &[]);
    let vz = ArrayView::from_shape(&z[..0], &[0, 4]).expect("shape");
    let inputs = [("a", Arg::from(&a)), ("z", Arg::from(vz))];
    let mut srcs = calls("a*2.0", &[0]);
    srcs.extend(calls("z + 1.0", &[0, 1]));
    agree(&srcs, &inputs, "empty");
}

#[test]
fn other_dtypes() {
    let n = 9000;
    let a: Vec<i32> = (0..n).map(|i| (i % 13) - 6).collect();
    let b: Vec<f32> = data(n as usize, 10, &[])
        .iter()
        .map(|&x| x as f32)
        .collect();
    let m = ArrayView::from_shape(&b, &[9, 1000]).expect("shape");
    let inputs = [
        ("a", Arg::from(&a)),
        ("b", Arg::from(&b)),
        ("m", Arg::from(m)),
    ];
    let mut srcs = calls("a*3", &[0]);
    srcs.extend(calls("b*b", &[0]));
    srcs.extend(calls("a*b", &[]));
    srcs.extend(calls("a > 0", &[]));
    srcs.extend(calls("m*m - 0.5", &[0, 1]));
    agree(&srcs, &inputs, "int32 and float32");
}

#[test]
fn zero_dimensional_arguments() {
    let inputs = [("s", Arg::from(2.5f64)), ("k", Arg::from(3i64))];
    let mut srcs = calls("s*2.0", &[]);
    srcs.extend(calls("k - 3", &[]));
    srcs.push("sum(s*2.0, axis=0)".into());
    srcs.push("s - mean(s*k)".into());
    agree(&srcs, &inputs, "0-d");
}

/// One compiled expression called again and again while the inputs' shapes and strides
/// change (and back): each call equals the interpreter's, so a prepared argument kept from
/// an earlier call is only reused for the layout it was prepared for.
#[test]
fn repeated_calls_with_changing_layouts() {
    let a = data(5000, 21, &[]);
    let b = data(5000, 22, &[]);
    // (first, end, step) of each input's slice.
    let layouts: [(usize, usize, isize); 6] = [
        (0, 2000, 1),
        (0, 4000, 2),
        (0, 2000, 1),
        (3, 2002, 1),
        (1000, 3000, -1),
        (0, 2000, 1),
    ];
    for src in [
        "sum(a*b)",
        "max(a + b)",
        "mean(where(a > 0.5, a, b))",
        "b - sum(a*b)",
    ] {
        let expr = Expr::compile(src).expect("compiles");
        for &(start, end, step) in &layouts {
            let va = ArrayView::from_slice(&a[start..end]).slice_step(step);
            let vb = ArrayView::from_slice(&b[start..end]).slice_step(step);
            let inputs = [("a", Arg::from(va)), ("b", Arg::from(vb))];
            let want = bits(
                expr.eval_with(&inputs, &opts(Backend::Interp, 1)),
                sums(src),
            );
            for threads in [1, 2] {
                let got = bits(
                    expr.eval_with(&inputs, &opts(Backend::Jit, threads)),
                    sums(src),
                );
                assert_eq!(got, want, "{src} over {start}..{end} by {step}");
            }
        }
    }
}
