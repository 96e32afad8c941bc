//! Differential property tests of reductions inside larger expressions: random well-typed
//! elementwise expressions `e1` (see `common/exprgen.rs`) reduced by a random reduction along
//! a random axis (or all of them), over 1-d to 3-d inputs with empty, unit and odd extents,
//! laid out contiguous, reversed, strided or broadcast (stride 0), placed as `e2(red(e1))`
//! or `red(e1) * e1`. Every case checks, bit for bit:
//! (a) the JIT backend against the interpreter backend;
//! (b) the program against the two-step computation (evaluate `red(e1, axis=k)` alone, then
//!     the outer expression with that result passed as an input);
//! (c) the JIT result for 1, 2 and 4 threads.

#[allow(dead_code)] // Only `read_all` is used here.
#[path = "common/api.rs"]
mod api;
mod common;
#[path = "common/exprgen.rs"]
mod exprgen;

use api::read_all;
use common::rng::Rng;
use common::same_bits;
use jitex::{Arg, Array, ArrayView, Backend, DType, EvalOptions, Expr};
use proptest::prelude::*;

const NAMES: [&str; 2] = ["a", "b"];
const EXTENTS: [usize; 8] = [0, 1, 1, 2, 3, 5, 7, 8];
const OPS: [&str; 7] = ["sum", "prod", "min", "max", "mean", "any", "all"];

/// One input array in some memory layout.
struct Input {
    words: Vec<u64>,
    dtype: DType,
    shape: Vec<usize>,
    first: usize,
    strides: Vec<isize>,
}

impl Input {
    /// Random values of `dtype` for `shape`, laid out by `layout`: 0 contiguous, 1 every
    /// axis reversed, 2 each element three slots apart, 3 axis 0 broadcast (stride 0).
    fn new(rng: &mut Rng, dtype: DType, shape: &[usize], layout: usize) -> Input {
        let size = dtype.size();
        let d = shape.len();
        let step = if layout == 2 { 3 } else { 1 };
        let mut strides = vec![0isize; d];
        let mut acc = step as isize;
        for ax in (0..d).rev() {
            if layout == 3 && ax == 0 {
                continue;
            }
            strides[ax] = acc;
            acc *= shape[ax].max(1) as isize;
        }
        let mut first = 0isize;
        if layout == 1 {
            for ax in 0..d {
                first += strides[ax] * (shape[ax].max(1) as isize - 1);
                strides[ax] = -strides[ax];
            }
        }
        let slots = acc.max(1) as usize;
        let mut words = vec![0u64; (slots * size).div_ceil(8)];
        // SAFETY: u64 has no invalid bit patterns and u8 has alignment 1.
        let bytes = unsafe {
            std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, words.len() * 8)
        };
        for chunk in bytes[..slots * size].chunks_exact_mut(size) {
            rng.scalar(dtype).write(chunk);
        }
        Input {
            words,
            dtype,
            shape: shape.to_vec(),
            first: first as usize * size,
            strides: strides.iter().map(|s| s * size as isize).collect(),
        }
    }

    fn view(&self) -> ArrayView<'_> {
        // SAFETY: every index within the shape addresses a slot inside `words` (built so
        // above), which outlives the view.
        unsafe {
            ArrayView::from_raw_parts(
                (self.words.as_ptr() as *const u8).add(self.first),
                self.dtype,
                &self.shape,
                &self.strides,
            )
        }
    }
}

fn eval(src: &str, args: &[(&str, Arg)], backend: Backend, threads: usize) -> jitex::Result<Array> {
    Expr::compile(src)?.eval_with(
        args,
        &EvalOptions {
            backend,
            threads: Some(threads),
            // libm in blocks: the staging of vector-math programs, exact against the interpreter.
            math: jitex::MathImpl::LibmBlocks,
            ..EvalOptions::default()
        },
    )
}

/// Both results equal bit for bit, or both errors of the same kind.
fn assert_same(
    a: &jitex::Result<Array>,
    b: &jitex::Result<Array>,
    what: &str,
) -> Result<(), TestCaseError> {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(a.dtype(), b.dtype(), "{}", what);
            prop_assert_eq!(a.shape(), b.shape(), "{}", what);
            for (k, (x, y)) in read_all(a).iter().zip(read_all(b)).enumerate() {
                prop_assert!(same_bits(*x, y), "{what}: element {k}: {x:?} vs {y:?}");
            }
        }
        (Err(x), Err(y)) => prop_assert_eq!(x.kind, y.kind, "{}: {} vs {}", what, x, y),
        _ => prop_assert!(false, "{what}: {a:?} vs {b:?}"),
    }
    Ok(())
}

