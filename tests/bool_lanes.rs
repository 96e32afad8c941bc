//! `bool` rows through the public API, against the reference interpreter: logic on `bool`
//! arrays, comparisons into `bool`, `bool` masks driving `where`, on 1, 2 and 4 threads,
//! allocating and in place. (Element-level checks of every layout are the codegen tests'.)

use jitex::{Arg, ArrayView, ArrayViewMut, Backend, DType, EvalOptions, Expr};

fn opts(backend: Backend, threads: usize) -> EvalOptions {
    EvalOptions {
        backend,
        threads: Some(threads),
        ..Default::default()
    }
}

/// Reproducible pseudo-random bits and numbers in [0, 1).
fn data(n: usize, seed: u64) -> (Vec<bool>, Vec<f64>) {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let bits = (0..n).map(|_| next() >> 63 == 1).collect();
    let nums = (0..n)
        .map(|_| (next() >> 11) as f64 / (1u64 << 53) as f64)
        .collect();
    (bits, nums)
}

const ROWS: [&str; 9] = [
    "~m | n",
    "m & n",
    "m ^ n",
    "~m",
    "m == n",
    "(a > 0.5) & (b < 0.5)",
    "where(m, a, b)",
    "where(a > b, a, b)",
    "m & (a > b) | ~n",
];

/// Every row at lengths around the vector groups and one that goes parallel, on 1, 2 and 4
/// threads, equals the interpreter.
#[test]
fn rows_equal_the_interpreter_on_every_thread_count() {
    let lens = [0, 1, 15, 16, 17, 31, 33, 127, 128, 129, 1000, 1_500_007];
    for &n in &lens {
        let (m, a) = data(n, 1);
        let (nn, b) = data(n, 2);
        let args = [
            ("m", Arg::from(&m)),
            ("n", Arg::from(&nn)),
            ("a", Arg::from(&a)),
            ("b", Arg::from(&b)),
        ];
        for src in ROWS {
            let e = Expr::compile(src).unwrap();
            let names = e.input_names();
            let args: Vec<(&str, Arg)> = args
                .iter()
                .filter(|(k, _)| names.iter().any(|x| x == k))
                .cloned()
                .collect();
            let want = e.eval_with(&args, &opts(Backend::Interp, 1)).unwrap();
            for t in [1, 2, 4] {
                let got = e.eval_with(&args, &opts(Backend::Jit, t)).unwrap();
                assert_eq!(got.dtype(), want.dtype(), "{src} n={n}");
                if want.dtype() == DType::Bool {
                    assert_eq!(
                        got.to_vec::<bool>(),
                        want.to_vec::<bool>(),
                        "{src} n={n} t={t}"
                    );
                } else {
                    let bits = |v: Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(
                        bits(got.to_vec::<f64>()),
                        bits(want.to_vec::<f64>()),
                        "{src} n={n} t={t}"
                    );
                }
            }
        }
    }
}

/// `m = ~m | n`, `m = m & (a > b)` and `a = where(m, a, b)`, in place, equal the
/// interpreter's allocated results.
#[test]
fn rows_in_place() {
    for n in [0, 5, 16, 129, 1000, 1_500_007] {
        for t in [1, 2, 4] {
            let (m0, a0) = data(n, 3);
            let (nn, b) = data(n, 4);
            for (src, into_m) in [
                ("~m | n", true),
                ("m & (a > b)", true),
                ("where(m, a, b)", false),
            ] {
                let e = Expr::compile(src).unwrap();
                let want = e
                    .eval_with(
                        &[
                            ("m", Arg::from(&m0)),
                            ("n", Arg::from(&nn)),
                            ("a", Arg::from(&a0)),
                            ("b", Arg::from(&b)),
                        ],
                        &opts(Backend::Interp, 1),
                    )
                    .unwrap();
                let (mut m, mut a) = (m0.clone(), a0.clone());
                let (mp, ap) = (m.as_mut_ptr() as *mut u8, a.as_mut_ptr() as *mut u8);
                // SAFETY: each view covers exactly its vector, which nothing else touches
                // during the call; the output is one of the inputs, element for element.
                let (mv, av, mut out) = unsafe {
                    (
                        ArrayView::from_raw_parts(mp, DType::Bool, &[n], &[1]),
                        ArrayView::from_raw_parts(ap, DType::F64, &[n], &[8]),
                        if into_m {
                            ArrayViewMut::from_raw_parts(mp, DType::Bool, &[n], &[1])
                        } else {
                            ArrayViewMut::from_raw_parts(ap, DType::F64, &[n], &[8])
                        },
                    )
                };
                e.eval_into(
                    &[
                        ("m", mv.into()),
                        ("n", Arg::from(&nn)),
                        ("a", av.into()),
                        ("b", Arg::from(&b)),
                    ],
                    &mut out,
                    &opts(Backend::Jit, t),
                )
                .unwrap();
                if into_m {
                    assert_eq!(m, want.to_vec::<bool>(), "{src} n={n} t={t}");
                } else {
                    assert_eq!(a, want.to_vec::<f64>(), "{src} n={n} t={t}");
                }
            }
        }
    }
}
