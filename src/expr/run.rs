//! One evaluation: bind the caller's inputs to the program, broadcast, plan, and run the
//! kernel (or the interpreter) into a fresh array or the caller's `out`.

use super::ast_fmt::name_span;
use super::typed::Typed;
use super::{Backend, EvalOptions};
use crate::codegen::{self, CodegenOptions, Kernel, Layout, MathImpl};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::broadcast::{broadcast_shapes, broadcast_strides, collapse, BroadcastError};
use crate::runtime::cache::{self, KernelKey};
use crate::runtime::exec::{copy_elements, run_kernel, Plan};
use crate::runtime::interp_exec::{run_elementwise, run_interp};
use crate::runtime::stream::{run_kernel_streamed, stream_sizes};
use crate::runtime::work::PARALLEL_WORK;
use crate::runtime::{checked_len, fmt_shape, num_threads, Arg, Array, ArrayViewMut, MAX_THREADS};
use crate::syntax::ast;
use crate::types::{DType, Scalar};
use std::sync::Arc;

/// The thread count `opts` asks for, clamped to what jitex starts.
#[inline]
pub(crate) fn threads(opts: &EvalOptions) -> usize {
    opts.threads
        .unwrap_or_else(num_threads)
        .clamp(1, MAX_THREADS)
}

/// A per-element function standing in for the interpreter.
pub(crate) type ElementFn = dyn Fn(&[Scalar]) -> Scalar + Sync;

