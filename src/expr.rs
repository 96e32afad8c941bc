//! The public driver: compile a string once, evaluate it many times.
//!
//! [`Expr::compile`] parses immediately, so syntax errors surface there. Typing depends on
//! the inputs' dtypes, so it happens on first evaluation with each input signature and is
//! remembered inside the `Expr`; kernels are compiled per (source, dtypes, layout) and kept
//! in a global bounded cache shared by every `Expr`. How a call is prepared and executed
//! is the runtime's (`runtime::call`); each `Expr` keeps its last calls' prepared forms
//! (`runtime::call::remembered`), so a repeated call costs a few nanoseconds beyond the
//! kernel.

mod ast_fmt;
mod typed;

use crate::codegen::{self, Access, Codegen, CodegenOptions, Layout, MathImpl};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::cache::LruCache;
use crate::runtime::call::remembered::{Binding, Bound, RememberedCall, RememberedCalls};
use crate::runtime::call::{self, Dest};
use crate::runtime::typed::Typed;
use crate::runtime::{c_strides, Arg, Array, ArrayViewMut, EvalOptions};
use crate::syntax::{self, ast};
use crate::types::{DType, Scalar, Typing};
use std::sync::{Arc, OnceLock};
use typed::{check_unique, TypedCache};

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
    /// The kernel-cache key: the source, plus the outputs when they are named.
    key: Arc<str>,
    ast: ast::Program,
    /// The requested outputs; `None` means the last statement's value.
    outputs: Option<Vec<String>>,
    typed: TypedCache,
    /// Per named output, its own typing (cache key, signatures): used when the outputs do
    /// not share one shape, so each gets NumPy's shape for what it reads.
    per_output: Vec<(Arc<str>, TypedCache)>,
    /// The last `eval_into` signatures and their prepared calls.
    last_into: RememberedCalls,
    /// The last `eval` signatures and their prepared calls.
    last_eval: RememberedCalls,
    /// The typing rules (part of every kernel-cache key but NumPy's).
    typing: Typing,
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
            key: Arc::clone(&self.key),
            ast: self.ast.clone(),
            outputs: self.outputs.clone(),
            typed: TypedCache::default(),
            per_output: self.per_output_caches(),
            last_into: RememberedCalls::default(),
            last_eval: RememberedCalls::default(),
            typing: self.typing,
        }
    }
}

impl Expr {
    /// Parses `src`; syntax errors are reported here, type errors on first evaluation.
    ///
    /// `src` is one expression or a program of `;`-separated statements
    /// (`t = a*b; t + sin(t)`); the result is the last statement's value.
    pub fn compile(src: &str) -> Result<Expr> {
        Self::build(src, None)
    }

    /// Parses a program whose results are the named `outputs`, in order, each assigned by a
    /// statement (or an input name): `x = a*b; y = x + c` with outputs `["x", "y"]`. All
    /// outputs of one shape are computed in one fused pass; evaluate with
    /// [`Expr::eval_all`] or [`Expr::eval_all_into`].
    pub fn compile_outputs(src: &str, outputs: &[&str]) -> Result<Expr> {
        if outputs.is_empty() {
            return Err(Error::new(ErrorKind::Output, "no outputs requested"));
        }
        Self::build(src, Some(outputs))
    }

    fn build(src: &str, outputs: Option<&[&str]>) -> Result<Expr> {
        let ast = syntax::parse_program(src)?;
        let key: Arc<str> = match outputs {
            None => src.into(),
            Some(o) => format!("{src}\u{0}outputs {}", o.join(",")).into(),
        };
        let per_output = outputs
            .unwrap_or_default()
            .iter()
            .map(|o| {
                let k: Arc<str> = format!("{src}\u{0}output {o}").into();
                (k, TypedCache::default())
            })
            .collect();
        Ok(Expr {
            source: src.into(),
            per_output,
            key,
            ast,
            outputs: outputs.map(|o| o.iter().map(|s| s.to_string()).collect()),
            typed: TypedCache::default(),
            last_into: RememberedCalls::default(),
            last_eval: RememberedCalls::default(),
            typing: Typing::NumPy,
        })
    }

