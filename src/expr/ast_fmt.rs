//! A compact S-expression rendering of the AST for `jitex explain`, and name lookup.

use crate::error::Span;
use crate::syntax::ast::{Expr, ExprKind};
use std::fmt::Write;

/// Renders `e` as an S-expression: `(+ (* 2 a) (sin b))`.
pub(crate) fn sexpr(e: &Expr) -> String {
    let mut out = String::new();
    write_sexpr(e, &mut out);
    out
}

// Recursion depth is bounded by the parser's `MAX_DEPTH`.
fn write_sexpr(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Int(v) => {
            let _ = write!(out, "{v}");
        }
        ExprKind::Float(v) => {
            let _ = write!(out, "{v:?}");
        }
        ExprKind::Bool(v) => out.push_str(if *v { "True" } else { "False" }),
        ExprKind::Imag(v) => {
            let _ = write!(out, "{v:?}j");
        }
        ExprKind::Name(n) => out.push_str(n),
        ExprKind::None => out.push_str("None"),
        ExprKind::Str(s) => {
            let _ = write!(out, "{s:?}");
        }
        ExprKind::Bytes(b) => {
            let _ = write!(out, "b\"{}\"", b.escape_ascii());
        }
        ExprKind::Unary(op, a) => {
            let _ = write!(out, "({} ", op.symbol());
            write_sexpr(a, out);
            out.push(')');
        }
        ExprKind::Binary(op, a, b) => {
            let _ = write!(out, "({} ", op.symbol());
            write_sexpr(a, out);
            out.push(' ');
            write_sexpr(b, out);
            out.push(')');
        }
        ExprKind::Call {
            func, args, kwargs, ..
        } => {
            out.push('(');
            out.push_str(func);
            for a in args {
                out.push(' ');
                write_sexpr(a, out);
            }
            for k in kwargs {
                let _ = write!(out, " :{} ", k.name);
                write_sexpr(&k.value, out);
            }
            out.push(')');
        }
    }
}

/// The span of the first occurrence of the name `name` in `e`, if any.
pub(crate) fn name_span(e: &Expr, name: &str) -> Option<Span> {
    match &e.kind {
        ExprKind::Name(n) if n == name => Some(e.span),
        ExprKind::Unary(_, a) => name_span(a, name),
        ExprKind::Binary(_, a, b) => name_span(a, name).or_else(|| name_span(b, name)),
        ExprKind::Call { args, kwargs, .. } => args
            .iter()
            .chain(kwargs.iter().map(|k| &k.value))
            .find_map(|a| name_span(a, name)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::{BinaryOp, UnaryOp};

    fn node(kind: ExprKind, start: usize, end: usize) -> Expr {
        Expr {
            kind,
            span: Span::new(start, end),
        }
    }

    #[test]
    fn renders_and_finds_names() {
        // 2*a + sin(-b)
        let a = node(ExprKind::Name("a".into()), 2, 3);
        let b = node(ExprKind::Name("b".into()), 11, 12);
        let neg = node(ExprKind::Unary(UnaryOp::Neg, Box::new(b)), 10, 12);
        let call = node(
            ExprKind::Call {
                func: "sin".into(),
                func_span: Span::new(6, 9),
                args: vec![neg],
                kwargs: vec![],
            },
            6,
            13,
        );
        let two = node(ExprKind::Int(2), 0, 1);
        let mul = node(
            ExprKind::Binary(BinaryOp::Mul, Box::new(two), Box::new(a)),
            0,
            3,
        );
        let e = node(
            ExprKind::Binary(BinaryOp::Add, Box::new(mul), Box::new(call)),
            0,
            13,
        );
        assert_eq!(sexpr(&e), "(+ (* 2 a) (sin (- b)))");
        assert_eq!(name_span(&e, "b"), Some(Span::new(11, 12)));
        assert_eq!(name_span(&e, "a"), Some(Span::new(2, 3)));
        assert_eq!(name_span(&e, "sin"), None);
    }
}
