//! End-to-end tests of the public API: text in, arrays out, through every stage.
//!
//! Expected values are computed in Rust next to each call (NumPy's semantics for these
//! simple cases); random expressions against the reference interpreter are the
//! differential matrix's (`matrix.rs`).

use jitex::{
    evaluate, Arg, Array, ArrayView, ArrayViewMut, Backend, DType, ErrorKind, EvalOptions, Expr,
    Scalar, Typing,
};

fn jit(threads: usize) -> EvalOptions {
    EvalOptions {
        backend: Backend::Jit,
        threads: Some(threads),
        ..Default::default()
    }
}

fn interp() -> EvalOptions {
    EvalOptions {
        backend: Backend::Interp,
        threads: Some(1),
        ..Default::default()
    }
}

fn ramp(n: usize, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|i| (i as f64 - n as f64 / 2.0) * scale)
        .collect()
}

#[test]
fn evaluates_a_fused_expression() {
    let a = ramp(1000, 0.01);
    let b = ramp(1000, -0.003);
    let r = evaluate(
        "2*a + 3*sin(b)**2",
        &[("a", (&a).into()), ("b", (&b).into())],
    )
    .unwrap();
    assert_eq!(r.dtype(), DType::F64);
    assert_eq!(r.shape(), &[1000]);
    let got = r.to_vec::<f64>();
    for i in 0..1000 {
        let want = 2.0 * a[i] + 3.0 * b[i].sin().powi(2);
        assert!(
            (got[i] - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{i}: {} vs {want}",
            got[i]
        );
    }
}

#[test]
fn weak_literals_keep_float32() {
    let a: Vec<f32> = vec![1.5, -2.0, 0.25];
    let e = Expr::compile("a * 2.0 + 1").unwrap();
    assert_eq!(e.result_dtype(&[("a", DType::F32)]).unwrap(), DType::F32);
    let r = e.eval(&[("a", (&a).into())]).unwrap();
    assert_eq!(r.to_vec::<f32>(), vec![4.0, -3.0, 1.5]);
}

#[test]
fn mixed_dtypes_promote() {
    let a: Vec<i32> = vec![1, 2, 3];
    let b: Vec<f32> = vec![0.5, 0.5, 0.5];
    let e = Expr::compile("a + b").unwrap();
    // int32 with float32 gives float64, as in NumPy.
    assert_eq!(
        e.result_dtype(&[("a", DType::I32), ("b", DType::F32)])
            .unwrap(),
        DType::F64
    );
    let r = e.eval(&[("a", (&a).into()), ("b", (&b).into())]).unwrap();
    assert_eq!(r.to_vec::<f64>(), vec![1.5, 2.5, 3.5]);
}

#[test]
fn packed_bool_stores_match_the_interpreter() {
    // Comparisons of 8- and 4-byte values store their bools a whole unrolled vector group
    // at a time (16 or 32 lanes), then one vector, then element by element: every length
    // around those boundaries, with two bool outputs and one number output beside them.
    let e = Expr::compile_outputs(
        "m = (a > 0.5) & (b < 0.5); k = a < b; x = a + b",
        &["m", "k", "x"],
    )
    .unwrap();
    let s = Expr::compile("(a > 0.5) & (b < 0.5)").unwrap();
    for n in (0..70).chain([1000, 4099]) {
        let a: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 100.0).collect();
        let b: Vec<f64> = (0..n).map(|i| ((i * 53) % 97) as f64 / 96.0).collect();
        let (af, bf): (Vec<f32>, Vec<f32>) = (
            a.iter().map(|&v| v as f32).collect(),
            b.iter().map(|&v| v as f32).collect(),
        );
        let (ai, bi): (Vec<i32>, Vec<i32>) = (
            a.iter().map(|&v| (v * 100.0) as i32 - 50).collect(),
            b.iter().map(|&v| (v * 100.0) as i32 - 50).collect(),
        );
        let sets: [[(&str, Arg); 2]; 3] = [
            [("a", Arg::from(&a)), ("b", Arg::from(&b))],
            [("a", Arg::from(&af)), ("b", Arg::from(&bf))],
            [("a", Arg::from(&ai)), ("b", Arg::from(&bi))],
        ];
        for inputs in &sets {
            let want = e.eval_all_with(inputs, &interp()).unwrap();
            let got = e.eval_all_with(inputs, &jit(1)).unwrap();
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.as_bytes(), w.as_bytes(), "n = {n}, {:?}", w.dtype());
            }
            let one = s.eval_with(inputs, &jit(2)).unwrap();
            assert_eq!(one.as_bytes(), want[0].as_bytes(), "n = {n}");
        }
    }
}

