//! A prepared call: everything one evaluation decides before it touches the data.
//!
//! [`PreparedCall::prepare`] is built once from the typed program, the caller's inputs and
//! the outputs' layout: the broadcast and collapsed [`Iteration`], the kernel (fetched from
//! the cache or compiled) or the interpreter's program, and the thread count and store
//! mode ([`Schedule`]). The caller has already checked how the outputs overlap the
//! inputs (`runtime::overlap`), so a call that needs temporaries never fetches a kernel it
//! would not run. [`PreparedCall::execute`] then runs it on
//! operand addresses. The general path does both per call; the remembered-call path
//! (`remembered.rs`) keeps the prepared call and only re-binds the addresses.

use crate::codegen::{
    self, Codegen, CodegenOptions, ExtremeFn, KernelFn, Layout, LeafSumFn, MathImpl, Reducer,
};
use crate::error::Result;
use crate::ir::Program;
use crate::runtime::broadcast::{broadcast_strides, collapse};
use crate::runtime::cache::{self, CachedKernel, KernelKey};
use crate::runtime::exec::{for_each_range_piece, run_kernel, Iteration, Operands, MIN_CHUNK};
use crate::runtime::interp_exec::run_interp;
use crate::runtime::prefetch::{prefetch_l2, AHEAD_BYTES, AHEAD_STEP};
use crate::runtime::stream::{
    llc_bytes, run_kernel_streamed, stream_sizes, Stores, STREAM_MIN_RESULT_BYTES,
};
use crate::runtime::tuner::{fork_join_ns, Candidate, Probe, Question};
use crate::runtime::typed::Typed;
use crate::runtime::{Arg, ArrayViewMut, Backend, EvalOptions};
use crate::types::{DType, Scalar};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// How far, as a factor either way, a run's length may be from the program's estimated
/// parallel threshold (`runtime::work`) for the thread count to be measured instead: the
/// estimate's weights were measured on one host, and other hosts differ by that much.
const UNCERTAIN: usize = 16;

/// How a prepared call runs: on how many threads, and whether its results are streamed
/// past the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Schedule {
    /// Threads (1: the calling thread alone).
    pub threads: usize,
    /// Streaming stores (`runtime::stream`).
    pub stream: bool,
    /// Where the run's time goes when the schedule was chosen by measurement
    /// (`runtime::tuner`); `None` when the static estimate was sure.
    pub probe: Option<Probe>,
}

/// What computes the elements.
enum Engine {
    /// A compiled kernel; `func` is copied out of `kernel`, which keeps it alive.
    Jit {
        func: KernelFn,
        kernel: Arc<CachedKernel>,
    },
    /// The reference interpreter on the optimised program.
    Interp { program: Arc<Program> },
}

/// Where the outputs of a call go, as [`PreparedCall::prepare`] needs to know them.
pub(crate) enum Target<'v, 'a> {
    /// New C-contiguous arrays, which overlap nothing.
    Fresh,
    /// The caller's views (shape and dtype already checked, and overlapping the inputs at
    /// most element for element: `overlap::needs_temporaries` decides that before a kernel is
    /// fetched).
    Views(&'v [ArrayViewMut<'a>]),
}

/// One call, decided: see the module documentation.
pub(crate) struct PreparedCall {
    engine: Engine,
    /// The collapsed iteration; its inputs are the program's, in order.
    iter: Iteration,
    /// Elements in all (nonzero).
    len: usize,
    /// The one-axis case, run as one kernel call when serial: each input's stride and
    /// each output's.
    flat: Option<(Vec<isize>, Vec<isize>)>,
    /// Whether `len` reaches the program's parallel threshold.
    parallel: bool,
    /// Whether `len` is close enough to that threshold (within a factor [`UNCERTAIN`]) for
    /// the thread count to be measured rather than estimated (and long enough for two work
    /// items of the shortest length).
    uncertain_threads: bool,
    /// Elements per work item.
    chunk: usize,
    /// Each input's stride along the iteration's inner axis (for [`PreparedCall::fill_range`]).
    inner_in_strides: Vec<isize>,
    /// Each output's element size.
    out_sizes: Vec<usize>,
    /// When the outputs' layout allows streaming: the bytes a call touches (inputs and
    /// results) and the results' bytes.
    stream_bytes: Option<(usize, usize)>,
    /// The schedule of the options it was prepared with.
    pub schedule: Schedule,
}