/// A generated case: the inputs' signature and shape, `e1`, the reduction and the program.
struct Case {
    sig: Vec<(&'static str, DType)>,
    shape: Vec<usize>,
    /// `red(e1, axis=k)`.
    reduced: String,
    /// The outer expression over `r` (and, for `red(e1) * e1`, the inputs).
    outer: String,
    /// `outer` with `r` replaced by `reduced`.
    program: String,
}

/// Generates a case; `None` when `e1` or the outer expression does not type-check.
fn generate(rng: &mut Rng) -> Option<Case> {
    let n = 1 + rng.below(2);
    let sig: Vec<(&'static str, DType)> =
        (0..n).map(|i| (NAMES[i], rng.pick(&DType::ALL))).collect();
    let ndim = 1 + rng.below(3);
    // 1-d inputs are sometimes long enough for the pairwise split and several threads.
    let shape: Vec<usize> = if ndim == 1 && rng.chance(0.5) {
        vec![rng.pick(&[129, 257, 1000, 4099])]
    } else {
        (0..ndim).map(|_| rng.pick(&EXTENTS)).collect()
    };
    let depth = 1 + rng.below(3);
    let e1 = exprgen::expr(rng, depth, &sig).text;
    let e1_dtype = Expr::compile(&e1).and_then(|e| e.result_dtype(&sig)).ok()?;
    let op = rng.pick(&OPS);
    // `red(e1) * e1` needs the reduced shape to broadcast against e1's: axis None or 0.
    let times_e1 = rng.chance(0.3);
    let axis: Option<isize> = if rng.chance(0.3) {
        None
    } else if times_e1 {
        Some(if rng.chance(0.5) { 0 } else { -(ndim as isize) })
    } else {
        let k = rng.below(ndim) as isize;
        Some(if rng.chance(0.5) {
            k
        } else {
            k - ndim as isize
        })
    };
    let reduced = match axis {
        None => format!("{op}({e1})"),
        Some(k) => format!("{op}({e1}, axis={k})"),
    };
    let r_dtype = Expr::compile(&reduced)
        .and_then(|e| e.result_dtype(&sig))
        .ok()?;
    let outer = if times_e1 {
        format!("r * ({e1})")
    } else {
        let depth = 1 + rng.below(2);
        let e2 = exprgen::expr(rng, depth, &[("r", r_dtype)]).text;
        // An unused reduction is never evaluated (so cannot fail): make `e2` use it.
        if exprgen::replace_name(&e2, "r", "_") == e2 {
            format!("(r + {e2})")
        } else {
            e2
        }
    };
    let mut sig_r = sig.clone();
    sig_r.push(("r", r_dtype));
    Expr::compile(&outer)
        .and_then(|e| e.result_dtype(&sig_r))
        .ok()?;
    let _ = e1_dtype;
    let program = exprgen::replace_name(&outer, "r", &format!("({reduced})"));
    Some(Case {
        sig,
        shape,
        reduced,
        outer,
        program,
    })
}

fn check(seed: u64) -> Result<(), TestCaseError> {
    let mut rng = Rng(seed);
    let Some(case) = generate(&mut rng) else {
        return Ok(());
    };
    let inputs: Vec<Input> = case
        .sig
        .iter()
        .map(|&(_, d)| {
            let layout = rng.below(4);
            Input::new(&mut rng, d, &case.shape, layout)
        })
        .collect();
    let args: Vec<(&str, Arg)> = case
        .sig
        .iter()
        .zip(&inputs)
        .map(|(&(n, _), i)| (n, Arg::Array(i.view())))
        .collect();
    let what = format!(
        "seed {seed}: `{}` on {:?} {:?}",
        case.program, case.sig, case.shape
    );
    let jit: Vec<_> = [1, 2, 4]
        .iter()
        .map(|&t| eval(&case.program, &args, Backend::Jit, t))
        .collect();
    // (c) thread counts.
    assert_same(&jit[0], &jit[1], &format!("{what}: 1 vs 2 threads"))?;
    assert_same(&jit[0], &jit[2], &format!("{what}: 1 vs 4 threads"))?;
    // (a) backends.
    let interp = eval(&case.program, &args, Backend::Interp, rng.pick(&[1, 2, 4]));
    assert_same(&jit[0], &interp, &format!("{what}: JIT vs interpreter"))?;
    // (b) the two-step computation.
    let threads = rng.pick(&[1, 2, 4]);
    let two_step = eval(&case.reduced, &args, Backend::Jit, threads).and_then(|r| {
        let mut args2: Vec<(&str, Arg)> = case
            .sig
            .iter()
            .zip(&inputs)
            .map(|(&(n, _), i)| (n, Arg::Array(i.view())))
            .collect();
        args2.push(("r", Arg::Array(r.view())));
        // Names the outer expression does not use are extra inputs; pass only `r` then.
        if !case.outer.contains("r * (") {
            args2.retain(|(n, _)| *n == "r");
        }
        eval(&case.outer, &args2, Backend::Jit, threads)
    });
    assert_same(&jit[0], &two_step, &format!("{what}: program vs two steps"))?;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn reductions_in_expressions_agree(seed in any::<u64>()) {
        check(seed)?;
    }
}

/// The generator must stay useful: at least 90% of its cases type-check.
#[test]
fn most_generated_cases_type_check() {
    let total = 1000u64;
    let ok = (0..total)
        .filter(|&s| generate(&mut Rng(s * 7919 + 1)).is_some())
        .count() as u64;
    assert!(
        ok * 10 >= total * 9,
        "only {ok} of {total} cases type-check"
    );
}
