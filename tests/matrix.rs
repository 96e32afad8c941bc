//! The differential matrix: every generated case (element-wise expressions, programs,
//! programs with several outputs, complex numbers, strings, reductions) is run by the JIT
//! under every configuration of a covering design over math implementation, threads,
//! store mode, typing, first and remembered calls, and destination (see `matrix/config.rs`),
//! and checked against the reference interpreter (see `matrix/check.rs` for the property).
//!
//! Cases per family: [`CASES`], or `JITEX_MATRIX_CASES` for long local runs. A failure
//! prints the configuration, the expression, its inputs (dtypes, shapes, layouts) and the
//! data seed; proptest shrinks the case's depth and lengths first.

#[path = "matrix/check.rs"]
mod check;
mod common;
#[path = "common/complexgen.rs"]
mod complexgen;
#[path = "matrix/config.rs"]
mod config;
#[path = "matrix/data.rs"]
mod data;
#[path = "common/exprgen.rs"]
mod exprgen;
#[path = "matrix/families.rs"]
mod families;
#[path = "matrix/regressions.rs"]
mod regressions;
#[path = "common/stringgen.rs"]
mod stringgen;

use families::{generate, Caps, Family, MAX_LEN};
use proptest::prelude::*;
use std::sync::OnceLock;

/// Cases per family in an ordinary run (each runs every configuration of the covering).
const CASES: u32 = 200;

/// [`CASES`], or the value of `JITEX_MATRIX_CASES`.
fn cases() -> u32 {
    std::env::var("JITEX_MATRIX_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES)
}

/// The configurations, computed once.
fn configs() -> &'static [config::Config] {
    static C: OnceLock<Vec<config::Config>> = OnceLock::new();
    C.get_or_init(config::covering)
}

/// Generates and checks one case; a draw that makes no case passes.
fn run(family: Family, seed: u64, caps: Caps) -> Result<(), TestCaseError> {
    match generate(family, seed, caps) {
        None => Ok(()),
        Some(case) => check::check(&case, configs())
            .map_err(|m| TestCaseError::fail(format!("{family:?} seed {seed} {caps:?}: {m}"))),
    }
}

/// Case bounds proptest can shrink: depth toward 1, lengths toward the shortest.
fn caps() -> impl Strategy<Value = Caps> {
    (1..=Caps::NONE.depth, 0..MAX_LEN.len()).prop_map(|(depth, size)| Caps { depth, size })
}

macro_rules! family_test {
    ($name:ident, $family:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

            #[test]
            fn $name(seed in any::<u64>(), caps in caps()) {
                run($family, seed, caps)?;
            }
        }
    };
}

family_test!(elementwise, Family::Elementwise);
family_test!(programs, Family::Program);
family_test!(several_outputs, Family::Outputs);
family_test!(complex, Family::Complex);
family_test!(strings, Family::Strings);
family_test!(reductions, Family::Reductions);

const FAMILIES: [Family; 6] = [
    Family::Elementwise,
    Family::Program,
    Family::Outputs,
    Family::Complex,
    Family::Strings,
    Family::Reductions,
];

/// Fixed seeds, run whole (add any seed a failure reports here, with its family).
#[test]
fn regression_seeds() {
    for family in FAMILIES {
        for seed in [0u64, 1, 2, 3, 0xdead_beef] {
            run(family, seed, Caps::NONE).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// The covering design covers every pair of dimension values, and every (calls,
/// destination) pair under the default math; and it is much smaller than the product.
#[test]
fn the_covering_design_covers_every_pair() {
    let chosen = configs();
    let covered: std::collections::HashSet<_> =
        chosen.iter().flat_map(config::interactions).collect();
    for c in config::product() {
        for i in config::interactions(&c) {
            assert!(covered.contains(&i), "{i:?} (from {c:?}) is not covered");
        }
    }
    assert!(chosen.len() <= 20, "{} configurations", chosen.len());
}

/// Each generator must mostly make cases that type-check, or the matrix would mostly
/// compare two identical errors.
#[test]
fn generated_cases_mostly_type_check() {
    for family in FAMILIES {
        let total = 300;
        let mut ok = 0;
        let mut errors = Vec::new();
        let mut complex = 0;
        for seed in 0..total {
            let Some(case) = generate(family, seed, Caps::NONE) else {
                errors.push(format!("seed {seed}: no case"));
                continue;
            };
            if case.inputs.iter().any(|s| s.dtype.is_complex()) || case.src.contains('j') {
                complex += 1;
            }
            let typed = case
                .expr(jitex::Typing::NumPy)
                .and_then(|e| e.result_dtype(&case.signature()));
            match typed {
                Ok(_) => ok += 1,
                Err(err) => errors.push(format!("{}: {err}", case.describe())),
            }
        }
        assert!(
            ok * 10 >= total * 9,
            "{family:?}: only {ok} of {total} generated cases type-check; e.g.\n{}",
            errors
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
        // Complex cases must mostly hold a complex value, not only reals.
        if family == Family::Complex {
            assert!(
                complex * 10 >= total * 7,
                "only {complex} of {total} involve complex"
            );
        }
    }
}
