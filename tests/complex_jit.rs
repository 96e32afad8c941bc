//! Complex arrays through the public API: the JIT must agree with the reference
//! interpreter bit for bit (NaN payloads aside) for contiguous, strided and scalar inputs,
//! and on repeated calls (the per-`Expr` fast path, which passes scalars by value).

use jitex::{Arg, Array, ArrayView, Backend, DType, EvalOptions, Expr, Scalar};
use num_complex::{Complex32, Complex64};

fn opts(backend: Backend) -> EvalOptions {
    EvalOptions {
        backend,
        threads: Some(1),
        ..Default::default()
    }
}

/// `n` values cycling through special parts (NaN, ±inf, ±0, huge, tiny) and ordinary ones.
fn data(n: usize, seed: usize) -> Vec<Complex64> {
    const P: [f64; 12] = [
        0.0,
        -0.0,
        1.0,
        -2.5,
        0.1,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e-310,
        std::f64::consts::PI,
        -7.0 / 3.0,
    ];
    (0..n)
        .map(|i| {
            let j = i * 7 + seed;
            Complex64::new(P[j % P.len()], P[(j / P.len() + seed) % P.len()])
        })
        .collect()
}

/// Equal bit for bit, every NaN part equal to every other.
fn same(a: Scalar, b: Scalar) -> bool {
    let parts = |s: Scalar| -> Vec<f64> {
        match s {
            Scalar::C64(z) => vec![z.re as f64, z.im as f64],
            Scalar::C128(z) => vec![z.re, z.im],
            other => vec![match other.cast(DType::F64) {
                Scalar::F64(v) => v,
                _ => unreachable!("cast to float64"),
            }],
        }
    };
    a.dtype() == b.dtype()
        && parts(a)
            .iter()
            .zip(parts(b))
            .all(|(x, y)| (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits())
}

fn assert_same(jit: &Array, interp: &Array, what: &str) {
    assert_eq!(jit.dtype(), interp.dtype(), "{what}");
    assert_eq!(jit.shape(), interp.shape(), "{what}");
    for i in 0..jit.len() {
        let (x, y) = (jit.get(i), interp.get(i));
        assert!(same(x, y), "{what}: element {i}: jit {x:?}, interp {y:?}");
    }
}

fn both(e: &Expr, args: &[(&str, Arg)], what: &str) {
    let jit = e.eval_with(args, &opts(Backend::Jit)).unwrap();
    let interp = e.eval_with(args, &opts(Backend::Interp)).unwrap();
    assert_same(&jit, &interp, what);
}

const SOURCES: [&str; 11] = [
    "a*b + 1",
    "(a - b) * a",
    "a == b",
    "a != b",
    "a / b",
    "sqrt(a) * b",
    "exp(a) - log(b)",
    "where(a == b, a, -b)",
    "sign(a) * round(b)",
    "sign(a*b) + round(a / b)",
    "sin(complex(a.real, b.imag)).real + copy(a).imag * ones_like(b)",
];

#[test]
fn jit_matches_interp_on_complex128_and_complex64() {
    for src in SOURCES {
        let e = Expr::compile(src).unwrap();
        for n in [0, 1, 2, 3, 7, 8, 9, 17, 1000] {
            let (a, b) = (data(n, 0), data(n, 5));
            let a32: Vec<Complex32> = a
                .iter()
                .map(|z| Complex32::new(z.re as f32, z.im as f32))
                .collect();
            let b32: Vec<Complex32> = b
                .iter()
                .map(|z| Complex32::new(z.re as f32, z.im as f32))
                .collect();
            let what = format!("{src} n={n}");
            both(&e, &[("a", (&a).into()), ("b", (&b).into())], &what);
            both(&e, &[("a", (&a32).into()), ("b", (&b32).into())], &what);
            // Strided views.
            let (sa, sb) = (
                ArrayView::from_slice(&a).slice_step(2),
                ArrayView::from_slice(&b).slice_step(-2),
            );
            both(&e, &[("a", sa.into()), ("b", sb.into())], &what);
            // A complex scalar, twice with different values: the second call takes the
            // remembered-signature path, which stores scalars by value.
            for k in [Complex64::new(0.5, 1e300), Complex64::new(f64::NAN, -0.0)] {
                both(
                    &e,
                    &[("a", (&a).into()), ("b", Scalar::C128(k).into())],
                    &what,
                );
            }
        }
    }
}

/// NumPy's `x*y + 1` for complex arrays (its loops use FMA for the products; see
/// `codegen/complex.rs`), written out here.
fn mul_add_one(x: Complex64, y: Complex64) -> Complex64 {
    let re = x.re.mul_add(y.re, -(x.im * y.im));
    let im = x.re.mul_add(y.im, x.im * y.re);
    Complex64::new(re + 1.0, im + 0.0)
}

#[test]
fn jit_computes_complex_arithmetic_as_numpy_does() {
    let e = Expr::compile("a*b + 1").unwrap();
    let jit = opts(Backend::Jit);
    for n in [0, 1, 2, 3, 7, 8, 9, 17, 1000] {
        let (a, b) = (data(n, 0), data(n, 5));
        let check = |r: Array, want: Vec<Complex64>, what: &str| {
            assert_eq!(r.dtype(), DType::C128, "{what}");
            let got: Vec<Scalar> = (0..r.len()).map(|i| r.get(i)).collect();
            assert_eq!(got.len(), want.len(), "{what}");
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(
                    same(*g, Scalar::C128(*w)),
                    "{what} n={n} i={i}: {g:?} vs {w:?}"
                );
            }
        };
        let want: Vec<Complex64> = a.iter().zip(&b).map(|(&x, &y)| mul_add_one(x, y)).collect();
        let r = e
            .eval_with(&[("a", (&a).into()), ("b", (&b).into())], &jit)
            .unwrap();
        check(r, want, "contiguous");
        let (sa, sb) = (
            ArrayView::from_slice(&a).slice_step(3),
            ArrayView::from_slice(&b).slice_step(-3),
        );
        let want: Vec<Complex64> = a
            .iter()
            .step_by(3)
            .zip(b.iter().rev().step_by(3))
            .map(|(&x, &y)| mul_add_one(x, y))
            .collect();
        let r = e
            .eval_with(&[("a", sa.into()), ("b", sb.into())], &jit)
            .unwrap();
        check(r, want, "strided");
        // Scalars, twice: the second call is served by the remembered signature.
        for k in [Complex64::new(0.5, 1e300), Complex64::new(-3.0, 0.25)] {
            let want: Vec<Complex64> = a.iter().map(|&x| mul_add_one(x, k)).collect();
            let r = e
                .eval_with(&[("a", (&a).into()), ("b", Scalar::C128(k).into())], &jit)
                .unwrap();
            check(r, want, "scalar");
        }
    }
}