impl PreparedCall {
    /// Prepares `typed` over the caller's `inputs` for results of `shape` (non-empty)
    /// going to `target`.
    pub fn prepare(
        typed: &Typed,
        inputs: &[(&str, Arg)],
        shape: &[usize],
        target: Target,
        opts: &EvalOptions,
    ) -> Result<PreparedCall> {
        let args = &typed.program_args;
        let mut rows: Vec<Vec<isize>> = Vec::with_capacity(args.len() + typed.out_dtypes.len());
        let mut in_dtypes = Vec::with_capacity(args.len());
        for &i in args {
            let arg = &inputs[i].1;
            in_dtypes.push(arg.dtype());
            rows.push(match arg {
                Arg::Array(v) => broadcast_strides(v.shape(), v.strides(), shape),
                Arg::Scalar(_) => vec![0; shape.len()],
            });
        }
        // Lowering declared each input with the caller's dtype; anything else is a bug.
        if typed
            .program
            .inputs
            .iter()
            .zip(&in_dtypes)
            .any(|(d, &t)| d.dtype != t)
        {
            return Err(crate::Error::new(
                crate::ErrorKind::Internal,
                "input dtypes changed after typing",
            ));
        }
        match target {
            Target::Fresh => rows.extend(
                typed
                    .out_dtypes
                    .iter()
                    .map(|d| crate::runtime::c_strides(shape, d.size())),
            ),
            Target::Views(outs) => rows.extend(outs.iter().map(|o| o.strides().to_vec())),
        }
        // The outputs' rows collapse together with the inputs': one iteration space.
        let iter = Iteration::new(collapse(shape, &rows), typed.out_dtypes.len());
        let len = iter.len();
        let out_sizes: Vec<usize> = typed.out_dtypes.iter().map(|d| d.size()).collect();
        let engine = match opts.backend {
            Backend::Jit => {
                let layout = iter.layout(&in_dtypes, &typed.out_dtypes);
                let kernel = kernel_for(typed, layout, opts.math, opts.codegen)?;
                Engine::Jit {
                    func: kernel.kernel.func(),
                    kernel,
                }
            }
            Backend::Interp => Engine::Interp {
                program: Arc::clone(&typed.program),
            },
        };
        let stream_bytes = stream_sizes(
            &iter.shape,
            iter.in_strides.iter().map(Vec::as_slice),
            &in_dtypes,
            iter.inner_out_strides(),
            &out_sizes,
        );
        let flat = (iter.shape.len() == 1).then(|| {
            (
                iter.inner_in_strides().collect(),
                iter.inner_out_strides().collect(),
            )
        });
        let mut call = PreparedCall {
            engine,
            len,
            flat,
            parallel: len >= typed.parallel_from,
            uncertain_threads: len >= (2 * MIN_CHUNK).max(typed.parallel_from / UNCERTAIN)
                && len < typed.parallel_from.saturating_mul(UNCERTAIN),
            chunk: typed.chunk,
            inner_in_strides: iter.inner_in_strides().collect(),
            out_sizes,
            stream_bytes,
            iter,
            schedule: Schedule {
                threads: 1,
                stream: false,
                probe: None,
            },
        };
        call.schedule = call.schedule_for(opts);
        Ok(call)
    }