/// Everything one evaluation needs besides the inputs.
pub(crate) struct Ctx<'e> {
    pub source: &'e Arc<str>,
    pub ast: &'e ast::Program,
    pub typed: &'e Typed,
    pub opts: &'e EvalOptions,
    /// Replaces the interpreter's per-element function (unit tests drive the whole
    /// evaluation path with it before the interpreter exists).
    pub elementwise: Option<&'e ElementFn>,
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
    pub fn out_shape(&self, inputs: &[(&str, Arg)]) -> Result<Vec<usize>> {
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
        let span = match crate::ir::plan::stage_index(name) {
            Some(k) => self.typed.stages.get(k).map(|s| s.span),
            None => self
                .ast
                .statements
                .iter()
                .find_map(|s| name_span(&s.value, name)),
        };
        let err = match span {
            Some(span) => Error::at(ErrorKind::Shape, span, msg),
            None => Error::new(ErrorKind::Shape, msg),
        };
        // A stage result is named by its call as written (the cache key starts with the source).
        let what = match (crate::ir::plan::stage_index(name), span) {
            (Some(_), Some(s)) => self.source.get(s.start..s.end).unwrap_or(name),
            _ => name,
        };
        err.with_help(format!(
            "`{what}` has shape {}; axes must match or be 1",
            fmt_shape(&e.shape)
        ))
    }

    /// The thread count this call runs on.
    pub fn threads(&self) -> usize {
        threads(self.opts)
    }

    /// Evaluates into a new array; a program with several outputs returns its first.
    pub fn eval(&self, inputs: &[(&str, Arg)]) -> Result<Array> {
        if self.typed.out_dtypes.len() > 1 {
            return Ok(self.eval_multi(inputs)?.swap_remove(0));
        }
        let shape = self.out_shape(inputs)?;
        let mut result = Array::zeros(self.typed.out_dtype, &shape)?;
        if !result.is_empty() {
            let mut out = result.view_mut();
            self.run(inputs, &shape, std::slice::from_mut(&mut out))?;
        }
        Ok(result)
    }

    /// Evaluates every output, in one pass over the inputs, into new arrays (one per
    /// output, all of the broadcast shape of the inputs).
    pub fn eval_multi(&self, inputs: &[(&str, Arg)]) -> Result<Vec<Array>> {
        let shape = self.out_shape(inputs)?;
        let mut results = self
            .typed
            .out_dtypes
            .iter()
            .map(|&d| Array::zeros(d, &shape))
            .collect::<Result<Vec<Array>>>()?;
        if checked_len(&shape).is_some_and(|n| n > 0) {
            let mut outs: Vec<ArrayViewMut> = results.iter_mut().map(Array::view_mut).collect();
            self.run(inputs, &shape, &mut outs)?;
        }
        Ok(results)
    }

    /// Evaluates into `out`, which must have the result's shape and dtype. A program with
    /// several outputs writes its first to `out` and computes the others aside.
    pub fn eval_into(&self, inputs: &[(&str, Arg)], out: &mut ArrayViewMut) -> Result<()> {
        if self.typed.out_dtypes.len() == 1 {
            return self.eval_multi_into(inputs, std::slice::from_mut(out));
        }
        let shape = self.out_shape(inputs)?;
        let mut rest = self.typed.out_dtypes[1..]
            .iter()
            .map(|&d| Array::zeros(d, &shape))
            .collect::<Result<Vec<Array>>>()?;
        // SAFETY: a reborrow of `out`, which is borrowed exclusively for this call and not
        // touched through the original while the copy lives.
        let first = unsafe {
            ArrayViewMut::from_raw_parts(out.raw_ptr(), out.dtype(), out.shape(), out.strides())
        };
        let mut outs: Vec<ArrayViewMut> = std::iter::once(first)
            .chain(rest.iter_mut().map(Array::view_mut))
            .collect();
        self.eval_multi_into(inputs, &mut outs)
    }

    /// Evaluates every output in one pass into `outs`, one view per output, each with the
    /// result's shape and its output's dtype (any strides). Each output may be one of the
    /// inputs (same memory, same layout) for in-place updates; a partial overlap with an
    /// input is computed into temporaries first; outputs that overlap each other are an
    /// [`ErrorKind::Output`] error.
    pub fn eval_multi_into(&self, inputs: &[(&str, Arg)], outs: &mut [ArrayViewMut]) -> Result<()> {
        let shape = self.out_shape(inputs)?;
        let want = &self.typed.out_dtypes;
        if outs.len() != want.len() {
            return Err(Error::new(
                ErrorKind::Output,
                format!(
                    "{} output array(s) given, but the program has {} output(s)",
                    outs.len(),
                    want.len()
                ),
            ));
        }
        for (k, (out, &dt)) in outs.iter().zip(want).enumerate() {
            check_out(&out_name(k, want.len()), out, dt, &shape)?;
        }
        match checked_len(&shape) {
            // Zero-size: nothing to write.
            Some(0) => return Ok(()),
            Some(_) => {}
            None => {
                return Err(Error::new(
                    ErrorKind::Limit,
                    format!(
                        "the result shape {} has too many elements",
                        fmt_shape(&shape)
                    ),
                ))
            }
        }
        check_disjoint(outs)?;
        // A string output is copied from its input when stored, after the outputs before
        // it: with several outputs, any overlap with an input takes the temporaries.
        let several = outs.len() > 1;
        if outs.iter().any(|out| {
            let exact_ok = !(several && out.dtype().is_string());
            self.overlaps(inputs, &shape, out, exact_ok)
        }) {
            // Element-wise in place is only safe when each output element is read only by
            // its own computation; otherwise compute aside and copy.
            let tmp = self.eval_multi(inputs)?;
            let rows: Vec<Vec<isize>> = tmp
                .iter()
                .map(|t| t.view().strides().to_vec())
                .chain(outs.iter().map(|o| o.strides().to_vec()))
                .collect();
            let plan = Plan::new_multi(
                collapse(&shape, &rows),
                tmp.iter().map(|t| t.as_bytes().as_ptr()).collect(),
                outs.iter().map(|o| o.raw_ptr()).collect(),
            );
            let sizes: Vec<usize> = want.iter().map(|d| d.size()).collect();
            // A copy moves two elements' bytes per element and does nothing else.
            let bytes = 2 * sizes.iter().sum::<usize>() as u64;
            let threads = if (plan.len() as u64) < PARALLEL_WORK / bytes {
                1
            } else {
                self.threads()
            };
            // SAFETY: each `tmp[k]` is C-contiguous with the shape of `outs[k]`, which the
            // caller lent us exclusively; both have output `k`'s dtype.
            unsafe { copy_elements(&plan, &sizes, threads) };
            return Ok(());
        }
        self.run(inputs, &shape, outs)
    }

    /// `true` when an input the kernel reads overlaps `out`, other than as the very same
    /// elements in the very same order when `exact_ok`.
    fn overlaps(
        &self,
        inputs: &[(&str, Arg)],
        shape: &[usize],
        out: &ArrayViewMut,
        exact_ok: bool,
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
            let same = std::ptr::eq(v.as_ptr(), out.raw_ptr())
                && v.dtype() == out.dtype()
                && broadcast_strides(v.shape(), v.strides(), shape)
                    .iter()
                    .zip(out.strides())
                    .zip(shape)
                    .all(|((a, b), &d)| d == 1 || a == b);
            !(same && exact_ok)
        })
    }

    /// The cached kernel of this context's program for `layout`, compiling it on a miss.
    pub fn kernel(&self, layout: Layout) -> Result<Arc<Kernel>> {
        kernel_for(self.source, self.typed, layout, self.opts.math)
    }

    fn program_args(&self) -> &[usize] {
        &self.typed.program_args
    }

    /// Runs the chosen backend over non-empty outputs (one per program output) of shape
    /// `shape`.
    fn run(
        &self,
        inputs: &[(&str, Arg)],
        shape: &[usize],
        outs: &mut [ArrayViewMut],
    ) -> Result<()> {
        // Both backends run the optimised program, so they must agree bit for bit; the
        // optimiser itself is checked against the unoptimised program in tests/differential.rs.
        let program = &self.typed.program;
        let args = self.program_args();
        // Scalars live here for the whole run; the kernel reads them through pointers.
        // 16 bytes each: a `complex128` is the widest element.
        let mut words = vec![0u128; args.len()];
        for (w, &i) in words.iter_mut().zip(args) {
            if let Arg::Scalar(s) = inputs[i].1 {
                let mut b = [0u8; 16];
                s.write(&mut b);
                *w = u128::from_ne_bytes(b);
            }
        }
        let mut ptrs = Vec::with_capacity(args.len());
        let mut rows = Vec::with_capacity(args.len() + outs.len());
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
                    ptrs.push(w as *const u128 as *const u8);
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
        if outs.len() != self.typed.out_dtypes.len() {
            return Err(Error::new(
                ErrorKind::Internal,
                "output count differs from the program's",
            ));
        }
        // The outputs' rows collapse together with the inputs': one iteration space.
        rows.extend(outs.iter().map(|o| o.strides().to_vec()));
        let out_ptrs = outs.iter().map(|o| o.raw_ptr()).collect();
        let plan = Plan::new_multi(collapse(shape, &rows), ptrs, out_ptrs);
        let threads = self.threads();
        match self.opts.backend {
            Backend::Jit => {
                let threads = if plan.len() < self.typed.parallel_from {
                    1
                } else {
                    threads
                };
                let layout = plan.layout(&dtypes, &self.typed.out_dtypes);
                let kernel = kernel_for(self.source, self.typed, layout, self.opts.math)?;
                let sizes: Vec<usize> = self.typed.out_dtypes.iter().map(|d| d.size()).collect();
                let stream = stream_sizes(
                    &plan.shape,
                    plan.in_strides.iter().map(Vec::as_slice),
                    &dtypes,
                    plan.out_strides.iter().map(|s| s[s.len() - 1]),
                    &sizes,
                )
                .is_some_and(|(touched, result)| self.opts.stores.streams(touched, result));
                let (f, chunk) = (kernel.func(), self.typed.chunk);
                // SAFETY: the kernel was compiled for this plan's layout and dtypes; the
                // views guarantee their memory, `words` outlives the run, and `out` is
                // borrowed exclusively with no zero strides and no overlap between them
                // (inputs that overlap an output element for element are read block by
                // block before the block is written, so streaming keeps them right).
                unsafe {
                    if stream {
                        run_kernel_streamed(&plan, f, threads, chunk, &sizes)
                    } else {
                        run_kernel(&plan, f, threads, chunk)
                    }
                };
            }
            // SAFETY: as above, for the interpreter's program.
            Backend::Interp => match self.elementwise {
                Some(f) => unsafe {
                    run_elementwise(&plan, &dtypes, self.typed.out_dtype, threads, |a, _| f(a))
                },
                None => unsafe { run_interp(&plan, program, threads) },
            },
        }
        Ok(())
    }
}

