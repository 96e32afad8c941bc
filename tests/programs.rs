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
