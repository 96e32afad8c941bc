//! Type checking and lowering: AST → typed [`Program`](super::Program).
use super::{InputDecl, Program};
use crate::error::Result;
use crate::syntax::ast::Expr;

/// Most distinct inputs one expression may use.
pub const MAX_INPUTS: usize = 64;

/// Type-checks `ast` against the available `inputs` and lowers it. The program's inputs are
/// the ones the expression uses, in order of first use.
pub fn lower(ast: &Expr, inputs: &[InputDecl]) -> Result<Program> {
    let _ = (ast, inputs);
    todo!("ir::lower")
}