    /// The schedule `opts` gives this call: the static estimate's where it is sure, else
    /// what the kernel's tuner has measured to be fastest (or still wants to measure). A
    /// cheap decision (no allocation, and no look at the global thread count below the
    /// parallel threshold's uncertain range), so a remembered call makes it anew each time.
    #[inline]
    pub fn schedule_for(&self, opts: &EvalOptions) -> Schedule {
        match &self.engine {
            Engine::Jit { kernel, .. } => {
                let stream = self
                    .stream_bytes
                    .is_some_and(|(touched, result)| opts.stores.streams(touched, result));
                // Streaming is worth a trial only where the run's data cannot all stay in
                // the last-level cache: below it a streamed run loses to cached stores
                // (its results leave the cache, and the next run reads them back from
                // DRAM), and every trial of it costs the runs after it too. At 1e6
                // float64s (24 MB, a 32 MB L3) trials of all four schedules kept
                // `2*a + 3*b` at 0.3-0.5 ns per element for its first 80 calls from Python,
                // against 0.19 for Numba from its third.
                let try_stream = opts.stores == Stores::Auto
                    && cfg!(target_arch = "x86_64")
                    && self.stream_bytes.is_some_and(|(touched, result)| {
                        result >= STREAM_MIN_RESULT_BYTES && touched >= llc_bytes()
                    });
                // Below the uncertain range the global thread count is not even read.
                let threads = if self.parallel || self.uncertain_threads {
                    opts.threads()
                } else {
                    1
                };
                let try_threads = self.uncertain_threads && threads > 1;
                let parallel = self.parallel && threads > 1;
                if !try_threads && !try_stream {
                    return Schedule {
                        threads: if parallel { threads } else { 1 },
                        stream,
                        probe: None,
                    };
                }
                let (pick, probe) = kernel.tuner.choose(&Question {
                    len: self.len,
                    threads,
                    try_threads,
                    try_stream,
                    default: Candidate { parallel, stream },
                    fork_join_ns: if try_threads { fork_join_ns() } else { 0 },
                });
                Schedule {
                    threads: if pick.parallel { threads } else { 1 },
                    stream: pick.stream,
                    probe: Some(probe),
                }
            }
            // The interpreter's elements are costly: any work of two items pays.
            Engine::Interp { .. } => Schedule {
                threads: opts.threads(),
                stream: false,
                probe: None,
            },
        }
    }

    /// Runs the call on `ins` (one address per program input: an array's element at
    /// index 0 along every axis, or a scalar's bytes) writing `outs` (one per output).
    ///
    /// # Safety
    /// Every address the iteration reaches from `ins` and `outs` is valid (inputs readable
    /// as their dtypes, outputs writable as theirs and lent exclusively), the memory stays
    /// borrowed for the call, and no input overlaps an output other than element for
    /// element (partially overlapping calls go through temporaries instead).
    #[inline]
    pub unsafe fn execute(&self, ins: &[*const u8], outs: &[*mut u8], s: Schedule) {
        match (s.probe, &self.engine) {
            (Some(probe), Engine::Jit { kernel, .. }) => {
                let start = Instant::now();
                // SAFETY: the caller's contract.
                unsafe { self.run(ins, outs, s) };
                kernel.tuner.record(probe, self.len, start.elapsed());
            }
            // SAFETY: the caller's contract.
            _ => unsafe { self.run(ins, outs, s) },
        }
    }

    /// [`PreparedCall::execute`] without the timing.
    ///
    /// # Safety
    /// As for [`PreparedCall::execute`].
    #[inline]
    unsafe fn run(&self, ins: &[*const u8], outs: &[*mut u8], s: Schedule) {
        let ops = Operands { ins, outs };
        match &self.engine {
            Engine::Jit { func, .. } => {
                if let (1, false, Some((in_strides, out_strides))) =
                    (s.threads, s.stream, &self.flat)
                {
                    // One call over everything: the kernel is element-wise, so cutting the
                    // loop into work items would change nothing but the overhead.
                    // SAFETY: the kernel was compiled for this layout and these dtypes;
                    // the caller guarantees the memory.
                    unsafe {
                        func(
                            self.len,
                            ins.as_ptr(),
                            in_strides.as_ptr(),
                            outs.as_ptr(),
                            out_strides.as_ptr(),
                        )
                    };
                } else if s.stream {
                    // SAFETY: as above; streaming reads each block whole before writing
                    // it, so an in-place input stays right.
                    unsafe {
                        run_kernel_streamed(
                            &self.iter,
                            ops,
                            *func,
                            s.threads,
                            self.chunk,
                            &self.out_sizes,
                        )
                    };
                } else {
                    // SAFETY: as above.
                    unsafe { run_kernel(&self.iter, ops, *func, s.threads, self.chunk) };
                }
            }
            // SAFETY: as above, for the interpreter's program.
            Engine::Interp { program } => unsafe {
                run_interp(&self.iter, ops, program, s.threads)
            },
        }
    }
}

impl PreparedCall {
    /// Whether [`PreparedCall::fill_range`] runs a compiled kernel (rather than the
    /// interpreter, whose callers keep materialising so that it stays an independent
    /// oracle).
    pub fn is_compiled(&self) -> bool {
        matches!(self.engine, Engine::Jit { .. })
    }