#[test]
fn numexpr_typing_is_its_own_kernel() {
    let a: Vec<i32> = vec![1, 2, 3];
    let b: Vec<f32> = vec![0.1, 0.1, 0.1];
    let args = [("a", Arg::from(&a)), ("b", Arg::from(&b))];
    // The same source in both typings, in one process: the kernel cache keeps them apart.
    let numpy = Expr::compile("a * b").unwrap();
    let numexpr = Expr::compile("a * b").unwrap().with_typing(Typing::Numexpr);
    assert_eq!(numexpr.typing(), Typing::Numexpr);
    for _ in 0..2 {
        let r = numpy.eval(&args).unwrap();
        assert_eq!(r.dtype(), DType::F64);
        assert_eq!(r.to_vec::<f64>()[2], 3.0 * f64::from(0.1f32));
        for opts in [jit(2), interp()] {
            let r = numexpr.eval_with(&args, &opts).unwrap();
            assert_eq!(r.dtype(), DType::F32);
            assert_eq!(r.to_vec::<f32>()[2], 3.0f32 * 0.1f32);
        }
    }
    // Back to NumPy's rules: the same kernels as a plain compile.
    let back = numexpr.with_typing(Typing::NumPy);
    assert_eq!(back.eval(&args).unwrap().dtype(), DType::F64);
}

#[test]
fn integer_floor_division_by_zero_is_zero() {
    let a: Vec<i32> = vec![7, -7, 5, i32::MIN];
    let b: Vec<i32> = vec![2, 2, 0, -1];
    let r = evaluate("a // b", &[("a", (&a).into()), ("b", (&b).into())]).unwrap();
    assert_eq!(r.dtype(), DType::I32);
    assert_eq!(r.to_vec::<i32>(), vec![3, -4, 0, i32::MIN]);
}

#[test]
fn comparisons_give_bool() {
    let a = [1.0f64, 5.0, 3.0];
    let r = evaluate("a > 2", &[("a", (&a).into())]).unwrap();
    assert_eq!(r.dtype(), DType::Bool);
    assert_eq!(r.to_vec::<bool>(), vec![false, true, true]);
    assert_eq!(r.get(1), Scalar::Bool(true));
}

#[test]
fn scalars_broadcast_and_are_strong() {
    let a: Vec<i32> = vec![1, 2, 3];
    let r = evaluate("a * k", &[("a", (&a).into()), ("k", 2.5f64.into())]).unwrap();
    assert_eq!(r.dtype(), DType::F64);
    assert_eq!(r.to_vec::<f64>(), vec![2.5, 5.0, 7.5]);
    let r = evaluate("x + y", &[("x", 1i64.into()), ("y", 2i64.into())]).unwrap();
    assert_eq!(r.shape(), &[] as &[usize]);
    assert_eq!(r.to_vec::<i64>(), vec![3]);
}

#[test]
fn broadcasting_2d() {
    let m: Vec<f64> = (0..12).map(f64::from).collect();
    let row = [100.0f64, 200.0, 300.0, 400.0];
    let col = [1.0f64, 2.0, 3.0];
    let mv = ArrayView::from_shape(&m, &[3, 4]).unwrap();
    let cv = ArrayView::from_shape(&col, &[3, 1]).unwrap();
    let r = evaluate(
        "m + r * c",
        &[("m", mv.into()), ("r", (&row).into()), ("c", cv.into())],
    )
    .unwrap();
    assert_eq!(r.shape(), &[3, 4]);
    let got = r.to_vec::<f64>();
    for i in 0..3 {
        for j in 0..4 {
            assert_eq!(got[i * 4 + j], m[i * 4 + j] + row[j] * col[i]);
        }
    }
}

