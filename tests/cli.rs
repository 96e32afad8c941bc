//! End-to-end tests of the `jitex` binary: exit codes, error output, and `.npy` round trips.
//! (The `eval`/`explain` cases need the whole pipeline; usage errors need only the CLI.)

use jitex::{npy, DType};
use std::path::PathBuf;
use std::process::{Command, Output};

fn jitex(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jitex"))
        .args(args)
        .output()
        .expect("the jitex binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the binary, asserts it succeeded (showing its stderr if not), and returns stdout.
fn jitex_ok(args: &[&str]) -> String {
    let run = jitex(args);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    text(&run.stdout)
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jitex-cli-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write_f64(path: &PathBuf, shape: &[usize], values: &[f64]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
    npy::write(path, DType::F64, shape, &bytes).expect("write fixture");
}

#[test]
fn usage_errors_exit_one_with_a_message_and_no_panic() {
    for args in [
        &[][..],
        &["frob"],
        &["eval"],
        &["eval", "a", "a=i1:300"],
        &["explain", "a", "a=f64"],
        &["bench", "--threads", "0"],
    ] {
        let out = jitex(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.starts_with("error: ") && err.contains("usage:"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn help_exits_zero() {
    assert!(jitex_ok(&["--help"]).contains("jitex eval EXPR"));
}

#[test]
fn eval_reads_npy_and_writes_npy() {
    let dir = scratch("eval");
    let (a, out) = (dir.join("a.npy"), dir.join("out.npy"));
    write_f64(&a, &[2, 3], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    jitex_ok(&[
        "eval",
        "2*a + b",
        &format!("a={}", a.display()),
        "b=0.5",
        "unused=7",
        "-o",
        out.to_str().unwrap(),
    ]);
    let got = npy::read(&out).expect("output is a valid .npy");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!((got.dtype(), got.shape()), (DType::F64, &[2usize, 3][..]));
    let values: Vec<f64> = got
        .as_bytes()
        .chunks_exact(8)
        .map(|c| f64::from_ne_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(
        values,
        (0..6).map(|i| 2.0 * i as f64 + 0.5).collect::<Vec<_>>()
    );
}

#[test]
fn eval_prints_shape_dtype_and_values() {
    let stdout = jitex_ok(&["eval", "a + 1", "a=int32:41"]);
    assert!(stdout.starts_with("shape (), dtype int32\n42"), "{stdout}");
}

#[test]
fn source_errors_are_rendered_with_carets() {
    let out = jitex(&["eval", "2*sinn(a)", "a=1.0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("2*sinn(a)") && err.contains('^'),
        "{err}"
    );
}

#[test]
fn missing_files_are_io_errors() {
    let out = jitex(&["eval", "a", "a=/nonexistent/a.npy"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nonexistent/a.npy"));
}

#[test]
fn explain_prints_every_stage() {
    let s = jitex_ok(&["explain", "2*a + b", "a=f8", "b=i4"]);
    for section in [
        "== AST ==",
        "== typed IR ==",
        "== optimised IR ==",
        "== Cranelift IR ==",
        "== machine code:",
    ] {
        assert!(s.contains(section), "missing {section}: {s}");
    }
}

#[test]
fn dtype_codes_have_numpy_meanings() {
    // NumPy's codes count bytes: `i8` is int64, `u1` uint8.
    let stdout = jitex_ok(&["eval", "a", "a=i8:300"]);
    assert!(stdout.starts_with("shape (), dtype int64\n300"), "{stdout}");
    let stdout = jitex_ok(&["eval", "a", "a=u1:255"]);
    assert!(stdout.starts_with("shape (), dtype uint8\n255"), "{stdout}");
    let s = jitex_ok(&["explain", "a + b", "a=i8", "b=f4"]);
    assert!(s.contains("int64") && s.contains("float32"), "{s}");
    // A bit-count name is refused with NumPy's spelling.
    let out = jitex(&["explain", "a", "a=f64"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("float64 or f8"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn eval_searches_and_compares_string_npy_files() {
    let dir = scratch("strings");
    let (s, u, out) = (
        dir.join("names.npy"),
        dir.join("u.npy"),
        dir.join("out.npy"),
    );
    npy::write(&s, DType::Bytes(4), &[4], b"abbacab\0xyz\0\0\0\0\0").expect("write S4");
    let cps: Vec<u8> = ['c', 'a', 'f', 'é', 'a', 'b', '\0', '\0']
        .iter()
        .flat_map(|&c| (c as u32).to_ne_bytes())
        .collect();
    npy::write(&u, DType::Str(4), &[2], &cps).expect("write U4");
    let stdout = jitex_ok(&["eval", "contains(s, b'ab')", &format!("s={}", s.display())]);
    assert!(
        stdout.starts_with("shape (4,), dtype bool\n[ True  True False False]"),
        "{stdout}"
    );
    jitex_ok(&[
        "eval",
        "u == 'café'",
        &format!("u={}", u.display()),
        "-o",
        out.to_str().unwrap(),
    ]);
    let got = npy::read(&out).expect("output is a valid .npy");
    assert_eq!(got.as_bytes(), &[1, 0]);
    // A string result is a copy: printed as NumPy does, written byte for byte.
    let stdout = jitex_ok(&["eval", "s", &format!("s={}", s.display())]);
    assert!(
        stdout.starts_with("shape (4,), dtype S4\n[b'abba' b'cab' b'xyz' b'']"),
        "{stdout}"
    );
    jitex_ok(&[
        "eval",
        "copy(u)",
        &format!("u={}", u.display()),
        "-o",
        out.to_str().unwrap(),
    ]);
    let got = npy::read(&out).expect("output is a valid .npy");
    assert_eq!(
        (got.dtype(), got.as_bytes()),
        (DType::Str(4), cps.as_slice())
    );
    // `where` on strings is still a type error with carets, not a crash.
    let run = jitex(&["eval", "where(s == s, s, s)", &format!("s={}", s.display())]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("`where` is not supported for strings"));
}

#[test]
fn eval_programs_reductions_and_several_outputs() {
    let dir = scratch("programs");
    let a = dir.join("a.npy");
    write_f64(&a, &[2, 3], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    let (x, y) = (dir.join("x.npy"), dir.join("y.npy"));
    jitex_ok(&[
        "eval",
        "t = a*2; x = t - mean(t, axis=0); y = sum(t, axis=-1)",
        &format!("a={}", a.display()),
        "--outputs",
        "x,y",
        "-o",
        x.to_str().unwrap(),
        "-o",
        y.to_str().unwrap(),
    ]);
    let rx = npy::read(&x).unwrap();
    assert_eq!(rx.shape(), &[2, 3]);
    let xs: Vec<f64> = rx
        .as_bytes()
        .chunks(8)
        .map(|c| f64::from_ne_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(xs, vec![-3.0, -3.0, -3.0, 3.0, 3.0, 3.0]);
    let ry = npy::read(&y).unwrap();
    assert_eq!(ry.shape(), &[2]);
    let ys: Vec<f64> = ry
        .as_bytes()
        .chunks(8)
        .map(|c| f64::from_ne_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(ys, vec![6.0, 24.0]);
    // Printed outputs carry their names; a complex scalar reads in Python syntax.
    let printed = jitex_ok(&[
        "eval",
        "x = z*2; y = abs(z)",
        "z=c16:3+4j",
        "--outputs",
        "x,y",
    ]);
    assert!(
        printed.contains("x: shape (), dtype complex128"),
        "{printed}"
    );
    assert!(
        printed.contains("y: shape (), dtype float64\n5.0"),
        "{printed}"
    );
    // A reduction's shape error names the call.
    let out = jitex(&["eval", "a - mean(a, axis=1)", &format!("a={}", a.display())]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`mean(a, axis=1)` has shape (2,)"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
