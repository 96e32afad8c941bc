//! Differential property test of the whole pipeline: random well-typed expressions over
//! random inputs (dtypes, special values, lengths around the vector and chunk boundaries,
//! strides 1, 2 and -1, scalar arguments) must give bit-identical results (NaNs compared as
//! "is NaN") from the JIT, on 1, 2 or 4 threads, and from the reference interpreter.
//!
//! Each case is drawn from one proptest seed, printed on failure; the expression and the
//! data are derived from it deterministically, so a failure reproduces from the seed.

#[path = "common/api.rs"]
mod api;
mod common;
#[path = "common/exprgen.rs"]
mod exprgen;

use api::{read_all, Buffer};
use common::rng::Rng;
use common::same_bits;
use jitex::{Arg, Backend, DType, EvalOptions, Expr, Scalar, Stores, Typing};
use proptest::prelude::*;

/// Lengths: empty, tiny, around the 128-bit vector widths and unrolling, around the
/// runtime's 16K chunk, and one large odd length (multi-threaded, ragged tail).
const LENGTHS: [usize; 14] = [
    0, 1, 2, 3, 7, 8, 9, 511, 512, 513, 16383, 16384, 16385, 100_003,
];
const NAMES: [&str; 4] = ["a", "b", "c", "d"];

/// One generated case.
struct Setup {
    src: String,
    signature: Vec<(&'static str, DType)>,
    buffers: Vec<Option<Buffer>>,
    scalars: Vec<Scalar>,
    values: Vec<Vec<Scalar>>,
    threads: usize,
}

fn setup(seed: u64) -> Setup {
    let mut rng = Rng(seed);
    let n_inputs = 1 + rng.below(4);
    let signature: Vec<(&'static str, DType)> = (0..n_inputs)
        .map(|i| (NAMES[i], rng.pick(&DType::ALL)))
        .collect();
    let depth = 1 + rng.below(4);
    let src = exprgen::expr(&mut rng, depth, &signature).text;
    // Long arrays are rarer, to keep the debug-mode interpreter fast.
    let len = if rng.chance(0.15) {
        rng.pick(&LENGTHS[10..])
    } else {
        rng.pick(&LENGTHS[..10])
    };
    let mut buffers = Vec::new();
    let mut scalars = Vec::new();
    let mut values = Vec::new();
    for &(_, dtype) in &signature {
        if rng.chance(0.1) {
            let s = rng.scalar(dtype);
            scalars.push(s);
            buffers.push(None);
            values.push(vec![s]);
        } else {
            let vals: Vec<Scalar> = (0..len).map(|_| rng.scalar(dtype)).collect();
            let step = rng.pick(&[1isize, 1, 2, -1]);
            buffers.push(Some(Buffer::new(dtype, &vals, step)));
            scalars.push(Scalar::Bool(false));
            values.push(vals);
        }
    }
    let threads = rng.pick(&[1, 2, 4]);
    Setup {
        src,
        signature,
        buffers,
        scalars,
        values,
        threads,
    }
}

fn run(
    s: &Setup,
    e: &Expr,
    backend: Backend,
    threads: usize,
    stores: Stores,
) -> jitex::Result<jitex::Array> {
    let args: Vec<(&str, Arg)> = s
        .signature
        .iter()
        .zip(s.buffers.iter().zip(&s.scalars))
        .map(|(&(name, _), (buf, &sc))| {
            (
                name,
                buf.as_ref()
                    .map_or(Arg::Scalar(sc), |b| Arg::Array(b.view())),
            )
        })
        .collect();
    e.eval_with(
        &args,
        &EvalOptions {
            backend,
            threads: Some(threads),
            // libm in blocks: the staging of vector-math programs, exact against the interpreter.
            math: jitex::MathImpl::LibmBlocks,
            stores,
        },
    )
}

fn check(seed: u64) -> Result<(), TestCaseError> {
    let s = setup(seed);
    // A quarter of the cases under numexpr's typing: other casts and dtypes, same backends.
    let typing = if seed % 4 == 3 {
        Typing::Numexpr
    } else {
        Typing::NumPy
    };
    // A third of the cases stream their results past the cache, whatever their size.
    let stores = if seed % 3 == 1 {
        Stores::Streaming
    } else {
        Stores::Auto
    };
    let ctx = || {
        format!(
            "seed {seed}: `{}` with {:?}, threads {}, {typing:?} typing, {stores:?} stores",
            s.src, s.signature, s.threads
        )
    };
    let e = match Expr::compile(&s.src) {
        Ok(e) => e.with_typing(typing),
        Err(err) => {
            return Err(TestCaseError::fail(format!(
                "{}: does not parse: {err}",
                ctx()
            )))
        }
    };
    let jit = run(&s, &e, Backend::Jit, s.threads, stores);
    let interp = run(&s, &e, Backend::Interp, 1, Stores::Cached);
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
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn jit_equals_interpreter(seed in any::<u64>()) {
        check(seed)?;
    }
}

/// The generator must mostly produce expressions that type-check, or the property above
/// would mostly compare two identical errors.
#[test]
fn generated_expressions_mostly_type_check() {
    let total = 400;
    let mut ok = 0;
    let mut errors = Vec::new();
    for seed in 0..total {
        let s = setup(seed);
        let typed = Expr::compile(&s.src).and_then(|e| e.result_dtype(&s.signature));
        match typed {
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
}

/// Fixed regression seeds (add any seed proptest reports here).
#[test]
fn regression_seeds() {
    for seed in [0u64, 1, 2, 3, 0xdead_beef] {
        check(seed).unwrap_or_else(|e| panic!("{e}"));
    }
}
