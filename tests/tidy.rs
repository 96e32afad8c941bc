//! Tidy checks over the crate's sources (`src/`), which the compiler does not enforce:
//!
//! * every `crate::<module>` path (in `use` lines and inline, `super::` chains that climb to
//!   the crate root included) follows the module dependency table of
//!   `docs/architecture.md`, "Module dependencies", which [`ALLOWED`] mirrors;
//! * every `unsafe {` block has a `// SAFETY:` comment on its line or just above it.
//!
//! Test code (`#[cfg(test)]` items, `tests.rs`, `*_tests.rs` and files under a `tests/`
//! folder) may use any module; `lib.rs` (the crate root, which re-exports) and `src/bin/`
//! (outside the crate, on the public API) are not checked for dependencies.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules of `src/`.
const MODULES: [&str; 11] = [
    "syntax", "types", "error", "ir", "interp", "math", "codegen", "runtime", "expr", "npy",
    "testkit",
];

/// Which top-level modules each one may use. Keep in step with the table in
/// docs/architecture.md ("Module dependencies"): [`doc_lists_the_same_table`] checks it.
const ALLOWED: [(&str, &[&str]); 11] = [
    ("syntax", &["error"]),
    ("types", &[]),
    ("error", &[]),
    ("ir", &["error", "syntax", "types"]),
    ("interp", &["ir", "math", "types"]),
    ("math", &["ir", "types"]),
    ("codegen", &["error", "ir", "math", "types"]),
    (
        "runtime",
        &["codegen", "error", "interp", "ir", "math", "types"],
    ),
    (
        "expr",
        &["codegen", "error", "ir", "runtime", "syntax", "types"],
    ),
    ("npy", &["error", "runtime", "types"]),
    ("testkit", &["runtime", "types"]),
];

/// Single files allowed one more dependency: each a documented exception.
const FILE_EXCEPTIONS: [(&str, &str); 1] = [
    // Constant folding runs the interpreter, so that folding gives the interpreter's bits.
    ("src/ir/fold.rs", "interp"),
];

/// `unsafe` blocks known to lack a `// SAFETY:` comment, per file; the count may only go
/// down. None are left.
const SAFETY_PENDING: [(&str, usize); 0] = [];

/// How many lines above an `unsafe {` its `// SAFETY:` comment block may end.
const SAFETY_REACH: usize = 3;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted, as paths relative to the crate root.
fn rust_files(dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path.strip_prefix(root()).expect("under the crate root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn src_files() -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 50, "found only {files:?} under src/");
    files
}

/// Test code as a whole file: it may use anything.
fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name == "tests.rs" || name.ends_with("_tests.rs") || rel.split('/').any(|c| c == "tests")
}

/// The module path of a file: `src/ir/lower/nep50.rs` → `[ir, lower, nep50]`.
fn module_path(rel: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = rel
        .trim_start_matches("src/")
        .trim_end_matches(".rs")
        .split('/')
        .collect();
    if parts.last() == Some(&"mod") {
        parts.pop();
    }
    parts
}

/// The line without its `//` comment (doc links are not dependencies).
fn code_of(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

/// The file's production lines, numbered from 1: `#[cfg(test)]` items are left out (a
/// `mod x;` line, or everything up to the item's closing brace).
fn production_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "#[cfg(test)]" {
            out.push((i + 1, lines[i]));
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < lines.len() && lines[j].trim().starts_with("#[") {
            j += 1;
        }
        let first = lines.get(j).map_or("", |l| code_of(l));
        if first.trim_end().ends_with(';') && !first.contains('{') {
            i = j + 1;
            continue;
        }
        let mut depth = 0i64;
        let mut opened = false;
        while j < lines.len() {
            let code = code_of(lines[j]);
            depth += code.matches('{').count() as i64 - code.matches('}').count() as i64;
            opened |= code.contains('{');
            if opened && depth <= 0 {
                break;
            }
            j += 1;
        }
        i = j + 1;
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn ident_at(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The first segment of every path in the group `{a::b, c, d::{e, f}}` that `s` starts
/// inside (just past its `{`): `[a, c, d]`.
fn group_heads(s: &str) -> Vec<&str> {
    let mut heads = Vec::new();
    let mut depth = 1;
    let mut expect_head = true;
    let mut i = 0;
    while i < s.len() && depth > 0 {
        let c = s[i..].chars().next().expect("in bounds");
        if expect_head && is_ident(c) {
            let id = ident_at(&s[i..]);
            heads.push(id);
            i += id.len();
            expect_head = false;
            continue;
        }
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 1 => expect_head = true,
            _ => {}
        }
        i += c.len_utf8();
    }
    heads
}

/// The top-level modules `code` (a file's production code, comments removed) names, each
/// with the byte offset where it is named.
fn crate_refs<'a>(code: &'a str, module: &[&str]) -> Vec<(usize, &'a str)> {
    let mut refs = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == '$') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            refs.extend(group_heads(group).into_iter().map(|h| (at, h)));
        } else {
            refs.push((at, ident_at(rest)));
        }
    }
    // `super::super::x` that climbs to the crate root names the top-level module `x`.
    let mut at = 0;
    while let Some(found) = code[at..].find("super::") {
        let start = at + found;
        let before = code[..start].chars().next_back();
        let mut end = start;
        let mut ups = 0;
        while code[end..].starts_with("super::") {
            end += "super::".len();
            ups += 1;
        }
        at = end;
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        if ups >= module.len() {
            refs.push((start, ident_at(&code[end..])));
        }
    }
    refs
}

