//! One evaluation: bind the caller's inputs to the program, broadcast, plan, and run the
//! kernel (or the interpreter) into a fresh array or the caller's `out`.

use super::ast_fmt::name_span;
use super::typed::Typed;
use super::{Backend, EvalOptions};
use crate::codegen::{self, CodegenOptions, Kernel, Layout};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::broadcast::{broadcast_shapes, broadcast_strides, collapse, BroadcastError};
use crate::runtime::cache::{self, KernelKey};
use crate::runtime::exec::{copy_elements, run_kernel, Plan};
use crate::runtime::interp_exec::run_interp;
use crate::runtime::{checked_len, fmt_shape, num_threads, Arg, Array, ArrayViewMut, MAX_THREADS};
use crate::syntax::ast;
use crate::types::DType;
use std::sync::Arc;

/// Everything one evaluation needs besides the inputs.
pub(crate) struct Ctx<'e> {
    pub source: &'e Arc<str>,
    pub ast: &'e ast::Expr,
    pub typed: &'e Typed,
    pub opts: &'e EvalOptions,
}

fn arg_shape<'a>(arg: &'a Arg) -> &'a [usize] {
    match arg {
        Arg::Array(v) => v.shape(),
        Arg::Scalar(_) => &[],
    }
}

fn arg_dtype(arg: &Arg) -> DType {
    match arg {
        Arg::Array(v) => v.dtype(),
        Arg::Scalar(s) => s.dtype(),
    }
}

impl Ctx<'_> {
    /// The broadcast shape of every input the source uses.
    fn out_shape(&self, inputs: &[(&str, Arg)]) -> Result<Vec<usize>> {
        let shapes = self
            .typed
            .lowered_args
            .iter()
            .map(|&i| arg_shape(&inputs[i].1));
        broadcast_shapes(shapes).map_err(|e| self.shape_error(e))
    }

    fn shape_error(&self, e: BroadcastError) -> Error {
        let msg = format!(
            "shapes {} and {} do not broadcast",
            fmt_shape(&e.before),
            fmt_shape(&e.shape)
        );
        let name = &self.typed.lowered.inputs[e.index].name;
        let err = match name_span(self.ast, name) {
            Some(span) => Error::at(ErrorKind::Shape, span, msg),
            None => Error::new(ErrorKind::Shape, msg),
        };
        err.with_help(format!(
            "`{name}` has shape {}; axes must match or be 1",
            fmt_shape(&e.shape)
        ))
    }

    fn threads(&self) -> usize {
        self.opts
            .threads
            .unwrap_or_else(num_threads)
            .clamp(1, MAX_THREADS)
    }

    /// Evaluates into a new array.
    pub fn eval(&self, inputs: &[(&str, Arg)]) -> Result<Array> {
        let shape = self.out_shape(inputs)?;
        let mut result = Array::zeros(self.typed.out_dtype, &shape)?;
        if !result.is_empty() {
            let mut out = result.view_mut();
            self.run(inputs, &shape, &mut out)?;
        }
        Ok(result)
    }

    /// Evaluates into `out`, which must have the result's shape and dtype.
    pub fn eval_into(&self, inputs: &[(&str, Arg)], out: &mut ArrayViewMut) -> Result<()> {
        let shape = self.out_shape(inputs)?;
        let want = self.typed.out_dtype;
        if out.dtype() != want {
            return Err(Error::new(
                ErrorKind::Output,
                format!("`out` has dtype {}, but the result is {want}", out.dtype()),
            ));
        }
        if out.shape() != shape.as_slice() {
            return Err(Error::new(
                ErrorKind::Output,
                format!(
                    "`out` has shape {}, but the result has shape {}",
                    fmt_shape(out.shape()),
                    fmt_shape(&shape)
                ),
            ));
        }
        if out
            .shape()
            .iter()
            .zip(out.strides())
            .any(|(&d, &s)| d > 1 && s == 0)
        {
            return Err(Error::new(
                ErrorKind::Output,
                "`out` has a zero stride, so several results would land in one element",
            ));
        }
        if checked_len(&shape).is_none_or(|n| n == 0) {
            // Zero-size: nothing to write. (An overflowing length cannot come from a view
            // of real memory; treat it as empty rather than touching anything.)
            return Ok(());
        }
        if self.overlaps_partially(inputs, &shape, out) {
            // Element-wise in place is only safe when each output element is read only by
            // its own computation; otherwise compute aside and copy.
            let tmp = self.eval(inputs)?;
            let c = collapse(
                &shape,
                &[tmp.view().strides().to_vec(), out.strides().to_vec()],
            );
            let plan = Plan::new(c, vec![tmp.as_bytes().as_ptr()], out.raw_ptr());
            // SAFETY: `tmp` is C-contiguous with the shape of `out`, which the caller lent us
            // exclusively; both have the result dtype.
            unsafe { copy_elements(&plan, want.size(), self.threads()) };
            return Ok(());
        }
        self.run(inputs, &shape, out)
    }

    /// `true` when an input the kernel reads overlaps `out` other than as the very same
    /// elements in the very same order.
    fn overlaps_partially(
        &self,
        inputs: &[(&str, Arg)],
        shape: &[usize],
        out: &ArrayViewMut,
    ) -> bool {
        let size = out.dtype().size();
        let (olo, ohi) = byte_range(out.raw_ptr() as usize, out.shape(), out.strides(), size);
        self.program_args().iter().any(|&i| {
            let Arg::Array(v) = &inputs[i].1 else {
                return false;
            };
            let (lo, hi) = byte_range(
                v.as_ptr() as usize,
                v.shape(),
                v.strides(),
                v.dtype().size(),
            );
            if lo >= ohi || olo >= hi {
                return false;
            }
            let same = v.as_ptr() == out.raw_ptr() as *const u8
                && v.dtype() == out.dtype()
                && broadcast_strides(v.shape(), v.strides(), shape)
                    .iter()
                    .zip(out.strides())
                    .zip(shape)
                    .all(|((a, b), &d)| d == 1 || a == b);
            !same
        })
    }

    fn program_args(&self) -> &[usize] {
        match self.opts.backend {
            Backend::Jit => &self.typed.program_args,
            Backend::Interp => &self.typed.lowered_args,
        }
    }

    /// Runs the chosen backend over a non-empty output of shape `shape`.
    fn run(&self, inputs: &[(&str, Arg)], shape: &[usize], out: &mut ArrayViewMut) -> Result<()> {
        let program = match self.opts.backend {
            Backend::Jit => &self.typed.program,
            Backend::Interp => &self.typed.lowered,
        };
        let args = self.program_args();
        // Scalars live here for the whole run; the kernel reads them through pointers.
        let mut words = vec![0u64; args.len()];
        for (w, &i) in words.iter_mut().zip(args) {
            if let Arg::Scalar(s) = inputs[i].1 {
                let mut b = [0u8; 8];
                s.write(&mut b);
                *w = u64::from_ne_bytes(b);
            }
        }
        let mut ptrs = Vec::with_capacity(args.len());
        let mut rows = Vec::with_capacity(args.len() + 1);
        let mut dtypes = Vec::with_capacity(args.len());
        for (w, &i) in words.iter().zip(args) {
            let arg = &inputs[i].1;
            dtypes.push(arg_dtype(arg));
            match arg {
                Arg::Array(v) => {
                    ptrs.push(v.as_ptr());
                    rows.push(broadcast_strides(v.shape(), v.strides(), shape));
                }
                Arg::Scalar(_) => {
                    ptrs.push(w as *const u64 as *const u8);
                    rows.push(vec![0; shape.len()]);
                }
            }
        }
        // Lowering declared each input with the caller's dtype; anything else is a bug.
        if program
            .inputs
            .iter()
            .zip(&dtypes)
            .any(|(d, &t)| d.dtype != t)
        {
            return Err(Error::new(
                ErrorKind::Internal,
                "input dtypes changed after typing",
            ));
        }
        rows.push(out.strides().to_vec());
        let plan = Plan::new(collapse(shape, &rows), ptrs, out.raw_ptr());
        let threads = self.threads();
        match self.opts.backend {
            Backend::Jit => {
                let layout = plan.layout(&dtypes, self.typed.out_dtype);
                let kernel = kernel_for(self.source, self.typed, layout)?;
                // SAFETY: the kernel was compiled for this plan's layout and dtypes; the
                // views guarantee their memory, `words` outlives the run, and `out` is
                // borrowed exclusively with no zero strides.
                unsafe { run_kernel(&plan, kernel.func(), threads) };
            }
            // SAFETY: as above, for the interpreter's program.
            Backend::Interp => unsafe { run_interp(&plan, program, threads) },
        }
        Ok(())
    }
}

