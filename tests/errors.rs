//! Snapshot tests of rendered type-checking errors: each `tests/data/errors/*.jx` holds a
//! `# name=dtype ...` signature line and an expression that must fail to type-check; the
//! rendered error must equal the committed `.txt`. `UPDATE_SNAPSHOTS=1` rewrites them.

use jitex::{DType, Expr};
use std::path::Path;

/// Compiles and types `src` against the signature line, rendering the error.
fn render(text: &str) -> String {
    let (sig, src) = text
        .split_once('\n')
        .expect("a signature line, then the expression");
    let src = src.strip_suffix('\n').unwrap_or(src);
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
        Err(e) => e.render(src) + "\n",
    }
}

#[test]
fn type_errors_render_as_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/errors");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jx"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "too few cases in {}", dir.display());
    let mut failures = Vec::new();
    for path in &paths {
        let got = render(&std::fs::read_to_string(path).unwrap());
        let snap = path.with_extension("txt");
        if update {
            std::fs::write(&snap, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&snap).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{}:\n--- want\n{want}--- got\n{got}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
