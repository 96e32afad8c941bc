//! Differential property tests of programs: a temporary must behave exactly as its
//! expression written in place, on both backends and every thread count.

#[path = "common/api.rs"]
mod api;
mod common;
#[path = "common/exprgen.rs"]
mod exprgen;

use api::{read_all, Buffer};
use common::rng::Rng;
use common::same_bits;
use jitex::{Arg, Array, Backend, DType, EvalOptions, Expr, Stores};
use proptest::prelude::*;

const NAMES: [&str; 3] = ["a", "b", "c"];
const LENGTHS: [usize; 8] = [0, 1, 3, 8, 9, 513, 16385, 40_001];

/// Random inputs for a signature: arrays of one random length and stride.
fn inputs(rng: &mut Rng, sig: &[(&'static str, DType)]) -> Vec<Buffer> {
    let len = rng.pick(&LENGTHS);
    sig.iter()
        .map(|&(_, d)| {
            let vals: Vec<_> = (0..len).map(|_| rng.scalar(d)).collect();
            Buffer::new(d, &vals, rng.pick(&[1isize, 2, -1]))
        })
        .collect()
}

fn eval(
    src: &str,
    sig: &[(&str, DType)],
    bufs: &[Buffer],
    backend: Backend,
    threads: usize,
    stores: Stores,
) -> jitex::Result<Array> {
    let args: Vec<(&str, Arg)> = sig
        .iter()
        .zip(bufs)
        .map(|(&(n, _), b)| (n, Arg::Array(b.view())))
        .collect();
    Expr::compile(src)?.eval_with(
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

fn assert_same(a: &Array, b: &Array, what: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.dtype(), b.dtype(), "{}", what);
    prop_assert_eq!(a.shape(), b.shape(), "{}", what);
    for (k, (x, y)) in read_all(a).iter().zip(read_all(b)).enumerate() {
        prop_assert!(same_bits(*x, y), "{what}: element {k}: {x:?} vs {y:?}");
    }
    Ok(())
}

fn check(seed: u64) -> Result<(), TestCaseError> {
    let mut rng = Rng(seed);
    let n = 1 + rng.below(3);
    let sig: Vec<(&'static str, DType)> =
        (0..n).map(|i| (NAMES[i], rng.pick(&DType::ALL))).collect();
    let depth = 1 + rng.below(3);
    let first = exprgen::expr(&mut rng, depth, &sig).text;
    let Ok(t_dtype) = Expr::compile(&first).and_then(|e| e.result_dtype(&sig)) else {
        return Ok(());
    };
    let mut sig2 = sig.clone();
    sig2.push(("t", t_dtype));
    let depth = 1 + rng.below(3);
    let second = exprgen::expr(&mut rng, depth, &sig2).text;
    let program = format!("t = {first}; {second}");
    // The same computation with `t` written out in place.
    let inlined = exprgen::replace_name(&second, "t", &format!("({first})"));
    let bufs = inputs(&mut rng, &sig);
    let threads = rng.pick(&[1, 2, 4]);
    let what = format!("seed {seed}: `{program}` vs `{inlined}` with {sig:?}");
    // The program streams its result, the inlined expression stores it through the cache.
    let p = eval(
        &program,
        &sig,
        &bufs,
        Backend::Jit,
        threads,
        Stores::Streaming,
    );
    let q = eval(&inlined, &sig, &bufs, Backend::Jit, threads, Stores::Cached);
    let r = eval(&program, &sig, &bufs, Backend::Interp, 1, Stores::Cached);
    match (p, q, r) {
        (Ok(p), Ok(q), Ok(r)) => {
            assert_same(&p, &q, &what)?;
            assert_same(&p, &r, &what)
        }
        (Err(a), Err(b), Err(c)) => {
            // Errors point at different spans in the two texts; kinds must agree.
            prop_assert_eq!(a.kind, b.kind, "{}", what);
            prop_assert_eq!(a.kind, c.kind, "{}", what);
            Ok(())
        }
        (p, q, r) => Err(TestCaseError::fail(format!(
            "{what}: program {:?}, inlined {:?}, interp {:?}",
            p.err(),
            q.err(),
            r.err()
        ))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn temporaries_equal_inlined_expressions(seed in any::<u64>()) {
        check(seed)?;
    }
}