/// The cached kernel for `typed` and `layout`, compiling it on a miss.
pub(crate) fn kernel_for(source: &Arc<str>, typed: &Typed, layout: Layout) -> Result<Arc<Kernel>> {
    let key = KernelKey {
        source: Arc::clone(source),
        inputs: Arc::clone(&typed.decls),
        layout,
    };
    let cache = cache::kernels();
    if let Some(k) = cache.get(&key) {
        return Ok(k);
    }
    // Compile outside the cache's lock so that other expressions are not held up.
    let k = codegen::compile(&typed.program, &key.layout, &CodegenOptions::default())?;
    Ok(cache.insert(key, k))
}

/// The half-open byte range `[lo, hi)` a view can touch (empty for zero-size views).
fn byte_range(ptr: usize, shape: &[usize], strides: &[isize], size: usize) -> (usize, usize) {
    if shape.contains(&0) {
        return (ptr, ptr);
    }
    let (mut lo, mut hi) = (ptr as i128, ptr as i128 + size as i128);
    for (&d, &s) in shape.iter().zip(strides) {
        let span = (d as i128 - 1) * s as i128;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    (lo.max(0) as usize, hi.min(usize::MAX as i128) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges() {
        assert_eq!(byte_range(100, &[3], &[8], 8), (100, 124));
        assert_eq!(byte_range(100, &[3], &[-8], 8), (84, 108));
        assert_eq!(byte_range(100, &[2, 0], &[8, 8], 8), (100, 100));
        assert_eq!(byte_range(100, &[], &[], 4), (100, 104));
        assert_eq!(byte_range(100, &[5, 2], &[0, 4], 4), (100, 108));
    }
}