    /// The leaf sums of the call's one output (`codegen::compile_leaf_sums`), with each
    /// input's stride along the call's one axis: for a compiled call of `typed` whose
    /// iteration has one axis (element `i` of input `k` at `ins[k] + i·strides[k]`) and
    /// whose program qualifies. Compiled on first use, by `codegen` (the kernel's own, which
    /// its cache entry is keyed by), and kept with the kernel.
    pub fn leaf_sums(
        &self,
        typed: &Typed,
        math: MathImpl,
        codegen: Codegen,
    ) -> Option<(LeafSumFn, &[isize])> {
        self.reducer(
            typed,
            (math, codegen),
            |k| &k.leaf_sums,
            codegen::compile_leaf_sums,
        )
    }

    /// The running `min` (`is_min`) or `max` of the call's one output
    /// (`codegen::compile_extremes`), with each input's stride along the call's one axis:
    /// as [`PreparedCall::leaf_sums`], for the same calls.
    pub fn extremes(
        &self,
        typed: &Typed,
        math: MathImpl,
        codegen: Codegen,
        is_min: bool,
    ) -> Option<(ExtremeFn, &[isize])> {
        self.reducer(
            typed,
            (math, codegen),
            |k| &k.extremes[usize::from(!is_min)],
            |p, l, o| codegen::compile_extremes(p, l, o, is_min),
        )
    }

    /// A second entry point of the call's kernel kept in the kernel's `slot`, compiled
    /// there by `compile` on first use (see [`PreparedCall::leaf_sums`]).
    fn reducer<F: Copy>(
        &self,
        typed: &Typed,
        (math, codegen): (MathImpl, Codegen),
        slot: impl for<'k> FnOnce(&'k CachedKernel) -> &'k OnceLock<Option<Reducer<F>>>,
        compile: impl FnOnce(&Program, &Layout, &CodegenOptions) -> Result<Option<Reducer<F>>>,
    ) -> Option<(F, &[isize])> {
        let Engine::Jit { kernel, .. } = &self.engine else {
            return None;
        };
        self.flat.as_ref()?;
        let found = slot(kernel).get_or_init(|| {
            let in_dtypes: Vec<DType> = typed.program.inputs.iter().map(|d| d.dtype).collect();
            let layout = self.iter.layout(&in_dtypes, &typed.out_dtypes);
            let opts = CodegenOptions {
                keep_clif: false,
                math,
                codegen,
            };
            // A program that cannot be compiled so reduces its stored blocks instead.
            compile(&typed.program, &layout, &opts).ok().flatten()
        });
        found
            .as_ref()
            .map(|r| (r.func(), self.inner_in_strides.as_slice()))
    }

    /// About how many bytes a run over `shape` reads from its inputs: each input's
    /// innermost step per element (none for a broadcast scalar).
    pub fn reads_bytes(&self, shape: &[usize]) -> u64 {
        let per: u64 = self
            .inner_in_strides
            .iter()
            .map(|s| s.unsigned_abs() as u64)
            .sum();
        shape.iter().fold(per, |b, &e| b.saturating_mul(e as u64))
    }

    /// Computes the logical elements `lo..lo+n` (C order over the call's shape) of the
    /// call's single output into `dst`, contiguously, on the calling thread. The call must
    /// have been prepared for [`Target::Fresh`], so that the output's place in the
    /// iteration is its C order. With `ahead`, a compiled kernel runs [`AHEAD_STEP`]
    /// elements at a time, each step first prefetching its inputs' lines
    /// [`AHEAD_BYTES`] further on (for arguments streamed from beyond the caches).
    ///
    /// # Safety
    /// As [`PreparedCall::execute`] for the inputs; `lo + n` is at most the call's element
    /// count, and `dst` is valid for writes of `n` output elements.
    pub unsafe fn fill_range(
        &self,
        ins: &[*const u8],
        lo: usize,
        n: usize,
        dst: *mut u8,
        ahead: bool,
    ) {
        let size = self.out_sizes[0];
        let strides = &self.inner_in_strides;
        let out_stride = [size as isize];
        for_each_range_piece(&self.iter, ins, lo, n, |ptrs, len, done| {
            let out = [dst.wrapping_add(done * size)];
            match &self.engine {
                // In steps, each prefetching its inputs' lines further on (the piece's
                // inputs advance by their strides, its output by one element a step).
                Engine::Jit { func, .. } if ahead && ptrs.len() <= 16 => {
                    let mut at = [std::ptr::null::<u8>(); 16];
                    let at = &mut at[..ptrs.len()];
                    let mut k = 0;
                    while k < len {
                        let m = (len - k).min(AHEAD_STEP);
                        for ((p, &base), &s) in at.iter_mut().zip(ptrs).zip(strides) {
                            *p = base.wrapping_offset((k as isize).wrapping_mul(s));
                            if s > 0 {
                                prefetch_l2(p.wrapping_add(AHEAD_BYTES), m * s as usize);
                            }
                        }
                        let out = [dst.wrapping_add((done + k) * size)];
                        // SAFETY: as the whole piece below, for its elements `k..k+m`,
                        // which `at` and `out` address.
                        unsafe {
                            func(
                                m,
                                at.as_ptr(),
                                strides.as_ptr(),
                                out.as_ptr(),
                                out_stride.as_ptr(),
                            )
                        };
                        k += m;
                    }
                }
                // SAFETY: the kernel was compiled for this iteration's layout, whose output
                // is contiguous as `out` is; the caller guarantees the memory.
                Engine::Jit { func, .. } => unsafe {
                    func(
                        len,
                        ptrs.as_ptr(),
                        strides.as_ptr(),
                        out.as_ptr(),
                        out_stride.as_ptr(),
                    )
                },
                Engine::Interp { program } => {
                    let piece = Iteration {
                        shape: vec![len],
                        in_strides: strides.iter().map(|&s| vec![s]).collect(),
                        out_strides: vec![vec![size as isize]],
                    };
                    let ops = Operands {
                        ins: ptrs,
                        outs: &out,
                    };
                    // SAFETY: as above, for the interpreter's program.
                    unsafe { run_interp(&piece, ops, program, 1) }
                }
            }
        });
    }
}

