//! Differential property test for complex numbers: random well-typed expressions mixing
//! complex64/complex128 with float32, float64, int32 and bool inputs and weak literals
//! (`2j`, `(1-2j)`, `1.5`), over values with NaN, ±inf, ±0, huge and tiny parts, lengths
//! around the vector and chunk boundaries, strides 1, 2 and -1, and scalar arguments, must
//! give bit-identical results (NaN payloads aside, part by part) from the JIT on 1, 2 or 4
//! threads and from the reference interpreter.
//!
//! Each case is derived deterministically from one proptest seed, printed on failure.

#[path = "common/api.rs"]
mod api;
mod common;
#[path = "common/complexgen.rs"]
mod complexgen;

use api::{read_all, Buffer};
use common::rng::Rng;
use common::same_bits;
use jitex::{Arg, Backend, DType, EvalOptions, Expr, Scalar};
use proptest::prelude::*;

/// Lengths: empty, tiny, around the vector widths and unrolling, around the 16K chunk, and
/// (rarely) one large odd length.
const LENGTHS: [usize; 12] = [0, 1, 2, 3, 7, 8, 9, 511, 512, 513, 16385, 100_003];
const NAMES: [&str; 4] = ["a", "b", "c", "d"];

/// One generated case.
struct Setup {
    src: String,
    signature: Vec<(&'static str, DType)>,
    /// Per input: an array buffer, or `None` for a scalar argument (in `scalars`).
    buffers: Vec<Option<Buffer>>,
    scalars: Vec<Scalar>,
    values: Vec<Vec<Scalar>>,
    threads: usize,
}

fn setup(seed: u64) -> Setup {
    let mut rng = Rng(seed);
    let n_inputs = 1 + rng.below(3);
    let mut signature: Vec<(&'static str, DType)> = (0..n_inputs)
        .map(|i| (NAMES[i], rng.pick(&complexgen::DTYPES)))
        .collect();
    // Most cases have a complex input; the rest reach complex through literals and casts.
    if rng.chance(0.7) && !signature.iter().any(|(_, d)| d.is_complex()) {
        signature[0].1 = rng.pick(&[DType::C64, DType::C128]);
    }
    let depth = 1 + rng.below(4);
    let src = complexgen::expr(&mut rng, depth, &signature).text;
    let len = match rng.below(40) {
        0 => LENGTHS[11],
        1..=3 => LENGTHS[10],
        _ => rng.pick(&LENGTHS[..10]),
    };
    let mut buffers = Vec::new();
    let mut scalars = Vec::new();
    let mut values = Vec::new();
    for &(_, dtype) in &signature {
        if rng.chance(0.12) {
            let s = complexgen::value(&mut rng, dtype);
            scalars.push(s);
            buffers.push(None);
            values.push(vec![s]);
        } else {
            let vals: Vec<Scalar> = (0..len)
                .map(|_| complexgen::value(&mut rng, dtype))
                .collect();
            let step = rng.pick(&[1isize, 2, -1]);
            buffers.push(Some(Buffer::new(dtype, &vals, step)));
            scalars.push(Scalar::Bool(false));
            values.push(vals);
        }
    }
    Setup {
        src,
        signature,
        buffers,
        scalars,
        values,
        threads: rng.pick(&[1, 2, 4]),
    }
}

fn run(s: &Setup, e: &Expr, backend: Backend, threads: usize) -> jitex::Result<jitex::Array> {
    let args: Vec<(&str, Arg)> = s
        .signature
        .iter()
        .zip(s.buffers.iter().zip(&s.scalars))
        .map(|(&(name, _), (buf, &sc))| {
            let arg = buf
                .as_ref()
                .map_or(Arg::Scalar(sc), |b| Arg::Array(b.view()));
            (name, arg)
        })
        .collect();
    let opts = EvalOptions {
        backend,
        threads: Some(threads),
        // libm in blocks: the staging of vector-math programs, exact against the interpreter.
        math: jitex::MathImpl::LibmBlocks,
        ..EvalOptions::default()
    };
    e.eval_with(&args, &opts)
}

fn check(seed: u64) -> Result<(), TestCaseError> {
    let s = setup(seed);
    let ctx = || {
        format!(
            "seed {seed}: `{}` with {:?}, threads {}",
            s.src, s.signature, s.threads
        )
    };
    let e = Expr::compile(&s.src)
        .map_err(|err| TestCaseError::fail(format!("{}: does not parse: {err}", ctx())))?;
    let jit = run(&s, &e, Backend::Jit, s.threads);
    let interp = run(&s, &e, Backend::Interp, 1);
    let (jit, interp) = match (jit, interp) {
        (Ok(j), Ok(i)) => (j, i),
        // A type error is fine only when both backends report the very same one.
        (Err(a), Err(b)) => {
            prop_assert_eq!(a, b, "{}", ctx());
            return Ok(());
        }
        (j, i) => {
            return Err(TestCaseError::fail(format!(
                "{}: jit {j:?} but interp {i:?}",
                ctx()
            )))
        }
    };
    prop_assert_eq!(jit.dtype(), interp.dtype(), "{}", ctx());
    prop_assert_eq!(jit.shape(), interp.shape(), "{}", ctx());
    let (j, i) = (read_all(&jit), read_all(&interp));
    prop_assert_eq!(j.len(), i.len(), "{}", ctx());
    for (k, (x, y)) in j.iter().zip(&i).enumerate() {
        if !same_bits(*x, *y) {
            let at: Vec<Scalar> = s.values.iter().map(|v| v[k.min(v.len() - 1)]).collect();
            return Err(TestCaseError::fail(format!(
                "{}: element {k} of {}: jit {x:?}, interp {y:?}; inputs there {at:?}",
                ctx(),
                j.len()
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn jit_equals_interpreter_on_complex(seed in any::<u64>()) {
        check(seed)?;
    }
}

/// The generator must mostly produce expressions that type-check (and mostly ones with a
/// complex value in them), or the property above would compare identical errors.
#[test]
fn generated_expressions_mostly_type_check() {
    let total = 400;
    let mut ok = 0;
    let mut complex = 0;
    let mut errors = Vec::new();
    for seed in 0..total {
        let s = setup(seed);
        if s.signature.iter().any(|(_, d)| d.is_complex()) || s.src.contains('j') {
            complex += 1;
        }
        match Expr::compile(&s.src).and_then(|e| e.result_dtype(&s.signature)) {
            Ok(_) => ok += 1,
            Err(err) => errors.push(format!("{}  {:?}: {}", s.src, s.signature, err)),
        }
    }
    assert!(
        ok * 10 >= total * 9,
        "only {ok} of {total} generated expressions type-check; e.g.\n{}",
        errors
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        complex * 10 >= total * 7,
        "only {complex} of {total} involve complex"
    );
}

/// Fixed regression seeds (add any seed proptest reports here).
#[test]
fn regression_seeds() {
    for seed in [0u64, 1, 2, 3, 0xdead_beef, 10_205_093_698_647_714_269] {
        check(seed).unwrap_or_else(|e| panic!("{e}"));
    }
}

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
    let a: Vec<num_complex::Complex32> = (0..n)
        .map(|i| num_complex::Complex32::new(i as f32 * 0.5, -(i as f32)))
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
        read_all(&e.eval_with(&args, &opts).unwrap())
    };
    let want = run(Backend::Interp, jitex::MathImpl::Libm);
    for math in [jitex::MathImpl::Libm, jitex::MathImpl::LibmBlocks] {
        let got = run(Backend::Jit, math);
        for (k, (x, y)) in got.iter().zip(&want).enumerate() {
            assert!(same_bits(*x, *y), "{math:?} element {k}: {x:?} vs {y:?}");
        }
    }
}
