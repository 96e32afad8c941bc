//! Multi-statement programs and reductions through the public API, on both backends.

use jitex::{Arg, Array, Backend, EvalOptions, Expr};

fn both(src: &str, inputs: &[(&str, Arg)]) -> Vec<Array> {
    let e = Expr::compile(src).unwrap_or_else(|e| panic!("{}", e.render(src)));
    [Backend::Jit, Backend::Interp]
        .into_iter()
        .map(|backend| {
            let opts = EvalOptions {
                backend,
                threads: None,
                ..Default::default()
            };
            e.eval_with(inputs, &opts)
                .unwrap_or_else(|e| panic!("{}", e.render(src)))
        })
        .collect()
}

#[test]
fn temporaries_inline() {
    let a = [1.0f64, 2.0, 3.0];
    let b = [0.5f64, -1.0, 2.0];
    let c = [2.0f64, 2.0, 2.0];
    for r in both(
        "t = a*b; u = sin(t); t + u*c",
        &[("a", (&a).into()), ("b", (&b).into()), ("c", (&c).into())],
    ) {
        let want: Vec<f64> = (0..3)
            .map(|i| a[i] * b[i] + (a[i] * b[i]).sin() * c[i])
            .collect();
        assert_eq!(r.to_vec::<f64>(), want);
    }
}

#[test]
fn reductions_inside_expressions() {
    let a = [1.0f64, 2.0, 3.0, 6.0];
    for r in both("a - mean(a)", &[("a", (&a).into())]) {
        assert_eq!(r.to_vec::<f64>(), vec![-2.0, -1.0, 0.0, 3.0]);
    }
    let m = Array::from_vec(vec![1i32, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
    for r in both("sum(m, axis=1)", &[("m", (&m).into())]) {
        assert_eq!(r.shape(), &[2]);
        assert_eq!(r.to_vec::<i64>(), vec![6, 15]);
    }
    for r in both("sum(m*2, axis=-2) + max(m)", &[("m", (&m).into())]) {
        assert_eq!(r.to_vec::<i64>(), vec![16, 20, 24]);
    }
}

#[test]
fn several_outputs_in_one_pass_and_by_shape() {
    let a = [1.0f64, 2.0, 3.0];
    let b = [10.0f64, 20.0, 30.0];
    let args = [("a", Arg::from(&a)), ("b", Arg::from(&b))];
    let e = Expr::compile_outputs("x = a*2; y = x + b; z = x > 3", &["y", "x", "z"]).unwrap();
    for backend in [Backend::Jit, Backend::Interp] {
        let opts = EvalOptions {
            backend,
            threads: None,
            ..Default::default()
        };
        let r = e.eval_all_with(&args, &opts).unwrap();
        assert_eq!(r[0].to_vec::<f64>(), vec![12.0, 24.0, 36.0]);
        assert_eq!(r[1].to_vec::<f64>(), vec![2.0, 4.0, 6.0]);
        assert_eq!(r[2].to_vec::<bool>(), vec![false, true, true]);
    }
    // An output that reads only a reduction keeps its own (0-d) shape.
    let e = Expr::compile_outputs("x = a*2; s = sum(a); x / s", &["x", "s"]).unwrap();
    let r = e.eval_all(&args).unwrap();
    assert_eq!(r[0].shape(), &[3]);
    assert_eq!(r[1].shape(), &[] as &[usize]);
    assert_eq!(r[1].to_vec::<f64>(), vec![6.0]);
    // So does one that reads fewer inputs.
    let m = Array::from_vec(vec![1.0f64; 6], &[2, 3]).unwrap();
    let e = Expr::compile_outputs("p = a + 1; q = p * m", &["p", "q"]).unwrap();
    let r = e
        .eval_all(&[("a", (&a).into()), ("m", (&m).into())])
        .unwrap();
    assert_eq!(r[0].shape(), &[3]);
    assert_eq!(r[1].shape(), &[2, 3]);
    assert_eq!(r[1].to_vec::<f64>(), vec![2.0, 3.0, 4.0, 2.0, 3.0, 4.0]);
    // The one-result entry points refuse several outputs.
    assert_eq!(
        e.eval(&[("a", (&a).into()), ("m", (&m).into())])
            .unwrap_err()
            .kind,
        jitex::ErrorKind::Output
    );
    let err = Expr::compile_outputs("x = a", &["y"])
        .unwrap()
        .eval_all(&args)
        .unwrap_err();
    assert_eq!(err.kind, jitex::ErrorKind::Output);
}

#[test]
fn several_outputs_into_views() {
    let a = [1i32, 2, 3, 4];
    let e = Expr::compile_outputs("d = a * 2; h = a / 2", &["d", "h"]).unwrap();
    let mut d = vec![0i32; 4];
    let mut h = vec![0f64; 4];
    {
        let mut outs = [
            jitex::ArrayViewMut::from_slice_mut(&mut d),
            jitex::ArrayViewMut::from_slice_mut(&mut h),
        ];
        e.eval_all_into(&[("a", (&a).into())], &mut outs, &EvalOptions::default())
            .unwrap();
    }
    assert_eq!(d, vec![2, 4, 6, 8]);
    assert_eq!(h, vec![0.5, 1.0, 1.5, 2.0]);
}

/// A named output that reduces a temporary reads only the reduction, not the temporary's
/// inputs, so it keeps the reduction's shape.
#[test]
fn reduced_temporary_output_keeps_its_shape() {
    let m = Array::from_vec(vec![0.0f64, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3]).unwrap();
    let src = "t = a*2; x = t - mean(t, axis=0); y = sum(t, axis=-1)";
    for outputs in [&["y"][..], &["x", "y"]] {
        let r = Expr::compile_outputs(src, outputs)
            .unwrap()
            .eval_all(&[("a", (&m).into())])
            .unwrap();
        let y = r.last().unwrap();
        assert_eq!(y.shape(), &[2]);
        assert_eq!(y.to_vec::<f64>(), vec![6.0, 24.0]);
    }
}
