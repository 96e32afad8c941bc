//! Snapshot directories: each `*.jx` input has a committed `*.txt` of its rendered output.

use std::path::Path;

/// Runs `render` on every `.jx` under `dir` and compares with (or writes) its `.txt`.
pub fn check_dir(dir: &str, render: impl Fn(&str, &Path) -> String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jx"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no cases in {}", dir.display());
    let mut failures = Vec::new();
    for path in &paths {
        let src = std::fs::read_to_string(path).unwrap();
        // Files end with a newline; the expression is the text before it.
        let src = src.strip_suffix('\n').unwrap_or(&src);
        let got = render(src, path) + "\n";
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
