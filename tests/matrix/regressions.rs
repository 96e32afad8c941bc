//! Cases the differential property found, kept as direct tests (with why each failed).

use jitex::testkit::{elements, same_bits};
use jitex::types::Complex32;
use jitex::{Arg, Backend, EvalOptions, Expr, Scalar};

/// Found by the property: `7*a` with `a = tiny + inf*j` has real part `7*tiny - 0*inf`, a
/// NaN whose sign `arcsinh` turns into the sign of an infinity. NumPy (a fused
/// multiply-subtract) keeps the product's NaN sign and gives `-inf+nanj`; the interpreter
/// flipped it with `mul_add(.., -p)` and gave `+inf+nanj`.
#[test]
fn nan_sign_of_a_complex_product_reaches_arcsinh_as_in_numpy() {
    let a = [jitex::types::Complex64::new(1.828e-113, f64::INFINITY)];
    let e = Expr::compile("arcsinh(7*a)").unwrap();
    let eval = |backend| {
        let opts = EvalOptions {
            backend,
            threads: Some(1),
            // libm in blocks: the staging of vector-math programs, exact against the interpreter.
            math: jitex::MathImpl::LibmBlocks,
            ..EvalOptions::default()
        };
        e.eval_with(&[("a", (&a).into())], &opts).unwrap().get(0)
    };
    let (jit, interp) = (eval(Backend::Jit), eval(Backend::Interp));
    match interp {
        Scalar::C128(z) => assert!(z.re == f64::NEG_INFINITY && z.im.is_nan(), "{z:?}"),
        other => panic!("complex128 expected, got {other:?}"),
    }
    assert!(same_bits(jit, interp), "jit {jit:?}, interp {interp:?}");
}

/// A split program whose slots hold complex128 values (16 bytes): found by the random
/// test above when slots were sized for 8-byte elements.
#[test]
fn staged_complex_slots() {
    let src =
        "(imag(where(-b, complex128(a), -b)) / (((a - 1.5) / exp(c)) - complex(c == c, b + b)))";
    let e = Expr::compile(src).unwrap();
    let n = 1500;
    let a: Vec<Complex32> = (0..n)
        .map(|i| Complex32::new(i as f32 * 0.5, -(i as f32)))
        .collect();
    let b: Vec<f64> = (0..n).map(|i| 1e300 / (i + 1) as f64).collect();
    let c: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
    let args = [
        ("a", Arg::from(&a[..])),
        ("b", Arg::from(&b[..])),
        ("c", Arg::from(&c[..])),
    ];
    let run = |backend, math| {
        let opts = EvalOptions {
            backend,
            threads: Some(1),
            math,
            ..EvalOptions::default()
        };
        elements(&e.eval_with(&args, &opts).unwrap())
    };
    let want = run(Backend::Interp, jitex::MathImpl::Libm);
    for math in [jitex::MathImpl::Libm, jitex::MathImpl::LibmBlocks] {
        let got = run(Backend::Jit, math);
        for (k, (x, y)) in got.iter().zip(&want).enumerate() {
            assert!(same_bits(*x, *y), "{math:?} element {k}: {x:?} vs {y:?}");
        }
    }
}
