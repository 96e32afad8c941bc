//! The public driver: compile a string once, evaluate it many times.
//!
//! [`Expr::compile`] parses immediately, so syntax errors surface there. Typing depends on
//! the inputs' dtypes, so it happens on first evaluation with each input signature and is
//! remembered inside the `Expr`; kernels are compiled per (source, dtypes, layout) and kept
//! in a global bounded cache shared by every `Expr`. Each `Expr` also remembers its last
//! call signatures with their ready plans (`fast.rs`), so a repeated call costs a few
//! nanoseconds beyond the kernel.

mod ast_fmt;
mod fast;
mod run;
mod typed;

#[cfg(test)]
mod multi_tests;

use crate::codegen::{self, Access, CodegenOptions, Layout};
use crate::error::Result;
use crate::runtime::cache::LruCache;
use crate::runtime::{c_strides, Arg, Array, ArrayViewMut};
use crate::syntax::{self, ast};
use crate::types::DType;
use fast::{Binding, Bound, FastSlot, LastCall};
use run::Ctx;
use std::sync::{Arc, OnceLock};
use typed::{check_unique, Typed, TypedCache};

/// Which evaluator runs the expression.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Cranelift-compiled fused kernels.
    #[default]
    Jit,
    /// The reference interpreter, run on the unoptimised program (so that differential
    /// tests also check the optimiser).
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

/// A compiled expression. `Send + Sync`: share one across threads freely.
pub struct Expr {
    source: Arc<str>,
    ast: ast::Expr,
    typed: TypedCache,
    /// The last `eval_into` signature and its plan (see `fast.rs`).
    last_into: FastSlot,
    /// The last `eval` signature and its plan.
    last_eval: FastSlot,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expr")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Clone for Expr {
    /// A copy with the same source; typing caches start empty (kernels stay shared).
    fn clone(&self) -> Self {
        Expr {
            source: Arc::clone(&self.source),
            ast: self.ast.clone(),
            typed: TypedCache::default(),
            last_into: FastSlot::default(),
            last_eval: FastSlot::default(),
        }
    }
}

