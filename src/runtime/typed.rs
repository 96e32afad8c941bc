//! What the runtime needs of one typing of an expression: the optimised program, how its
//! inputs map to the caller's, its reductions, and how to name an input in an error.
//! `expr` builds these (parse, lower, optimise) and caches them per input signature; the
//! runtime never sees the AST or the source text beyond the cache key.

use crate::error::Span;
use crate::ir::{InputDecl, Program, ReduceOp};
use crate::runtime::call::StageMemo;
use crate::types::DType;
use std::sync::Arc;

/// The typing of an expression for one input signature.
pub(crate) struct Typed {
    /// The kernel-cache key: the source (plus outputs, typing or stage number when they
    /// tell two programs of one source apart).
    pub key: Arc<str>,
    /// The lowered program, before optimisation: `explain` shows it, and its inputs give
    /// the broadcast shape (an input the optimiser dropped still broadcasts).
    pub lowered: Program,
    /// For each `lowered` input, the index of the caller's input that provides it.
    pub lowered_args: Vec<usize>,
    /// For each `lowered` input, how a shape error names it.
    pub blame: Vec<Blame>,
    /// The optimised program the kernels are compiled from (and the interpreter runs).
    pub program: Arc<Program>,
    /// For each `program` input, the index of the caller's input that provides it.
    pub program_args: Vec<usize>,
    /// `program.inputs`, shared with kernel-cache keys.
    pub decls: Arc<[InputDecl]>,
    /// The first output's dtype (the result of single-output programs).
    pub out_dtype: DType,
    /// Every output's dtype, in [`Program::outputs`] order (at least one).
    pub out_dtypes: Vec<DType>,
    /// The fewest elements for which the kernel runs on several threads.
    pub parallel_from: usize,
    /// Elements per work item (shorter for costly elements; see `runtime::work`).
    pub chunk: usize,
    /// The reductions to run first (empty for a plain expression); stage `k`'s result is
    /// the caller's input number `n_inputs + k`, named `#k`.
    pub stages: Vec<TypedStage>,
    /// The name of each output (`None` for a final bare expression).
    pub output_names: Vec<Option<String>>,
}

/// How an error names one program input: as written in the source, and where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Blame {
    /// The input's name, or for a reduction's result the call as written (`sum(a)`).
    pub what: String,
    /// Where it is written (its first use), when known.
    pub span: Option<Span>,
}

/// One reduction stage, typed.
pub(crate) struct TypedStage {
    /// The program computing the elements to reduce; its args index the caller's inputs
    /// followed by earlier stages' results. Its key is the expression's plus the stage
    /// number.
    pub typed: Typed,
    /// The stage's result name, `#k`.
    pub name: String,
    /// The reduction.
    pub op: ReduceOp,
    /// The axis as written.
    pub axis: Option<i64>,
    /// Where the reduction is written, for runtime errors.
    pub span: Span,
    /// The stage's last fused argument, prepared, for the next call with its layout.
    pub prepared: StageMemo,
}
