//! Snapshot tests of rendered type-checking errors: each `tests/data/errors/*.jx` holds a
//! `# name=dtype ...` signature line and an expression that must fail to type-check; the
//! rendered error must equal the committed `.txt`. `UPDATE_SNAPSHOTS=1` rewrites them.

use jitex::{DType, Expr};

mod common;

/// Compiles and types `src` against the signature line, rendering the error.
fn render(text: &str) -> String {
    let (sig, src) = text
        .split_once('\n')
        .expect("a signature line, then the expression");
    let sig: Vec<(&str, DType)> = sig
        .trim_start_matches('#')
        .split_whitespace()
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("name=dtype");
            (k, DType::from_name(v).expect("a dtype name"))
        })
        .collect();
    match Expr::compile(src).and_then(|e| e.result_dtype(&sig)) {
        Ok(t) => panic!("`{src}` type-checked to {t}, but an error was expected"),
        Err(e) => e.render(src),
    }
}

#[test]
fn type_errors_render_as_snapshots() {
    common::snapshots::check_dir("tests/data/errors", |text, _| render(text));
}

#[test]
fn too_many_inputs_is_a_limit_error() {
    let n = jitex::ir::lower::MAX_INPUTS + 1;
    let names: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
    let src = names.join(" + ");
    let sig: Vec<(&str, DType)> = names.iter().map(|s| (s.as_str(), DType::F64)).collect();
    let err = Expr::compile(&src)
        .and_then(|e| e.result_dtype(&sig))
        .unwrap_err();
    assert_eq!(err.kind, jitex::ErrorKind::Limit, "{err}");
}