impl Expr {
    /// Parses `src`; syntax errors are reported here, type errors on first evaluation.
    pub fn compile(src: &str) -> Result<Expr> {
        let ast = syntax::parse(src)?;
        Ok(Expr {
            source: src.into(),
            ast,
            typed: TypedCache::default(),
            last_into: FastSlot::default(),
            last_eval: FastSlot::default(),
        })
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates with default options into a new array.
    pub fn eval(&self, inputs: &[(&str, Arg)]) -> Result<Array> {
        self.eval_with(inputs, &EvalOptions::default())
    }

    /// Evaluates into a new C-contiguous array. Inputs the expression does not use are
    /// ignored; naming one input twice is an error.
    pub fn eval_with(&self, inputs: &[(&str, Arg)], opts: &EvalOptions) -> Result<Array> {
        let jit = opts.backend == Backend::Jit;
        if jit {
            let mut b = Binding::new();
            // A fresh result overlaps nothing, so `bind`'s overlap answer is moot here.
            if let Some((last, _)) = self.last_eval.get(|l| l.bind(inputs, None, &mut b)) {
                // SAFETY: `b` was just bound by `last`; the kernel writes every element of
                // the fresh C-contiguous result (shape, dtype and strides as remembered),
                // which overlaps no input.
                return unsafe {
                    Array::from_init(last.out_dtype, &last.out, |p| last.run(&mut b, p, opts))
                };
            }
        }
        let typed = self.typed_for(inputs)?;
        let ctx = self.ctx(&typed, opts);
        let result = ctx.eval(inputs)?;
        if jit && !self.last_eval.is_full() {
            let strides = c_strides(result.shape(), typed.out_dtype.size());
            if let Some(l) = LastCall::new(&ctx, &typed, inputs, result.shape(), &strides) {
                self.last_eval.set(l);
            }
        }
        Ok(result)
    }

    /// Evaluates into `out`, which must have the result's shape and dtype (any strides).
    /// `out` may be one of the inputs (same memory, same layout) for in-place updates; a
    /// partial overlap is computed into a temporary first.
    pub fn eval_into(
        &self,
        inputs: &[(&str, Arg)],
        out: &mut ArrayViewMut,
        opts: &EvalOptions,
    ) -> Result<()> {
        let jit = opts.backend == Backend::Jit;
        let mut remember = jit;
        if jit {
            let mut b = Binding::new();
            if let Some((last, bound)) = self.last_into.get(|l| l.bind(inputs, Some(out), &mut b)) {
                if bound == Bound::Ready {
                    // SAFETY: `b` was just bound by `last`; `out` is borrowed exclusively
                    // and has the remembered shape, strides (no zero stride: checked when
                    // remembered) and dtype; inputs overlap it at most element for element.
                    unsafe { last.run(&mut b, out.raw_ptr(), opts) };
                    return Ok(());
                }
                // A partial overlap needs the general path's temporary; the record itself
                // is still right.
                remember = false;
            }
        }
        let typed = self.typed_for(inputs)?;
        let ctx = self.ctx(&typed, opts);
        ctx.eval_into(inputs, out)?;
        if remember && !self.last_into.is_full() {
            if let Some(l) = LastCall::new(&ctx, &typed, inputs, out.shape(), out.strides()) {
                self.last_into.set(l);
            }
        }
        Ok(())
    }

    /// The AST, the IR before and after optimisation, and the kernel's Cranelift IR for
    /// contiguous operands of the given dtypes.
    pub fn explain(&self, inputs: &[(&str, DType)]) -> Result<Explanation> {
        let typed = self.typed_sig(inputs)?;
        let layout = Layout {
            inputs: vec![Access::Contiguous; typed.program.inputs.len()],
            outputs: vec![Access::Contiguous; typed.program.outputs.len()],
        };
        let kernel =
            codegen::compile(&typed.program, &layout, &CodegenOptions { keep_clif: true })?;
        Ok(Explanation {
            ast: ast_fmt::sexpr(&self.ast),
            ir: typed.lowered.to_string(),
            optimized: typed.program.to_string(),
            clif: kernel.clif().unwrap_or_default().to_string(),
            code_size: kernel.code_size(),
        })
    }

    /// The dtype of the result for inputs of the given dtypes (type checking only).
    pub fn result_dtype(&self, inputs: &[(&str, DType)]) -> Result<DType> {
        Ok(self.typed_sig(inputs)?.out_dtype)
    }

    fn ctx<'e>(&'e self, typed: &'e Typed, opts: &'e EvalOptions) -> Ctx<'e> {
        Ctx {
            source: &self.source,
            ast: &self.ast,
            typed,
            opts,
            elementwise: None,
        }
    }

    fn typed_for(&self, inputs: &[(&str, Arg)]) -> Result<Arc<Typed>> {
        check_unique(inputs.iter().map(|(n, _)| *n))?;
        self.typed.get(&self.ast, inputs.len(), |i| {
            let dtype = match &inputs[i].1 {
                Arg::Array(v) => v.dtype(),
                Arg::Scalar(s) => s.dtype(),
            };
            (inputs[i].0, dtype)
        })
    }

    fn typed_sig(&self, inputs: &[(&str, DType)]) -> Result<Arc<Typed>> {
        check_unique(inputs.iter().map(|(n, _)| *n))?;
        self.typed.get(&self.ast, inputs.len(), |i| inputs[i])
    }
}

/// Expressions remembered by [`evaluate`].
const EVALUATE_CACHE_CAPACITY: usize = 128;

/// Compiles `src` (remembering the last 128 sources) and evaluates
/// it with default options: the one-liner for scripts.
pub fn evaluate(src: &str, inputs: &[(&str, Arg)]) -> Result<Array> {
    static EXPRS: OnceLock<LruCache<String, Expr>> = OnceLock::new();
    let cache = EXPRS.get_or_init(|| LruCache::new(EVALUATE_CACHE_CAPACITY));
    let expr = match cache.get(src) {
        Some(e) => e,
        None => cache.insert(src.to_string(), Expr::compile(src)?),
    };
    expr.eval(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expr_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Expr>();
        check::<Array>();
        check::<crate::ArrayView<'static>>();
    }
}
