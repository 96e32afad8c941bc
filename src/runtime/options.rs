//! What a caller chooses per call: the evaluator, threads, the math implementation and how
//! results reach memory.

use super::stream::Stores;
use super::threads::{num_threads, MAX_THREADS};
use crate::codegen::Codegen;
use crate::math::vector::MathImpl;

/// Which evaluator runs the expression.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Cranelift-compiled fused kernels.
    #[default]
    Jit,
    /// The reference interpreter, run element by element on the same optimised program the
    /// JIT compiles, so the two must agree bit for bit (the optimiser itself is checked
    /// against the unoptimised program in `tests/differential.rs`).
    Interp,
}

/// Per-call options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EvalOptions {
    /// The evaluator.
    pub backend: Backend,
    /// Threads for this call; `None` uses [`crate::num_threads`].
    pub threads: Option<usize>,
    /// How the JIT computes transcendental functions (the interpreter always calls libm).
    pub math: MathImpl,
    /// How the JIT's results reach memory: through the cache, or streamed past it when
    /// they are too large for it (the default).
    pub stores: Stores,
    /// Which code generator compiles the JIT's kernels (by default the wide one where it
    /// covers a kernel, unless `JITEX_CODEGEN=cranelift`).
    pub codegen: Codegen,
}

impl EvalOptions {
    /// The thread count these options ask for, clamped to what jitex starts.
    #[inline]
    pub(crate) fn threads(&self) -> usize {
        self.threads
            .unwrap_or_else(num_threads)
            .clamp(1, MAX_THREADS)
    }
}
