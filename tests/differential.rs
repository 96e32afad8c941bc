//! Differential tests at the IR level: every combination of optimisation passes must give
//! the same result as the unoptimised program, under the reference interpreter, on random
//! well-typed programs and random (often special) inputs.
//!
//! The end-to-end JIT-versus-interpreter tests live in the differential matrix,
//! `matrix.rs` (they need the whole pipeline).

mod common;

use common::irgen;
use common::rng::Rng;
use common::{same_bits, ulps};
use jitex::interp::eval_element;
use jitex::ir::{self, BinaryOp, Op, OptOptions, Program};
use jitex::Scalar;

/// Programs checked per test; each runs on `INPUTS_PER_PROGRAM` input tuples.
const PROGRAMS: u64 = 1500;
const INPUTS_PER_PROGRAM: usize = 24;

/// `true` if `p` has a float `**`, which the pow pass may rewrite with a documented
/// few-ULP change (`x**3` → `x*x*x`).
fn has_float_pow(p: &Program) -> bool {
    p.insts
        .iter()
        .any(|i| matches!(i.op, Op::Binary(BinaryOp::Pow, ..)) && i.dtype.is_float())
}

/// Checks `opt` against `p` on random inputs; `tolerance` is the accepted ULP distance.
fn check_same(seed: u64, p: &Program, opt: &Program, what: &str, tolerance: u64) {
    let mut rng = Rng(seed ^ 0x5eed);
    for _ in 0..INPUTS_PER_PROGRAM {
        let inputs: Vec<Scalar> = p.inputs.iter().map(|d| rng.scalar(d.dtype)).collect();
        let want = eval_element(p, &inputs);
        let got = eval_element(opt, &inputs);
        let ok = same_bits(want, got) || (tolerance > 0 && ulps(want, got) <= tolerance);
        assert!(
            ok,
            "{what} changed the result (seed {seed}): inputs {inputs:?}: {want:?} before, {got:?} after\n\
             before:\n{p}\nafter:\n{opt}"
        );
    }
}

#[test]
fn folding_preserves_results() {
    let mut folded_any = 0;
    for seed in 0..PROGRAMS {
        let mut rng = Rng(seed);
        let size = 4 + rng.below(24);
        let p = irgen::program(&mut rng, size);
        let f = ir::fold::run(&p);
        // Folding never adds instructions, and keeps the inputs.
        assert!(f.insts.len() <= p.insts.len());
        assert_eq!(f.inputs, p.inputs);
        if format!("{f:?}") != format!("{p:?}") {
            folded_any += 1;
        }
        check_same(seed, &p, &f, "fold::run", 0);
        // Folding is idempotent (compared as text: `NaN != NaN` for `PartialEq`).
        assert_eq!(
            format!("{:?}", ir::fold::run(&f)),
            format!("{f:?}"),
            "seed {seed}: folding twice differs"
        );
    }
    assert!(
        folded_any > PROGRAMS / 4,
        "the generator rarely gives folding work: {folded_any}"
    );
}

#[test]
fn every_pass_combination_preserves_results() {
    for seed in 0..PROGRAMS / 3 {
        let mut rng = Rng(seed.wrapping_mul(7919));
        let size = 4 + rng.below(24);
        let p = irgen::program(&mut rng, size);
        for bits in 0..8u8 {
            let opts = OptOptions {
                fold: bits & 1 != 0,
                cse: bits & 2 != 0,
                pow: bits & 4 != 0,
            };
            let o = ir::optimize(&p, &opts);
            let tolerance = if opts.pow && has_float_pow(&p) { 4 } else { 0 };
            check_same(seed, &p, &o, &format!("optimize({opts:?})"), tolerance);
        }
    }
}