#[test]
fn modules_depend_only_as_the_architecture_allows() {
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for rel in src_files() {
        if rel == "src/lib.rs" || rel.starts_with("src/bin/") || is_test_file(&rel) {
            continue;
        }
        let module = module_path(&rel);
        let top = module[0];
        let allowed = ALLOWED
            .iter()
            .find(|(m, _)| *m == top)
            .unwrap_or_else(|| panic!("{rel}: `{top}` is not in the table; add it"))
            .1;
        let text = fs::read_to_string(root().join(&rel)).expect("a readable source file");
        // Production code with comments removed, and the line each byte came from.
        let mut code = String::new();
        let mut line_of = Vec::new();
        for (n, line) in production_lines(&text) {
            code.push_str(code_of(line));
            code.push('\n');
            line_of.resize(code.len(), n);
        }
        for (at, used) in crate_refs(&code, &module) {
            if used == top || !MODULES.contains(&used) {
                continue;
            }
            seen.insert((top.to_string(), used.to_string()));
            let excepted = FILE_EXCEPTIONS.contains(&(rel.as_str(), used));
            if !allowed.contains(&used) && !excepted {
                errors.push(format!(
                    "{rel}:{}: `{top}` uses `crate::{used}`, which the module dependency \
                     table does not allow (`{top}` may use: {}). See docs/architecture.md, \
                     \"Module dependencies\".",
                    line_of[at],
                    allowed.join(", ")
                ));
            }
        }
    }
    assert!(errors.is_empty(), "\n{}", errors.join("\n"));
    // The scan must see the dependencies everyone knows exist.
    for (from, to) in [("codegen", "ir"), ("expr", "runtime"), ("ir", "interp")] {
        let edge = (from.to_string(), to.to_string());
        assert!(seen.contains(&edge), "the scan missed {edge:?}: {seen:?}");
    }
}

#[test]
fn doc_lists_the_same_table() {
    let doc = fs::read_to_string(root().join("docs/architecture.md")).expect("the doc");
    for (module, deps) in ALLOWED {
        let deps = if deps.is_empty() {
            "(nothing)".to_string()
        } else {
            deps.join(", ")
        };
        let line = format!("{module:<8} → {deps}");
        assert!(
            doc.lines().any(|l| l.trim_end() == line),
            "docs/architecture.md lacks the table line `{line}`"
        );
    }
    for (file, used) in FILE_EXCEPTIONS {
        let line = format!("{file}: {used}");
        assert!(
            doc.contains(&line),
            "docs/architecture.md lacks the exception `{line}`"
        );
    }
}

/// Whether the `// SAFETY` comment for an `unsafe {` on line `i` (0-based) is there: on
/// that line, or in a comment block ending at most [`SAFETY_REACH`] lines above it.
fn has_safety_comment(lines: &[&str], i: usize) -> bool {
    let is_safety = |l: &str| {
        l.trim_start()
            .strip_prefix("//")
            .is_some_and(|c| c.trim_start().starts_with("SAFETY"))
    };
    if lines[i].contains("// SAFETY") {
        return true;
    }
    let Some(end) = (i.saturating_sub(SAFETY_REACH)..i)
        .rev()
        .find(|&j| lines[j].trim_start().starts_with("//"))
    else {
        return false;
    };
    let mut j = end;
    loop {
        if is_safety(lines[j]) {
            return true;
        }
        if j == 0 || !lines[j - 1].trim_start().starts_with("//") {
            return false;
        }
        j -= 1;
    }
}

#[test]
fn every_unsafe_block_says_why_it_is_safe() {
    let mut errors = Vec::new();
    for rel in src_files() {
        let text = fs::read_to_string(root().join(&rel)).expect("a readable source file");
        let lines: Vec<&str> = text.lines().collect();
        let mut missing = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let code = code_of(line);
            let unsafe_block = code.match_indices("unsafe").any(|(at, _)| {
                let before = code[..at].chars().next_back();
                !before.is_some_and(is_ident) && code[at + 6..].trim_start().starts_with('{')
            });
            if unsafe_block && !has_safety_comment(&lines, i) {
                missing.push(format!("{rel}:{}: {}", i + 1, line.trim()));
            }
        }
        let pending = SAFETY_PENDING
            .iter()
            .find(|(f, _)| *f == rel)
            .map_or(0, |p| p.1);
        if missing.len() > pending {
            errors.extend(missing);
        } else if missing.len() < pending {
            errors.push(format!(
                "{rel}: {} unsafe block(s) lack a SAFETY comment, fewer than the {pending} \
                 SAFETY_PENDING allows: lower it",
                missing.len()
            ));
        }
    }
    assert!(
        errors.is_empty(),
        "every `unsafe {{` needs a `// SAFETY:` comment on its line or in the comment \
         block just above it:\n{}",
        errors.join("\n")
    );
}
