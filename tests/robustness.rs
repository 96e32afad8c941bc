//! No input panics: random token soup, random bytes and hostile shapes go through the whole
//! public API (compile, type, evaluate on both backends), and every failure is a
//! `jitex::Error` whose span lies inside the source.

use jitex::{Arg, Backend, DType, EvalOptions, Expr};
use proptest::prelude::*;

/// Pieces that make plausible and implausible expressions when glued together.
const TOKENS: &[&str] = &[
    "a",
    "b",
    "c",
    "x",
    "1",
    "0",
    "-1",
    "2.5",
    "1e308",
    "0x7f",
    "1_0",
    ".5",
    "1j",
    "True",
    "False",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "**",
    "<<",
    ">>",
    "&",
    "|",
    "^",
    "~",
    "<",
    "<=",
    "==",
    "!=",
    ">=",
    ">",
    "(",
    ")",
    ",",
    "sin(",
    "where(",
    "int8(",
    "uint64(",
    "float32(",
    "bool(",
    "arctan2(",
    "maximum(",
    "sum(",
    "and",
    "not",
    "lambda",
    ".",
    ".real",
    ".imag",
    "2.",
    "e",
    "3.j",
    "copy(",
    "ones_like(",
    "sign(",
    "round(",
    "[",
    "]",
    "=",
    "'s'",
    "$",
    "é",
    " ",
    "\t",
    "\n",
    "99999999999999999999999",
];

/// The inputs every case offers: mixed dtypes, a scalar, and a 2-d array that broadcasts
/// with `a` only along its last axis.
fn check(src: &str) {
    let a: Vec<f64> = vec![1.5, -0.0, f64::NAN, 3.0];
    let b: Vec<i8> = vec![-128, -1, 0, 127];
    let c: Vec<u64> = (0..12).collect();
    let c = jitex::ArrayView::from_shape(&c[..], &[3, 4]).unwrap();
    let inputs = [
        ("a", Arg::from(&a[..])),
        ("b", Arg::from(&b[..])),
        ("c", Arg::Array(c)),
        ("x", Arg::Scalar(jitex::Scalar::F32(2.0))),
    ];
    let expr = match Expr::compile(src) {
        Ok(e) => e,
        Err(e) => return check_error(src, &e),
    };
    let mut results = Vec::new();
    for backend in [Backend::Jit, Backend::Interp] {
        let opts = EvalOptions {
            backend,
            threads: Some(2),
            // libm in blocks: the phases of vector-math programs, exact against the interpreter.
            math: jitex::MathImpl::LibmBlocks,
            ..EvalOptions::default()
        };
        match expr.eval_with(&inputs, &opts) {
            Ok(out) => results.push(Ok(out.as_bytes().to_vec())),
            Err(e) => {
                check_error(src, &e);
                results.push(Err(e));
            }
        }
    }
    // Both backends agree on success or on the very same error. (Bitwise equality of
    // values is the differential test's job; NaN payloads may differ.)
    match (&results[0], &results[1]) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) => assert_eq!(a, b, "`{src}`"),
        (j, i) => panic!("`{src}`: jit {j:?} but interp {i:?}"),
    }
    let sig = [
        ("a", DType::F64),
        ("b", DType::I8),
        ("c", DType::U64),
        ("x", DType::F32),
    ];
    if let Err(e) = expr.result_dtype(&sig) {
        check_error(src, &e);
    }
}

fn check_error(src: &str, e: &jitex::Error) {
    if let Some(span) = e.span {
        assert!(
            span.start <= span.end && span.end <= src.len(),
            "`{src}`: span {span:?} outside the source ({e})"
        );
        assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
    }
    let rendered = e.render(src);
    assert!(rendered.starts_with("error: "), "{rendered}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(picks in prop::collection::vec(0..TOKENS.len(), 0..24)) {
        let src: String = picks.iter().map(|&i| TOKENS[i]).collect();
        check(&src);
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,40}") {
        check(&src);
    }
}

#[test]
fn hostile_sources_are_errors() {
    let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
    let long_chain = vec!["a"; 50_000].join("+");
    let unary = format!("{}a", "-".repeat(100_000));
    let pows = vec!["a"; 50_000].join("**");
    let calls = format!("{}a{}", "sin(".repeat(100_000), ")".repeat(100_000));
    for src in [deep, long_chain, unary, pows, calls, "a".repeat(2 << 20)] {
        let e = Expr::compile(&src)
            .and_then(|e| e.result_dtype(&[("a", DType::F64)]))
            .unwrap_err();
        assert_eq!(e.kind, jitex::ErrorKind::Limit, "{}", e.message);
        check_error(&src, &e);
    }
}

#[test]
fn inputs_are_never_modified() {
    let a: Vec<f64> = (0..1000).map(|i| i as f64).collect();
    let before = a.clone();
    let e = Expr::compile("a*2 + sin(a)").unwrap();
    e.eval(&[("a", Arg::from(&a[..]))]).unwrap();
    assert_eq!(a, before);
}
