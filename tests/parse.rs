//! Parser snapshot tests: every `tests/data/parse/ok/*.jx` must parse, and its printed AST
//! must equal the committed `.txt`; every `err/*.jx` must fail, and its rendered error must
//! equal the `.txt`. Run with `UPDATE_SNAPSHOTS=1` to rewrite the snapshots.

use jitex::syntax::ast::{Expr, ExprKind, Program};
use jitex::syntax::{parse, parse_program, MAX_DEPTH, MAX_SOURCE_LEN};
use jitex::ErrorKind;

mod common;
use common::snapshots::check_dir;

/// Clears spans so trees parsed from different text compare equal.
fn strip(e: &Expr) -> Expr {
    let kind = match &e.kind {
        ExprKind::Unary(op, a) => ExprKind::Unary(*op, Box::new(strip(a))),
        ExprKind::Binary(op, a, b) => ExprKind::Binary(*op, Box::new(strip(a)), Box::new(strip(b))),
        ExprKind::Call {
            func, args, kwargs, ..
        } => ExprKind::Call {
            func: func.clone(),
            func_span: Default::default(),
            args: args.iter().map(strip).collect(),
            kwargs: kwargs
                .iter()
                .map(|k| jitex::syntax::ast::Keyword {
                    name: k.name.clone(),
                    name_span: Default::default(),
                    value: strip(&k.value),
                })
                .collect(),
        },
        k => k.clone(),
    };
    Expr {
        kind,
        span: Default::default(),
    }
}

/// Clears spans in every statement.
fn strip_program(p: &Program) -> Vec<(Option<String>, Expr)> {
    p.statements
        .iter()
        .map(|s| (s.target.as_ref().map(|t| t.0.clone()), strip(&s.value)))
        .collect()
}

#[test]
fn ok_snapshots() {
    check_dir("tests/data/parse/ok", |src, path| {
        let p =
            parse_program(src).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.render(src)));
        let printed = p.to_string();
        // The printed form is valid source for the same tree.
        let again = parse_program(&printed).unwrap_or_else(|e| panic!("reparse {printed}: {e}"));
        assert_eq!(
            strip_program(&again),
            strip_program(&p),
            "{}",
            path.display()
        );
        printed
    });
}

#[test]
fn err_snapshots() {
    check_dir("tests/data/parse/err", |src, path| {
        match parse_program(src) {
            Ok(p) => panic!("{} parsed as {p}", path.display()),
            Err(e) => format!("{:?}\n{}", e.kind, e.render(src)),
        }
    });
}

#[test]
fn statements_and_keywords() {
    let p = parse_program("t = a*b; u = sin(t); t + u*c;").unwrap();
    assert_eq!(p.statements.len(), 3);
    assert_eq!(p.statements[0].target.as_ref().unwrap().0, "t");
    assert_eq!(p.statements[2].target, None);
    assert_eq!(p.to_string(), "t = (a * b); u = sin(t); (t + (u * c))");
    let p = parse_program("sum(a, axis=-1)").unwrap();
    let ExprKind::Call { args, kwargs, .. } = &p.statements[0].value.kind else {
        panic!("not a call")
    };
    assert_eq!((args.len(), kwargs.len()), (1, 1));
    assert_eq!(kwargs[0].name, "axis");
    // `parse` accepts exactly one bare expression.
    assert!(parse("a; b").is_err());
    assert!(parse("x = a").is_err());
    assert_eq!(parse("a;").unwrap().to_string(), "a");
}

#[test]
fn precedence_follows_python() {
    let p = |s: &str| parse(s).unwrap().to_string();
    assert_eq!(p("-a**2"), "(-(a ** 2))");
    assert_eq!(p("a**-b"), "(a ** (-b))");
    assert_eq!(p("a**b**c"), "(a ** (b ** c))");
    assert_eq!(p("a - b - c"), "((a - b) - c)");
    assert_eq!(
        p("a | b ^ c & d << e + f * g"),
        "(a | (b ^ (c & (d << (e + (f * g))))))"
    );
    assert_eq!(p("a < b | c"), "(a < (b | c))");
    assert_eq!(p("2**-1*3"), "((2 ** (-1)) * 3)");
    assert_eq!(p("-a*b"), "((-a) * b)");
    assert_eq!(p("~a & b"), "((~a) & b)");
}

#[test]
fn attributes_are_calls_binding_tightest() {
    let p = |s: &str| parse(s).unwrap().to_string();
    assert_eq!(p("z.real"), "real(z)");
    assert_eq!(p("-z.real"), "(-real(z))");
    assert_eq!(p("2**z.imag"), "(2 ** imag(z))");
    assert_eq!(p("z.real**2"), "(real(z) ** 2)");
    assert_eq!(p("-z.real**-z.imag"), "(-(real(z) ** (-imag(z))))");
    assert_eq!(p("z.real.imag"), "imag(real(z))");
    assert_eq!(p("(a - 10).real != 0.0"), "(real((a - 10)) != 0.0)");
    assert_eq!(p("sin(z).imag"), "imag(sin(z))");
    assert_eq!(p("z . real"), "real(z)");
    // A point next to digits is the number's: `3.j` is 3j, `2.e-5` and `2.` are floats.
    assert_eq!(p("3.j"), "3.0j");
    assert_eq!(p("2.e-5 + 2."), "(2e-5 + 2.0)");
    assert_eq!(
        p("(3).real + 1.5.imag + 1 .real"),
        "((real(3) + imag(1.5)) + real(1))"
    );
}