#[test]
fn strided_reversed_and_transposed_inputs() {
    let base: Vec<f64> = (0..20).map(f64::from).collect();
    let v = ArrayView::from_slice(&base);
    let r = evaluate(
        "a - b",
        &[
            ("a", v.slice_step(2).into()),
            ("b", v.slice_step(-2).into()),
        ],
    )
    .unwrap();
    let want: Vec<f64> = (0..10).map(|i| base[2 * i] - base[19 - 2 * i]).collect();
    assert_eq!(r.to_vec::<f64>(), want);

    let m = ArrayView::from_shape(&base, &[4, 5]).unwrap();
    let r = evaluate("t * 2", &[("t", m.transpose().into())]).unwrap();
    assert_eq!(r.shape(), &[5, 4]);
    let got = r.to_vec::<f64>();
    for i in 0..5 {
        for j in 0..4 {
            assert_eq!(got[i * 4 + j], base[j * 5 + i] * 2.0);
        }
    }
}

#[test]
fn eval_into_and_in_place() {
    let a = [1.0f64, 2.0, 3.0];
    let e = Expr::compile("a * a").unwrap();
    let mut out = [0.0f64; 3];
    e.eval_into(
        &[("a", (&a).into())],
        &mut ArrayViewMut::from_slice_mut(&mut out),
        &EvalOptions::default(),
    )
    .unwrap();
    assert_eq!(out, [1.0, 4.0, 9.0]);

    let mut wrong = [0.0f32; 3];
    let err = e
        .eval_into(
            &[("a", (&a).into())],
            &mut ArrayViewMut::from_slice_mut(&mut wrong),
            &EvalOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Output);
    let mut short = [0.0f64; 2];
    let err = e
        .eval_into(
            &[("a", (&a).into())],
            &mut ArrayViewMut::from_slice_mut(&mut short),
            &EvalOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Output);

    // In place: `out` is the very memory of `a`.
    let mut buf = vec![1.0f64, 2.0, 3.0, 4.0];
    let p = buf.as_mut_ptr();
    // SAFETY: both views cover exactly `buf`, which nothing else touches during the call.
    let (av, mut ov) = unsafe {
        (
            ArrayView::from_raw_parts(p as *const u8, DType::F64, &[4], &[8]),
            ArrayViewMut::from_raw_parts(p as *mut u8, DType::F64, &[4], &[8]),
        )
    };
    Expr::compile("a + 1")
        .unwrap()
        .eval_into(&[("a", av.into())], &mut ov, &EvalOptions::default())
        .unwrap();
    assert_eq!(buf, vec![2.0, 3.0, 4.0, 5.0]);
}

#[test]
fn inputs_are_not_modified_and_unused_ones_ignored() {
    let a = vec![1.0f64, 2.0];
    let unused = vec![9i8; 5];
    let copy = a.clone();
    let r = evaluate("a * 3", &[("a", (&a).into()), ("zzz", (&unused).into())]).unwrap();
    assert_eq!(r.to_vec::<f64>(), vec![3.0, 6.0]);
    assert_eq!(a, copy);
}

#[test]
fn errors_have_kinds_and_spans() {
    let err = Expr::compile("a +").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Syntax);

    let a = [1.0f64; 3];
    let err = evaluate("a + bb", &[("a", (&a).into())]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnknownName);
    let span = err.span.expect("unknown names point at the name");
    assert_eq!((span.start, span.end), (4, 6));

    let err = evaluate("a + a", &[("a", (&a).into()), ("a", (&a).into())]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnknownName);
    assert!(err.message.contains("more than once"), "{}", err.message);

    let b = [1.0f64; 4];
    let err = evaluate("a + b", &[("a", (&a).into()), ("b", (&b).into())]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Shape);
    assert_eq!(err.message, "shapes (3,) and (4,) do not broadcast");
    let span = err.span.expect("shape errors point at the operand");
    assert_eq!((span.start, span.end), (4, 5));
}

