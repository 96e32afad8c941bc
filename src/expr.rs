//! The public driver: compile a string once, evaluate it many times (stub).

/// Which evaluator runs the expression.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Cranelift-compiled fused kernels.
    #[default]
    Jit,
    /// The reference interpreter.
    Interp,
}

/// Per-call options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EvalOptions {
    /// The evaluator.
    pub backend: Backend,
    /// Threads for this call; `None` uses [`crate::num_threads`].
    pub threads: Option<usize>,
}

/// What `jitex explain` prints.
#[derive(Clone, Debug, Default)]
pub struct Explanation {
    /// The AST, pretty-printed.
    pub ast: String,
    /// The typed IR before optimisation.
    pub ir: String,
    /// The optimised IR.
    pub optimized: String,
    /// The Cranelift IR of the kernel.
    pub clif: String,
    /// Machine-code size in bytes.
    pub code_size: usize,
}

/// A compiled expression.
pub struct Expr {
    _p: (),
}
