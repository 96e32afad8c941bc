//! Prints an AST back as fully parenthesised source, so the tree shape is visible and the
//! output parses back to the same tree.

use super::ast::{Expr, ExprKind, Program};
use std::fmt;

impl fmt::Display for Program {
    /// Statements joined by `; `, assignments as `name = expr`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if let Some((name, _)) = &s.target {
                write!(f, "{name} = ")?;
            }
            write!(f, "{}", s.value)?;
        }
        Ok(())
    }
}

impl fmt::Display for Expr {
    /// `2*a + b` prints as `((2 * a) + b)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Int(v) => write!(f, "{v}"),
            ExprKind::Float(v) => write_float(f, *v),
            ExprKind::Bool(v) => f.write_str(if *v { "True" } else { "False" }),
            ExprKind::None => f.write_str("None"),
            ExprKind::Imag(v) => {
                write_float(f, *v)?;
                f.write_str("j")
            }
            ExprKind::Name(n) => f.write_str(n),
            ExprKind::Str(s) => f.write_str(&super::strlit::quote_str(s)),
            ExprKind::Bytes(b) => write!(f, "b\"{}\"", b.escape_ascii()),
            ExprKind::Unary(op, e) => write!(f, "({}{e})", op.symbol()),
            ExprKind::Binary(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
            ExprKind::Call {
                func, args, kwargs, ..
            } => {
                write!(f, "{func}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                for (i, k) in kwargs.iter().enumerate() {
                    if i > 0 || !args.is_empty() {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}={}", k.name, k.value)?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Writes a float so that it reads back as a float literal (infinity as `1e999`).
fn write_float(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.is_infinite() {
        f.write_str("1e999")
    } else {
        write!(f, "{v:?}")
    }
}
