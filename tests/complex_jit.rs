//! Complex arrays through the public API: the JIT must agree with the reference
//! interpreter bit for bit (NaN payloads aside) for contiguous, strided and scalar inputs,
//! and on repeated calls (the per-`Expr` fast path, which passes scalars by value), under
//! libm math fused and in blocks; under the default vector math, the complex kernels are
//! within their bounds (exact for arithmetic) and give the same bits on every path.

use jitex::math::vector::{unary as vector_unary, MathImpl};
use jitex::{Arg, Array, ArrayView, Backend, DType, EvalOptions, Expr, Scalar};
use num_complex::{Complex32, Complex64};

fn opts(backend: Backend) -> EvalOptions {
    EvalOptions {
        backend,
        threads: Some(1),
        ..Default::default()
    }
}

fn with_math(math: MathImpl, threads: usize) -> EvalOptions {
    EvalOptions {
        math,
        threads: Some(threads),
        ..opts(Backend::Jit)
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
    let interp = e.eval_with(args, &opts(Backend::Interp)).unwrap();
    for math in [MathImpl::Libm, MathImpl::LibmBlocks] {
        let jit = e.eval_with(args, &with_math(math, 1)).unwrap();
        assert_same(&jit, &interp, &format!("{what} {math:?}"));
    }
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

/// Part distance in ULPs of two complex or real scalars of one dtype, the sign kept.
fn within(a: Scalar, b: Scalar, tol: u64) -> bool {
    let parts = |s: Scalar| -> Vec<(u64, bool, bool)> {
        // (ordered key, is NaN, sign bit)
        let key64 = |x: f64| {
            let b = x.to_bits() as i64;
            (if b < 0 { i64::MIN - b } else { b }) as u64 ^ (1 << 63)
        };
        let key32 = |x: f32| {
            let b = x.to_bits() as i32;
            (if b < 0 { i32::MIN - b } else { b }) as u32 as u64 ^ (1 << 31)
        };
        match s {
            Scalar::C128(z) => vec![
                (key64(z.re), z.re.is_nan(), z.re.is_sign_negative()),
                (key64(z.im), z.im.is_nan(), z.im.is_sign_negative()),
            ],
            Scalar::C64(z) => vec![
                (key32(z.re), z.re.is_nan(), z.re.is_sign_negative()),
                (key32(z.im), z.im.is_nan(), z.im.is_sign_negative()),
            ],
            Scalar::F64(x) => vec![(key64(x), x.is_nan(), x.is_sign_negative())],
            Scalar::F32(x) => vec![(key32(x), x.is_nan(), x.is_sign_negative())],
            _ => vec![],
        }
    };
    let (pa, pb) = (parts(a), parts(b));
    !pa.is_empty()
        && pa.len() == pb.len()
        && pa
            .iter()
            .zip(&pb)
            .all(|(x, y)| (x.1 && y.1) || (!x.1 && !y.1 && x.2 == y.2 && x.0.abs_diff(y.0) <= tol))
}

/// Ordinary values of moderate size, where the vector kernels compute (the special
/// values of [`data`] are the interpreter's functions' own).
fn moderate(n: usize, seed: u64) -> Vec<Complex64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 * 8.0 - 4.0
    };
    (0..n).map(|_| Complex64::new(next(), next())).collect()
}

#[test]
fn vector_kernels_are_within_their_bounds_on_every_path() {
    let n = 20_000;
    let mut a = moderate(n, 1);
    a.extend(data(300, 0));
    let mut b = moderate(n, 2);
    b.extend(data(300, 5));
    let a32: Vec<Complex32> = a
        .iter()
        .map(|z| Complex32::new(z.re as f32, z.im as f32))
        .collect();
    let b32: Vec<Complex32> = b
        .iter()
        .map(|z| Complex32::new(z.re as f32, z.im as f32))
        .collect();
    // A lone call is within its kernel's bound (plus one for the interpreter's libm);
    // arithmetic is exact; anything else is checked against the first call's bits.
    let sources = [
        ("abs(a)", Some(1)),
        ("exp(a)", Some(1)),
        ("sqrt(a)", Some(1)),
        ("log(a)", Some(1)),
        ("a*b + a", Some(0)),
        ("a / b", Some(0)),
        ("a - b * 2", Some(0)),
        ("exp(a) * b", None),
        ("abs(a) + sqrt(b).imag", None),
    ];
    for (src, extra) in sources {
        let e = Expr::compile(src).unwrap();
        let tol = match src.split('(').next() {
            Some(f @ ("abs" | "exp" | "sqrt" | "log")) if extra.is_some() => {
                let op = match f {
                    "abs" => jitex::ir::UnaryOp::Abs,
                    "exp" => jitex::ir::UnaryOp::Exp,
                    "log" => jitex::ir::UnaryOp::Log,
                    _ => jitex::ir::UnaryOp::Sqrt,
                };
                let bound = |dt| vector_unary(op, dt).map_or(0, |v| u64::from(v.ulps));
                Some(bound(DType::C128).max(bound(DType::C64)) + 1)
            }
            _ => extra.map(|_| 0),
        };
        let sets: [(&str, Vec<(&str, Arg)>); 3] = [
            ("c128", vec![("a", (&a).into()), ("b", (&b).into())]),
            ("c64", vec![("a", (&a32).into()), ("b", (&b32).into())]),
            (
                "strided",
                vec![
                    ("a", ArrayView::from_slice(&a).slice_step(3).into()),
                    ("b", ArrayView::from_slice(&b).slice_step(-3).into()),
                ],
            ),
        ];
        for (name, args) in &sets {
            let what = format!("{src} {name}");
            let interp = e.eval_with(args, &opts(Backend::Interp)).unwrap();
            let first = e.eval_with(args, &with_math(MathImpl::Vector, 1)).unwrap();
            assert_eq!(first.len(), interp.len(), "{what}");
            if let Some(tol) = tol {
                for i in 0..first.len() {
                    let (x, y) = (first.get(i), interp.get(i));
                    assert!(
                        within(x, y, tol),
                        "{what}: element {i}: jit {x:?}, interp {y:?}"
                    );
                }
            }
            // Threads and the remembered call give the first call's bits.
            for threads in [1, 2, 4] {
                for call in 0..2 {
                    let again = e
                        .eval_with(args, &with_math(MathImpl::Vector, threads))
                        .unwrap();
                    assert_same(
                        &again,
                        &first,
                        &format!("{what} threads={threads} call={call}"),
                    );
                }
            }
        }
    }
}