    /// This expression typed with `typing`'s rules instead of NumPy's
    /// ([`Typing::Numexpr`] gives numexpr's result dtypes). Typings made so far are dropped.
    pub fn with_typing(self, typing: Typing) -> Expr {
        if typing == self.typing {
            return self;
        }
        // Kernels are cached by key: the typing must be part of it.
        let suffix = |k: &str| -> Arc<str> {
            let base = k.strip_suffix("\u{0}typing numexpr").unwrap_or(k);
            match typing {
                Typing::NumPy => base.into(),
                Typing::Numexpr => format!("{base}\u{0}typing numexpr").into(),
            }
        };
        Expr {
            key: suffix(&self.key),
            per_output: self
                .per_output
                .iter()
                .map(|(k, _)| (suffix(k), TypedCache::default()))
                .collect(),
            typed: TypedCache::default(),
            last_into: RememberedCalls::default(),
            last_eval: RememberedCalls::default(),
            typing,
            ..self
        }
    }

    /// The typing rules this expression is checked with.
    pub fn typing(&self) -> Typing {
        self.typing
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The input names the source reads, in order of first use (see
    /// [`syntax::ast::Program::input_names`]): what a caller must supply to evaluate it.
    pub fn input_names(&self) -> Vec<String> {
        self.ast.input_names()
    }

    /// The requested output names (`None`: the last statement's value is the result).
    pub fn outputs(&self) -> Option<&[String]> {
        self.outputs.as_deref()
    }

    /// Evaluates with default options into a new array.
    pub fn eval(&self, inputs: &[(&str, Arg)]) -> Result<Array> {
        self.eval_with(inputs, &EvalOptions::default())
    }

    /// Evaluates into a new C-contiguous array. Inputs the expression does not use are
    /// ignored; naming one input twice is an error.
    pub fn eval_with(&self, inputs: &[(&str, Arg)], opts: &EvalOptions) -> Result<Array> {
        let mut b = Binding::new();
        // A fresh result overlaps nothing, so `bind`'s overlap answer is moot here.
        if let Some((last, _)) = self.last_eval.get(|l| l.bind(inputs, None, opts, &mut b)) {
            // SAFETY: `b` was just bound by `last`, for `inputs`, still borrowed.
            return unsafe { last.run_fresh(&mut b, opts) };
        }
        let mut arrays = self.call(inputs, Dest::New, opts, Outputs::One, true)?;
        Ok(arrays.swap_remove(0))
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
        let mut b = Binding::new();
        let mut remember = true;
        if let Some((last, bound)) = self
            .last_into
            .get(|l| l.bind(inputs, Some(out), opts, &mut b))
        {
            if bound == Bound::Ready {
                // SAFETY: `b` was just bound by `last`; `out` is borrowed exclusively and
                // has the remembered shape, strides (no zero stride: checked when
                // remembered) and dtype; inputs overlap it at most element for element.
                unsafe { last.run(&mut b, out.raw_ptr(), opts) };
                return Ok(());
            }
            // A partial overlap needs the general path's temporary; the record itself is
            // still right.
            remember = false;
        }
        let outs = std::slice::from_mut(out);
        self.call(inputs, Dest::Into(outs), opts, Outputs::One, remember)?;
        Ok(())
    }

    /// The distinct constants of the optimised program (its reductions' too) for inputs of
    /// the given dtypes, in order of first use: numexpr's `NumExpr.constants`. Constants
    /// of the same dtype and bits count once (NaN too).
    pub fn constants(&self, inputs: &[(&str, DType)]) -> Result<Vec<Scalar>> {
        let typed = self.typed_sig(inputs)?;
        let programs = typed
            .stages
            .iter()
            .map(|s| &s.typed.program)
            .chain([&typed.program]);
        let mut seen: Vec<Scalar> = Vec::new();
        for p in programs {
            for inst in &p.insts {
                if let crate::ir::Op::Const(c) = inst.op {
                    let same = |s: &Scalar| s.dtype() == c.dtype() && s.to_bits() == c.to_bits();
                    if !seen.iter().any(same) {
                        seen.push(c);
                    }
                }
            }
        }
        Ok(seen)
    }

    /// The AST, the IR before and after optimisation, and the kernel's Cranelift IR for
    /// contiguous operands of the given dtypes.
    pub fn explain(&self, inputs: &[(&str, DType)]) -> Result<Explanation> {
        let typed = self.typed_sig(inputs)?;
        let layout = Layout {
            inputs: vec![Access::Contiguous; typed.program.inputs.len()],
            outputs: vec![Access::Contiguous; typed.program.outputs.len()],
        };
        let kernel = codegen::compile(
            &typed.program,
            &layout,
            &CodegenOptions {
                keep_clif: true,
                math: MathImpl::default(),
                codegen: Codegen::Cranelift,
            },
        )?;
        Ok(Explanation {
            ast: self
                .ast
                .statements
                .iter()
                .map(|s| match &s.target {
                    Some((name, _)) => format!("{name} = {}", ast_fmt::sexpr(&s.value)),
                    None => ast_fmt::sexpr(&s.value),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            ir: typed::listing(&typed, false),
            optimized: typed::listing(&typed, true),
            clif: kernel.clif().unwrap_or_default().to_string(),
            code_size: kernel.code_size(),
        })
    }

    /// The dtype of the result for inputs of the given dtypes (type checking only).
    pub fn result_dtype(&self, inputs: &[(&str, DType)]) -> Result<DType> {
        Ok(self.typed_sig(inputs)?.out_dtype)
    }

    /// Evaluates every output into new arrays, in output order.
    pub fn eval_all(&self, inputs: &[(&str, Arg)]) -> Result<Vec<Array>> {
        self.eval_all_with(inputs, &EvalOptions::default())
    }

    /// [`Expr::eval_all`] with options.
    pub fn eval_all_with(&self, inputs: &[(&str, Arg)], opts: &EvalOptions) -> Result<Vec<Array>> {
        self.call(inputs, Dest::New, opts, Outputs::All, false)
    }

    /// Evaluates every output into `outs` (one view per output, each of its output's shape
    /// and dtype, any strides). Outputs must not overlap one another.
    pub fn eval_all_into(
        &self,
        inputs: &[(&str, Arg)],
        outs: &mut [ArrayViewMut],
        opts: &EvalOptions,
    ) -> Result<()> {
        self.call(inputs, Dest::Into(outs), opts, Outputs::All, false)?;
        Ok(())
    }

    /// The one entry point behind every evaluation that missed the remembered calls:
    /// types the call, hands it to the runtime with its destination, and remembers the
    /// prepared call when asked to (single-output entry points only). Returns the new
    /// arrays of [`Dest::New`].
    fn call(
        &self,
        inputs: &[(&str, Arg)],
        dest: Dest,
        opts: &EvalOptions,
        outputs: Outputs,
        remember: bool,
    ) -> Result<Vec<Array>> {
        let typed = self.typed_for(inputs)?;
        let n = typed.output_names.len();
        match (outputs, &dest) {
            (Outputs::One, _) => self.single_output(&typed)?,
            (Outputs::All, Dest::Into(outs)) if outs.len() != n => {
                return Err(Error::new(
                    ErrorKind::Output,
                    format!("{} output views given for {n} outputs", outs.len()),
                ))
            }
            (Outputs::All, _) => {
                if n > 1 && !self.shapes_agree(&typed, inputs)? {
                    return self.call_per_output(inputs, dest, opts);
                }
            }
        }
        // The remembered record needs `out`'s dimensions, read before `dest` is lent.
        let slot = match &dest {
            Dest::New => &self.last_eval,
            Dest::Into(_) => &self.last_into,
        };
        let remember = remember && !slot.is_full();
        let out_dims = match &dest {
            Dest::Into([out]) if remember => Some((out.shape().to_vec(), out.strides().to_vec())),
            _ => None,
        };
        let outcome = call::evaluate(&typed, inputs, dest, opts)?;
        if let (true, Some(prepared)) = (remember, outcome.prepared) {
            // A fresh result is C-contiguous.
            let dims = out_dims.or_else(|| {
                let a = outcome.arrays.first()?;
                Some((
                    a.shape().to_vec(),
                    c_strides(a.shape(), typed.out_dtype.size()),
                ))
            });
            if let Some((shape, strides)) = dims {
                if let Some(l) =
                    RememberedCall::new(prepared, &typed, inputs, &shape, &strides, opts)
                {
                    slot.set(l);
                }
            }
        }
        Ok(outcome.arrays)
    }

    /// Each output typed and evaluated on its own, so that it gets NumPy's shape for what
    /// it reads.
    fn call_per_output(
        &self,
        inputs: &[(&str, Arg)],
        dest: Dest,
        opts: &EvalOptions,
    ) -> Result<Vec<Array>> {
        match dest {
            Dest::New => (0..self.per_output.len())
                .map(|k| {
                    let t = self.output_typed(k, inputs)?;
                    Ok(call::evaluate(&t, inputs, Dest::New, opts)?
                        .arrays
                        .swap_remove(0))
                })
                .collect(),
            Dest::Into(outs) => {
                for (k, out) in outs.iter_mut().enumerate() {
                    let t = self.output_typed(k, inputs)?;
                    call::evaluate(&t, inputs, Dest::Into(std::slice::from_mut(out)), opts)
                        .map_err(|e| prefix_output(e, k))?;
                }
                Ok(Vec::new())
            }
        }
    }

    /// Whether every output has the fused program's shape, so one kernel writes them all.
    /// Outputs that read reductions are evaluated one by one (their shapes depend on the
    /// stages' results); otherwise each output's shape is the broadcast of what it reads.
    fn shapes_agree(&self, typed: &Typed, inputs: &[(&str, Arg)]) -> Result<bool> {
        if !typed.stages.is_empty() {
            return Ok(false);
        }
        let full = call::out_shape(typed, inputs)?;
        for k in 0..typed.output_names.len() {
            let t = self.output_typed(k, inputs)?;
            if call::out_shape(&t, inputs)? != full {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The typing of named output `k` alone.
    fn output_typed(&self, k: usize, inputs: &[(&str, Arg)]) -> Result<Arc<Typed>> {
        let (key, cache) = self
            .per_output
            .get(k)
            .ok_or_else(|| Error::new(ErrorKind::Internal, "no such output"))?;
        let name = [self.outputs.as_ref().map_or("", |o| o[k].as_str())];
        cache.get(
            &self.ast,
            key,
            Some(&name),
            self.typing,
            inputs.len(),
            |i| (inputs[i].0, inputs[i].1.dtype()),
        )
    }

    fn per_output_caches(&self) -> Vec<(Arc<str>, TypedCache)> {
        self.per_output
            .iter()
            .map(|(k, _)| (Arc::clone(k), TypedCache::default()))
            .collect()
    }

    /// Refuses a program with several outputs on the one-result entry points.
    fn single_output(&self, typed: &Typed) -> Result<()> {
        let n = typed.output_names.len();
        if n == 1 {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Output,
            format!("this program has {n} outputs; use `eval_all` or `eval_all_into`"),
        ))
    }

    fn typed_for(&self, inputs: &[(&str, Arg)]) -> Result<Arc<Typed>> {
        check_unique(inputs.iter().map(|(n, _)| *n))?;
        let outputs = self.output_refs();
        self.typed.get(
            &self.ast,
            &self.key,
            outputs.as_deref(),
            self.typing,
            inputs.len(),
            |i| (inputs[i].0, inputs[i].1.dtype()),
        )
    }

    fn typed_sig(&self, inputs: &[(&str, DType)]) -> Result<Arc<Typed>> {
        check_unique(inputs.iter().map(|(n, _)| *n))?;
        let outputs = self.output_refs();
        self.typed.get(
            &self.ast,
            &self.key,
            outputs.as_deref(),
            self.typing,
            inputs.len(),
            |i| inputs[i],
        )
    }

    fn output_refs(&self) -> Option<Vec<&str>> {
        self.outputs
            .as_ref()
            .map(|o| o.iter().map(String::as_str).collect())
    }
}

/// Which entry point a call came through: a one-result one (`eval`, `eval_into`) or an
/// all-outputs one (`eval_all`, `eval_all_into`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outputs {
    One,
    All,
}

/// Names the output an `out` error is about, as the fused path does.
fn prefix_output(mut e: Error, k: usize) -> Error {
    if e.kind == ErrorKind::Output {
        e.message = e.message.replacen("`out`", &format!("`outs[{k}]`"), 1);
    }
    e
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