/// The scalar inputs' bytes, where a run's input addresses point: 16 bytes each (a
/// `complex128` is the widest element).
pub(crate) type ScalarWords = Vec<u128>;

/// The input addresses of one call of `typed` on `inputs`: arrays' own, scalars' inside
/// `words` (which must outlive the run).
pub(crate) fn input_addresses(
    typed: &Typed,
    inputs: &[(&str, Arg)],
    words: &mut ScalarWords,
) -> Vec<*const u8> {
    let args = &typed.program_args;
    words.clear();
    words.extend(args.iter().map(|&i| match &inputs[i].1 {
        Arg::Scalar(s) => scalar_word(s),
        Arg::Array(_) => 0,
    }));
    args.iter()
        .zip(words.iter())
        .map(|(&i, w)| match &inputs[i].1 {
            Arg::Array(v) => v.as_ptr(),
            Arg::Scalar(_) => w as *const u128 as *const u8,
        })
        .collect()
}

/// A scalar's bits as the kernel reads them: the bytes `Scalar::write` gives, zero-padded
/// to 16 bytes in memory (`to_bits` zero-extends; `to_le` puts its low byte first).
#[inline(always)]
pub(crate) fn scalar_word(s: &Scalar) -> u128 {
    s.to_bits().to_le()
}

/// The cached kernel for `typed` and `layout`, compiling it on a miss.
fn kernel_for(
    typed: &Typed,
    layout: Layout,
    math: codegen::MathImpl,
    codegen: Codegen,
) -> Result<Arc<CachedKernel>> {
    let key = KernelKey {
        source: Arc::clone(&typed.key),
        inputs: Arc::clone(&typed.decls),
        layout,
        math,
        codegen,
    };
    let cache = cache::kernels();
    if let Some(k) = cache.get(&key) {
        return Ok(k);
    }
    // Compile outside the cache's lock so that other expressions are not held up.
    let opts = CodegenOptions {
        keep_clif: false,
        math,
        codegen,
    };
    let kernel = codegen::compile(&typed.program, &key.layout, &opts)?;
    Ok(cache.insert(
        key,
        CachedKernel {
            kernel,
            tuner: Default::default(),
            leaf_sums: OnceLock::new(),
            extremes: [OnceLock::new(), OnceLock::new()],
        },
    ))
}
