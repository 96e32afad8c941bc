//! Lexer (logos) and Pratt parser: text → [`ast::Expr`] with byte spans.

pub mod ast;

use crate::error::Result;

/// Deepest nesting of parentheses, operators and calls the parser accepts.
pub const MAX_DEPTH: usize = 256;

/// Parses an expression.
pub fn parse(src: &str) -> Result<ast::Expr> {
    let _ = src;
    todo!("syntax::parse")
}