#[test]
fn zero_size_results() {
    let a: [f64; 0] = [];
    let r = evaluate("sin(a) + 1", &[("a", (&a).into())]).unwrap();
    assert_eq!(r.shape(), &[0]);
    assert_eq!(r.dtype(), DType::F64);
    assert!(r.is_empty());
}

#[test]
fn arrays_feed_back_as_inputs() {
    let a = [1i64, 2, 3];
    let r: Array = evaluate("a * 10", &[("a", (&a).into())]).unwrap();
    let r2 = evaluate("r + a", &[("r", (&r).into()), ("a", (&a).into())]).unwrap();
    assert_eq!(r2.to_vec::<i64>(), vec![11, 22, 33]);
    assert_eq!(r2.as_slice::<i64>(), Some(&[11i64, 22, 33][..]));
}

#[test]
fn one_expr_shared_across_threads() {
    let e = std::sync::Arc::new(Expr::compile("x * 2 + 1").unwrap());
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let e = std::sync::Arc::clone(&e);
            std::thread::spawn(move || {
                let x: Vec<f64> = (0..1000).map(|i| (i * t) as f64).collect();
                let r = e.eval(&[("x", (&x).into())]).unwrap();
                assert!(r
                    .to_vec::<f64>()
                    .iter()
                    .zip(&x)
                    .all(|(r, x)| *r == x * 2.0 + 1.0));
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn explain_shows_every_stage() {
    let e = Expr::compile("a * 2 + b").unwrap();
    let x = e.explain(&[("a", DType::F64), ("b", DType::F64)]).unwrap();
    assert!(x.ast.contains('a') && x.ast.contains('b'), "{}", x.ast);
    assert!(x.ir.contains("input"), "{}", x.ir);
    assert!(x.optimized.contains("return"), "{}", x.optimized);
    assert!(!x.clif.is_empty());
    assert!(x.code_size > 0);
}

#[test]
fn thread_count_is_settable() {
    jitex::set_num_threads(3);
    assert_eq!(jitex::num_threads(), 3);
    jitex::set_num_threads(0);
    assert_eq!(jitex::num_threads(), 1);
}

#[test]
fn reductions_into_out() {
    let a: Vec<f64> = (0..12).map(f64::from).collect();
    let b: Vec<f64> = (0..12).map(|i| f64::from(i) * 0.5).collect();
    let va = ArrayView::from_shape(&a, &[3, 4]).unwrap();
    let vb = ArrayView::from_shape(&b, &[3, 4]).unwrap();
    let inputs = [("a", Arg::from(va)), ("b", Arg::from(vb))];
    let opts = EvalOptions::default();
    // Along an axis, into every other element of a buffer.
    let e = Expr::compile("sum(a*b, axis=1)").unwrap();
    let want = e.eval(&inputs).unwrap();
    let mut buf = [-1.0f64; 6];
    let mut out = ArrayViewMut::from_slice_mut(&mut buf).slice_step(2);
    e.eval_into(&inputs, &mut out, &opts).unwrap();
    assert_eq!(want.as_slice::<f64>().unwrap(), &[buf[0], buf[2], buf[4]]);
    assert_eq!([buf[1], buf[3], buf[5]], [-1.0; 3]);
    // Over everything, into a 0-d view.
    let e = Expr::compile("sum(a*b)").unwrap();
    let mut one = [0.0f64];
    let mut out = ArrayViewMut::from_shape_mut(&mut one, &[]).unwrap();
    e.eval_into(&inputs, &mut out, &opts).unwrap();
    assert_eq!(
        one[0],
        e.eval(&inputs).unwrap().as_slice::<f64>().unwrap()[0]
    );
    // A wrong shape or dtype is refused and nothing is written.
    let e = Expr::compile("sum(a*b, axis=0)").unwrap();
    let mut three = [7.0f64; 3];
    let err = e
        .eval_into(
            &inputs,
            &mut ArrayViewMut::from_slice_mut(&mut three),
            &opts,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Output);
    assert_eq!(three, [7.0; 3]);
    let mut narrow = [7.0f32; 4];
    let err = e
        .eval_into(
            &inputs,
            &mut ArrayViewMut::from_slice_mut(&mut narrow),
            &opts,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Output);
}

#[test]
fn reductions_write_straight_into_a_contiguous_out() {
    // Every reduction, over everything and along each axis, on one thread and two, into a
    // C-contiguous `out` full of NaNs: the same bits as the allocating call.
    let (rows, cols) = (300, 257);
    let a: Vec<f64> = (0..rows * cols)
        .map(|i| ((i * 37 % 1001) as f64 - 500.0) * 0.25)
        .collect();
    let va = ArrayView::from_shape(&a, &[rows, cols]).unwrap();
    let inputs = [("a", Arg::from(va))];
    for threads in [1, 2] {
        let opts = EvalOptions {
            threads: Some(threads),
            ..EvalOptions::default()
        };
        for f in ["sum", "prod", "min", "max", "mean", "any", "all"] {
            for axis in ["", ", axis=0", ", axis=1"] {
                for arg in ["a", "a*0.5 + 1"] {
                    let src = format!("{f}({arg}{axis})");
                    let e = Expr::compile(&src).unwrap();
                    let want = e.eval_with(&inputs, &opts).unwrap();
                    let n = want.len();
                    let mut buf = vec![f64::NAN; n];
                    let got: Vec<u8> = if want.dtype() == DType::Bool {
                        let mut flags = vec![true; n];
                        let mut out =
                            ArrayViewMut::from_shape_mut(&mut flags, want.shape()).unwrap();
                        e.eval_into(&inputs, &mut out, &opts).unwrap();
                        flags.iter().map(|&b| b as u8).collect()
                    } else {
                        let mut out = ArrayViewMut::from_shape_mut(&mut buf, want.shape()).unwrap();
                        e.eval_into(&inputs, &mut out, &opts).unwrap();
                        buf.iter().flat_map(|x| x.to_ne_bytes()).collect()
                    };
                    assert_eq!(got, want.as_bytes(), "{src} threads={threads}");
                }
            }
        }
    }
}

#[test]
fn reduction_into_an_out_that_shares_an_input_reads_the_input_as_it_was() {
    // `out` starts the last row of `a`'s own buffer, which the reduction reads last;
    // NumPy semantics: the result is that of the inputs before the call.
    let (rows, cols) = (64, 1000);
    let mut buf: Vec<f64> = (0..rows * cols).map(|i| (i % 977) as f64).collect();
    let fresh = buf.clone();
    let view = ArrayView::from_shape(&fresh, &[rows, cols]).unwrap();
    let last = (rows - 1) * cols;
    for src in [
        "max(a, axis=0)",
        "sum(a*2, axis=0)",
        "sum(a, axis=1)",
        "max(a*2, axis=1)",
        "mean(a, axis=1)",
    ] {
        let e = Expr::compile(src).unwrap();
        let want = e.eval(&[("a", Arg::from(view.clone()))]).unwrap();
        let n = want.len();
        for threads in [1, 2] {
            buf.copy_from_slice(&fresh);
            let ptr = buf.as_mut_ptr();
            // SAFETY: both views lie within `buf`, which nothing else touches during the
            // call; the runtime must see that `out` shares `a`'s bytes.
            let (a, mut out) = unsafe {
                let strides = [8 * cols as isize, 8];
                (
                    ArrayView::from_raw_parts(
                        ptr as *const u8,
                        DType::F64,
                        &[rows, cols],
                        &strides,
                    ),
                    ArrayViewMut::from_raw_parts(ptr.add(last) as *mut u8, DType::F64, &[n], &[8]),
                )
            };
            let opts = EvalOptions {
                threads: Some(threads),
                ..EvalOptions::default()
            };
            e.eval_into(&[("a", Arg::from(a))], &mut out, &opts)
                .unwrap();
            let got = &buf[last..last + n];
            assert_eq!(
                got,
                want.as_slice::<f64>().unwrap(),
                "{src} threads={threads}"
            );
        }
    }
}