#[test]
fn attribute_spans_cover_the_whole_access() {
    let e = parse("  (a-10).real").unwrap();
    assert_eq!((e.span.start, e.span.end), (2, 13));
    let ExprKind::Call {
        func,
        func_span,
        args,
        ..
    } = &e.kind
    else {
        panic!("{e:?}")
    };
    assert_eq!(func, "real");
    assert_eq!((func_span.start, func_span.end), (8, 13));
    assert_eq!((args[0].span.start, args[0].span.end), (3, 7));
    let e = parse("-z.imag.real").unwrap();
    let ExprKind::Unary(_, inner) = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!((inner.span.start, inner.span.end), (1, 12));
    // Other attributes point at themselves.
    let err = parse("z.real + a.foo").unwrap_err();
    assert_eq!(err.span.map(|s| (s.start, s.end)), Some((10, 14)));
    assert_eq!(
        err.message,
        "attribute `.foo` is not supported; only `.real` and `.imag`"
    );
}

#[test]
fn spans_cover_the_source() {
    let e = parse(" (a + b) * 2").unwrap();
    assert_eq!((e.span.start, e.span.end), (2, 12));
    let e = parse("sin(x, )").unwrap();
    match e.kind {
        ExprKind::Call {
            func_span, args, ..
        } => {
            assert_eq!((func_span.start, func_span.end), (0, 3));
            assert_eq!(args.len(), 1);
        }
        k => panic!("{k:?}"),
    }
}

fn limit_error(src: &str) {
    let e = parse(src).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit, "{}", e.render(src));
}

#[test]
fn depth_limit_is_an_error_not_a_crash() {
    let n = 100_000;
    limit_error(&format!("{}a{}", "(".repeat(n), ")".repeat(n)));
    limit_error(&"(".repeat(n));
    limit_error(&format!("{}a", "-".repeat(n)));
    limit_error(&format!("{}a", "-~".repeat(n)));
    limit_error(&format!("a{}", "**a".repeat(n)));
    limit_error(&format!("{}a{}", "sin(".repeat(n), ")".repeat(n)));
    limit_error(&format!("a{}", "+a".repeat(n)));
    limit_error(&format!("a{}", "*a".repeat(MAX_DEPTH)));
    limit_error(&format!("a{}", ".real".repeat(n)));
    limit_error(&format!("{}a{}", "(".repeat(n), ").imag".repeat(n)));
    // Just inside the limit still parses.
    let ok = MAX_DEPTH - 2;
    parse(&format!("{}a{}", "(".repeat(ok), ")".repeat(ok))).unwrap();
    parse(&format!("a{}", "+a".repeat(ok))).unwrap();
}

/// Half a default spawned thread's stack (an eighth of the main thread's). Unoptimised
/// builds spend about 3 KiB per nesting level; optimised ones far less.
const SMALL_STACK: usize = 1 << 20;

#[test]
fn deep_nesting_on_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(|| {
            let n = 100_000;
            for src in [
                format!("{}a{}", "(".repeat(n), ")".repeat(n)),
                format!("{}a", "-".repeat(n)),
                format!("a{}", "**a".repeat(n)),
                format!("{}a{}", "f(".repeat(n), ")".repeat(n)),
                format!("a{}", ".real".repeat(n)),
                format!("{}a{}", "(".repeat(n), ").imag".repeat(n)),
            ] {
                limit_error(&src);
            }
            // The deepest accepted expressions parse, print and drop on this stack too.
            let ok = MAX_DEPTH - 2;
            for src in [
                format!("{}a{}", "f(".repeat(ok), ")".repeat(ok)),
                format!("{}a", "-".repeat(ok)),
                format!("a{}", "**a".repeat(ok)),
                format!("a{}", ".real".repeat(ok)),
            ] {
                let e = parse(&src).unwrap();
                assert!(!e.to_string().is_empty());
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn source_length_is_capped() {
    let long = format!("a{}", " ".repeat(MAX_SOURCE_LEN));
    limit_error(&long);
}

#[test]
fn integer_literals_up_to_u64_max() {
    let e = parse("18446744073709551615").unwrap();
    assert_eq!(e.kind, ExprKind::Int(u64::MAX));
    assert_eq!(parse("0xff_ff").unwrap().kind, ExprKind::Int(0xffff));
    assert_eq!(parse("0b101").unwrap().kind, ExprKind::Int(5));
    assert_eq!(parse("0o17").unwrap().kind, ExprKind::Int(15));
    assert_eq!(parse("1_0.5").unwrap().kind, ExprKind::Float(10.5));
    assert_eq!(parse("1.e2").unwrap().kind, ExprKind::Float(100.0));
    assert_eq!(parse("2.5j").unwrap().kind, ExprKind::Imag(2.5));
    assert_eq!(
        parse("18446744073709551616").unwrap_err().kind,
        ErrorKind::Syntax
    );
}