/// The cached kernel for `typed` and `layout`, compiling it on a miss.
pub(crate) fn kernel_for(
    source: &Arc<str>,
    typed: &Typed,
    layout: Layout,
    math: MathImpl,
) -> Result<Arc<Kernel>> {
    let key = KernelKey {
        source: Arc::clone(source),
        inputs: Arc::clone(&typed.decls),
        layout,
        math,
    };
    let cache = cache::kernels();
    if let Some(k) = cache.get(&key) {
        return Ok(k);
    }
    // Compile outside the cache's lock so that other expressions are not held up.
    let opts = CodegenOptions {
        keep_clif: false,
        math,
    };
    let k = codegen::compile(&typed.program, &key.layout, &opts)?;
    Ok(cache.insert(key, k))
}

/// How errors name output `k` of `n`: `out` when there is one.
fn out_name(k: usize, n: usize) -> String {
    if n == 1 {
        "`out`".to_string()
    } else {
        format!("`outs[{k}]`")
    }
}

/// Checks that `out` (called `name`) has dtype `want`, shape `shape` and no zero stride.
fn check_out(name: &str, out: &ArrayViewMut, want: DType, shape: &[usize]) -> Result<()> {
    if out.dtype() != want {
        return Err(Error::new(
            ErrorKind::Output,
            format!("{name} has dtype {}, but the result is {want}", out.dtype()),
        ));
    }
    if out.shape() != shape {
        return Err(Error::new(
            ErrorKind::Output,
            format!(
                "{name} has shape {}, but the result has shape {}",
                fmt_shape(out.shape()),
                fmt_shape(shape)
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
            format!("{name} has a zero stride, so several results would land in one element"),
        ));
    }
    Ok(())
}

/// Rejects outputs whose byte ranges intersect. Like `np.may_share_memory`, this is
/// conservative (interleaved views of one buffer count as overlapping): deciding exact
/// overlap of strided views is costly, and writing one element twice in one pass would
/// make the result depend on the order of stores.
fn check_disjoint(outs: &[ArrayViewMut]) -> Result<()> {
    let ranges: Vec<(usize, usize)> = outs
        .iter()
        .map(|o| {
            byte_range(
                o.raw_ptr() as usize,
                o.shape(),
                o.strides(),
                o.dtype().size(),
            )
        })
        .collect();
    for (k, &(lo, hi)) in ranges.iter().enumerate() {
        if let Some(j) = ranges[..k].iter().position(|&(l, h)| lo < h && l < hi) {
            return Err(Error::new(
                ErrorKind::Output,
                format!("`outs[{j}]` and `outs[{k}]` overlap in memory"),
            )
            .with_help("give each output its own array"));
        }
    }
    Ok(())
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
    use crate::error::Span;
    use crate::ir::{BinaryOp, InputDecl, Inst, Op, Program};
    use crate::runtime::ArrayView;
    use crate::syntax::ast::ExprKind;

    /// `a + b` over f64, typed by hand; spans as in the source "a + b".
    struct AddF64 {
        typed: Typed,
        ast: ast::Program,
        source: Arc<str>,
    }

    impl AddF64 {
        fn new() -> Self {
            Self::of(DType::F64)
        }

        /// `a + b` over `dtype` (the interpreter shortcut of [`AddF64::ctx`] is f64 only).
        fn of(dtype: DType) -> Self {
            let decl = |n: &str| InputDecl {
                name: n.to_string(),
                dtype,
            };
            let inst = |op| Inst { op, dtype };
            let program = Program {
                inputs: vec![decl("a"), decl("b")],
                insts: vec![
                    inst(Op::Input(0)),
                    inst(Op::Input(1)),
                    inst(Op::Binary(BinaryOp::Add, 0, 1)),
                ],
                outputs: vec![2],
            };
            let name = |n: &str, at: usize| ast::Expr {
                kind: ExprKind::Name(n.to_string()),
                span: Span::new(at, at + 1),
            };
            let ast = ast::Expr {
                kind: ExprKind::Binary(
                    ast::BinaryOp::Add,
                    Box::new(name("a", 0)),
                    Box::new(name("b", 4)),
                ),
                span: Span::new(0, 5),
            };
            AddF64 {
                typed: Typed {
                    lowered: program.clone(),
                    lowered_args: vec![0, 1],
                    decls: program.inputs.clone().into(),
                    program,
                    program_args: vec![0, 1],
                    out_dtype: dtype,
                    out_dtypes: vec![dtype],
                    parallel_from: 0,
                    chunk: crate::runtime::exec::CHUNK,
                    stages: Vec::new(),
                    output_names: vec![None],
                },
                ast: ast::Program {
                    statements: vec![ast::Statement {
                        target: None,
                        span: ast.span,
                        value: ast,
                    }],
                },
                source: "a + b".into(),
            }
        }

        fn ctx<'e>(&'e self, opts: &'e EvalOptions) -> Ctx<'e> {
            fn add(args: &[Scalar]) -> Scalar {
                match (args[0], args[1]) {
                    (Scalar::F64(x), Scalar::F64(y)) => Scalar::F64(x + y),
                    other => panic!("operands {other:?}"),
                }
            }
            Ctx {
                source: &self.source,
                ast: &self.ast,
                typed: &self.typed,
                opts,
                elementwise: Some(&add),
            }
        }
    }

    fn opts(threads: usize) -> EvalOptions {
        EvalOptions {
            backend: Backend::Interp,
            threads: Some(threads),
            ..Default::default()
        }
    }

    #[test]
    fn broadcasts_arrays_and_scalars() {
        let e = AddF64::new();
        let a: Vec<f64> = (0..6).map(f64::from).collect();
        let b = [10.0, 20.0, 30.0];
        for t in [1, 2, 4] {
            let o = opts(t);
            let a2 = ArrayView::from_shape(&a, &[2, 3]).unwrap();
            let r = e
                .ctx(&o)
                .eval(&[("a", a2.into()), ("b", (&b).into())])
                .unwrap();
            assert_eq!(r.shape(), &[2, 3]);
            assert_eq!(r.to_vec::<f64>(), vec![10.0, 21.0, 32.0, 13.0, 24.0, 35.0]);
            let r = e
                .ctx(&o)
                .eval(&[("a", (&a).into()), ("b", 0.5.into())])
                .unwrap();
            assert_eq!(r.shape(), &[6]);
            assert_eq!(
                r.to_vec::<f64>(),
                a.iter().map(|x| x + 0.5).collect::<Vec<_>>()
            );
        }
        let s = e
            .ctx(&opts(1))
            .eval(&[("a", 1.0.into()), ("b", 2.0.into())])
            .unwrap();
        assert_eq!(s.shape(), &[] as &[usize]);
        assert_eq!(s.to_vec::<f64>(), vec![3.0]);
    }

    /// A `complex128` scalar is 16 bytes: the kernel must see both parts.
    #[test]
    fn complex_scalars_reach_the_kernel_whole() {
        use crate::types::Complex64;
        let e = AddF64::of(DType::C128);
        let a: Vec<Complex64> = (0..9)
            .map(|i| Complex64::new(i as f64, -2.0 * i as f64))
            .collect();
        let k = Complex64::new(0.5, 1e300);
        let o = EvalOptions {
            backend: Backend::Jit,
            threads: Some(1),
            ..Default::default()
        };
        let r = e
            .ctx(&o)
            .eval(&[("a", (&a).into()), ("b", Scalar::C128(k).into())])
            .unwrap();
        let want: Vec<Complex64> = a.iter().map(|z| z + k).collect();
        assert_eq!(r.to_vec::<Complex64>(), want);
        let r = e
            .ctx(&o)
            .eval(&[("a", Scalar::C128(k).into()), ("b", Scalar::C128(k).into())])
            .unwrap();
        assert_eq!(r.to_vec::<Complex64>(), vec![k + k]);
    }

    #[test]
    fn large_inputs_identical_across_threads() {
        let e = AddF64::new();
        let n = 200_001;
        let a: Vec<f64> = (0..n).map(|i| i as f64 * 0.25).collect();
        let b: Vec<f64> = (0..n).map(|i| (i % 13) as f64).collect();
        let want: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        for t in [1, 2, 4] {
            let o = opts(t);
            let r = e
                .ctx(&o)
                .eval(&[("a", (&a).into()), ("b", (&b).into())])
                .unwrap();
            assert_eq!(r.to_vec::<f64>(), want, "threads {t}");
        }
    }

    #[test]
    fn shape_errors_point_at_the_name() {
        let e = AddF64::new();
        let (a, b) = ([1.0; 3], [1.0; 4]);
        let err = e
            .ctx(&opts(1))
            .eval(&[("a", (&a).into()), ("b", (&b).into())])
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Shape);
        assert_eq!(err.message, "shapes (3,) and (4,) do not broadcast");
        assert_eq!(err.span, Some(Span::new(4, 5)));
    }

    #[test]
    fn zero_size_outputs() {
        let e = AddF64::new();
        let a: [f64; 0] = [];
        let r = e
            .ctx(&opts(1))
            .eval(&[("a", (&a).into()), ("b", 1.0.into())])
            .unwrap();
        assert_eq!(r.shape(), &[0]);
        assert!(r.is_empty());
        let b = [0.0; 3];
        let a2 = ArrayView::from_shape(&a, &[0, 1]).unwrap();
        let r = e
            .ctx(&opts(1))
            .eval(&[("a", a2.into()), ("b", (&b).into())])
            .unwrap();
        assert_eq!(r.shape(), &[0, 3]);
    }

    #[test]
    fn out_checks_shape_dtype_and_strides() {
        let e = AddF64::new();
        let (a, b) = ([1.0, 2.0, 3.0], [1.0; 3]);
        let inputs = [("a", Arg::from(&a)), ("b", Arg::from(&b))];
        let mut wrong_len = [0.0f64; 4];
        let err = e
            .ctx(&opts(1))
            .eval_into(&inputs, &mut ArrayViewMut::from_slice_mut(&mut wrong_len))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Output);
        let mut wrong_dtype = [0.0f32; 3];
        let err = e
            .ctx(&opts(1))
            .eval_into(&inputs, &mut ArrayViewMut::from_slice_mut(&mut wrong_dtype))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Output);
        let mut one = [0.0f64];
        // SAFETY: a zero-stride view of one element, never written (rejected first).
        let mut zero = unsafe {
            ArrayViewMut::from_raw_parts(one.as_mut_ptr() as *mut u8, DType::F64, &[3], &[0])
        };
        let err = e.ctx(&opts(1)).eval_into(&inputs, &mut zero).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Output);
        assert_eq!(one, [0.0]);
    }

    #[test]
    fn out_with_strides() {
        let e = AddF64::new();
        let a: Vec<f64> = (0..6).map(f64::from).collect();
        let b = [100.0, 200.0];
        let mut buf = [0.0f64; 6];
        // out: transposed (3, 2) view of a (2, 3) buffer; a: transposed too.
        let out = ArrayViewMut::from_shape_mut(&mut buf, &[2, 3])
            .unwrap()
            .transpose();
        let mut out = out;
        let at = ArrayView::from_shape(&a, &[2, 3]).unwrap().transpose();
        e.ctx(&opts(2))
            .eval_into(&[("a", at.into()), ("b", (&b).into())], &mut out)
            .unwrap();
        // out.T[i][j] = a.T[i][j] + b[j], i.e. buf[j*3+i] = a[j*3+i] + b[j].
        for j in 0..2 {
            for i in 0..3 {
                assert_eq!(buf[j * 3 + i], a[j * 3 + i] + b[j]);
            }
        }
    }

    #[test]
    fn in_place_and_partial_overlap() {
        let e = AddF64::new();
        let n = 100_000;
        let mut buf: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let b = [1.0f64];
        // In place: out is `a` itself.
        let ptr = buf.as_mut_ptr();
        // SAFETY: `a` and `out` are the very same elements of `buf`, which nothing else
        // touches during the call; element-wise in place is the documented use.
        let (a, mut out) = unsafe {
            (
                ArrayView::from_raw_parts(ptr as *const u8, DType::F64, &[n], &[8]),
                ArrayViewMut::from_raw_parts(ptr as *mut u8, DType::F64, &[n], &[8]),
            )
        };
        e.ctx(&opts(4))
            .eval_into(&[("a", a.into()), ("b", (&b).into())], &mut out)
            .unwrap();
        assert!(buf.iter().enumerate().all(|(i, &x)| x == i as f64 + 1.0));
        // Partial overlap: out = buf[1..], a = buf[..n-1]; NumPy semantics want the old values.
        let old = buf.clone();
        let ptr = buf.as_mut_ptr();
        // SAFETY: both views lie within `buf`; the runtime must detect the overlap.
        let (a, mut out) = unsafe {
            (
                ArrayView::from_raw_parts(ptr as *const u8, DType::F64, &[n - 1], &[8]),
                ArrayViewMut::from_raw_parts(ptr.add(1) as *mut u8, DType::F64, &[n - 1], &[8]),
            )
        };
        e.ctx(&opts(4))
            .eval_into(&[("a", a.into()), ("b", (&b).into())], &mut out)
            .unwrap();
        assert_eq!(buf[0], old[0]);
        for i in 1..n {
            assert_eq!(buf[i], old[i - 1] + 1.0, "element {i}");
        }
    }

    #[test]
    fn byte_ranges() {
        assert_eq!(byte_range(100, &[3], &[8], 8), (100, 124));
        assert_eq!(byte_range(100, &[3], &[-8], 8), (84, 108));
        assert_eq!(byte_range(100, &[2, 0], &[8, 8], 8), (100, 100));
        assert_eq!(byte_range(100, &[], &[], 4), (100, 104));
        assert_eq!(byte_range(100, &[5, 2], &[0, 4], 4), (100, 108));
    }
}
