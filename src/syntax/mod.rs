//! Lexer (logos) and Pratt parser: text → [`ast::Expr`] with byte spans.
//!
//! The grammar is `grammar/jitex.ebnf`; `docs/language.md` explains it.

pub mod ast;
mod lexer;
mod parser;
mod print;
mod strlit;

use crate::error::Result;

/// Deepest nesting of parentheses, operators and calls the parser accepts.
pub const MAX_DEPTH: usize = 256;

/// Longest source text, in bytes, the parser accepts (1 MiB).
pub const MAX_SOURCE_LEN: usize = 1 << 20;

/// Parses a single expression (a program of one bare expression).
pub fn parse(src: &str) -> Result<ast::Expr> {
    parser::parse(src)
}

/// Parses a program: `;`-separated statements, each `name = expr` or a bare `expr`.
pub fn parse_program(src: &str) -> Result<ast::Program> {
    parser::parse_program(src)
}
