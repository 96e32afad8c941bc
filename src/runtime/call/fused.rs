//! A reduction stage whose argument is an expression, reduced as it is computed: the
//! stage's program is prepared once, and `runtime::reduce` asks it for blocks of the
//! argument's elements (`reduce::Source`), so no argument array is materialised.

use super::prepared::{input_addresses, ScalarWords, Target};
use super::stages::at_stage;
use super::{out_shape, PreparedCall};
use crate::codegen::{Codegen, ExtremeFn, LeafSumFn};
use crate::error::Result;
use crate::ir::ReduceOp;
use crate::math::vector::MathImpl;
use crate::runtime::prefetch::{ahead_from, leaf_sums_prefetch};
use crate::runtime::reduce::{
    float_extreme, parallel_by_default, reduce_fused, Dst, ExtremeSource, LeafSource, Reduced,
    Source,
};
use crate::runtime::stream::llc_bytes;
use crate::runtime::tuner::{fork_join_ns, Candidate, Probe, Question, Tuner};
use crate::runtime::typed::{Typed, TypedStage};
use crate::runtime::{checked_len, Arg, Backend, EvalOptions};
use crate::types::DType;
use std::sync::Mutex;
use std::time::Instant;

/// The fewest argument elements for which a fused reduction below the static parallel
/// rule tries a second thread: two of the shared tree's smallest tasks
/// (`reduce::whole`'s 32 KiB of `f64`s).
const TRY_THREADS_FROM: usize = 8 << 10;

/// The fewest argument elements for which a fused sum compiles its argument's leaf sums
/// (a second, smaller Cranelift function): below, the sum reduces stored blocks, which
/// costs the first call nothing more and a small call a few hundred nanoseconds.
const LEAF_SUMS_FROM: usize = 4 << 10;

/// A stage's argument, ready to be computed a range at a time.
struct StageArg<'c> {
    /// The argument's program, prepared for a fresh C-order result.
    call: &'c PreparedCall,
    /// The program's input addresses (scalars' inside `_words`).
    ins: Vec<*const u8>,
    /// The scalar inputs' bytes, which `ins` point into.
    _words: ScalarWords,
    /// The argument's (broadcast) shape.
    shape: Vec<usize>,
    /// The argument's dtype.
    dtype: DType,
    /// Elements from which the argument's program runs on several threads.
    parallel_from: usize,
    /// Whether the inputs stream from beyond the caches, so that filling prefetches.
    ahead: bool,
    /// The argument's leaf sums and the inputs' strides they read with, where the
    /// reduction computes its leaves from the inputs.
    leaves: Option<(LeafSumFn, &'c [isize])>,
    /// The argument's running `min` (`true`) or `max`, and the inputs' strides it reads
    /// with, where the reduction takes its ranges' extremes from the inputs.
    extremes: Option<(bool, ExtremeFn, &'c [isize])>,
    /// Whether the leaf sums prefetch: only for inputs of twice the last-level cache, on
    /// hosts where that pays (`prefetch::leaf_sums_prefetch`). The
    /// leaf loop keeps more reads in flight than filling does; measured with `sum(a*b)`
    /// on 2 threads (Intel Xeon, 300 MiB L3), prefetching gained 7% at 1e8 float64 and
    /// lost 15% at 1e7, which came from L3.
    leaves_ahead: bool,
}

// SAFETY: `ins` address the caller's inputs, which stay borrowed, unmodified, while the
// stage runs (`Arg` views are shared), and `_words`, owned here; filling only reads them.
unsafe impl Sync for StageArg<'_> {}

impl Source for StageArg<'_> {
    fn shape(&self) -> &[usize] {
        &self.shape
    }

    fn dtype(&self) -> DType {
        self.dtype
    }

    fn parallel_from(&self) -> usize {
        self.parallel_from
    }

    unsafe fn fill(&self, lo: usize, n: usize, dst: *mut u8) {
        // SAFETY: the call was prepared for these inputs with a fresh (C-order) output;
        // the range and `dst` are the caller's contract.
        unsafe { self.call.fill_range(&self.ins, lo, n, dst, self.ahead) }
    }

    fn leaf_sums(&self) -> Option<LeafSource<'_>> {
        self.leaves.map(|(func, strides)| LeafSource {
            func,
            ins: &self.ins,
            strides,
            ahead: self.leaves_ahead,
        })
    }

    fn extremes(&self, is_min: bool) -> Option<ExtremeSource<'_>> {
        match self.extremes {
            Some((min, func, strides)) if min == is_min => Some(ExtremeSource {
                func,
                ins: &self.ins,
                strides,
                ahead: false,
            }),
            _ => None,
        }
    }
}

/// Runs `stage` fused: its argument (the program `stage.typed` over `args`) computed block
/// by block inside the reduction. `axis` is the stage's axis, normalised by `axis_of` for
/// the argument's dimension count; the result goes to `dst`. Gives `None` (having computed
/// nothing, `dst` untouched) where the stage
/// materialises instead: under the interpreter, for an empty argument, or for an axis
/// reduction whose slabs would not stay small (`reduce::reduce_fused`).
///
/// The argument's prepared call is kept in the stage ([`StageMemo`]) and reused while the
/// arguments' shapes and strides and the options' evaluator and math stay the same, so a
/// repeated call costs no broadcasting, collapsing or kernel-cache lookup.
pub(super) fn reduce_stage(
    stage: &TypedStage,
    args: &[(&str, Arg)],
    axis_of: impl FnOnce(usize) -> Result<Option<usize>>,
    opts: &EvalOptions,
    dst: Dst,
) -> Result<Option<Reduced>> {
    let typed: &Typed = &stage.typed;
    if !typed.stages.is_empty() || typed.out_dtypes.len() != 1 {
        return Ok(None);
    }
    // Another thread running this stage holds the memo: prepare aside rather than wait.
    let mut memo = stage.prepared.0.try_lock().ok();
    let kept = memo
        .as_deref()
        .and_then(Option::as_ref)
        .filter(|m| m.matches(typed, args, opts));
    let mut fresh: Option<Memo> = None;
    let m: &Memo = match kept {
        Some(m) => m,
        None => {
            let shape = out_shape(typed, args)?;
            if checked_len(&shape).is_none_or(|n| n == 0) {
                return Ok(None);
            }
            let call = PreparedCall::prepare(typed, args, &shape, Target::Fresh, opts)?;
            if !call.is_compiled() {
                return Ok(None);
            }
            fresh.insert(Memo::new(typed, args, opts, call, shape))
        }
    };
    let axis = axis_of(m.shape.len())?;
    let reads = m.call.reads_bytes(&m.shape);
    let mut words = ScalarWords::new();
    let ins = input_addresses(typed, args, &mut words);
    let arg = StageArg {
        call: &m.call,
        ins,
        _words: words,
        shape: m.shape.clone(),
        dtype: typed.out_dtype,
        parallel_from: typed.parallel_from,
        ahead: reads >= ahead_from(),
        leaves_ahead: reads >= 2 * llc_bytes() as u64 && leaf_sums_prefetch(),
        leaves: if checked_len(&m.shape).unwrap_or(0) >= LEAF_SUMS_FROM
            && matches!(stage.op, ReduceOp::Sum | ReduceOp::Mean)
        {
            m.call.leaf_sums(typed, opts.math, opts.codegen)
        } else {
            None
        },
        extremes: float_extreme(stage.op, typed.out_dtype)
            .filter(|_| checked_len(&m.shape).unwrap_or(0) >= LEAF_SUMS_FROM)
            .and_then(|is_min| {
                m.call
                    .extremes(typed, opts.math, opts.codegen, is_min)
                    .map(|(func, strides)| (is_min, func, strides))
            }),
    };
    let (threads, eager, probe) = m.schedule(&arg, opts.threads());
    // The clock is read only for a run the tuner times (two reads were 4% of a call over
    // 1e3 elements).
    let start = probe.map(|p| (p, Instant::now()));
    let result =
        reduce_fused(&arg, stage.op, axis, threads, eager, dst).map_err(|e| at_stage(stage, e));
    if let Some((probe, start)) = start {
        m.tuner
            .record(probe, checked_len(&m.shape).unwrap_or(1), start.elapsed());
    }
    if let (Some(f), Some(slot)) = (fresh, memo.as_deref_mut()) {
        *slot = Some(f);
    }
    result
}

/// The prepared argument of a stage's last fused call, for the next call with the same
/// layout (see [`reduce_stage`]).
#[derive(Default)]
pub(crate) struct StageMemo(Mutex<Option<Memo>>);

/// A stage's prepared argument and what it was prepared for.
struct Memo {
    /// The evaluator and math the call was prepared with.
    backend: Backend,
    math: MathImpl,
    codegen: Codegen,
    /// For each input the typed program reads (lowered, then optimised), in that order:
    /// `None` for a scalar, else the array's shape and strides.
    dims: Vec<Option<(Vec<usize>, Vec<isize>)>>,
    /// The argument's shape.
    shape: Vec<usize>,
    /// The prepared call.
    call: PreparedCall,
    /// Whether a second thread pays below the static rule's size, as measured on the
    /// stage's own runs (the argument kernel's tuner times element-wise runs).
    tuner: Tuner,
}

impl Memo {
    fn new(
        typed: &Typed,
        args: &[(&str, Arg)],
        opts: &EvalOptions,
        call: PreparedCall,
        shape: Vec<usize>,
    ) -> Memo {
        let dims = read_args(typed)
            .map(|i| match &args[i].1 {
                Arg::Array(v) => Some((v.shape().to_vec(), v.strides().to_vec())),
                Arg::Scalar(_) => None,
            })
            .collect();
        Memo {
            backend: opts.backend,
            math: opts.math,
            codegen: opts.codegen,
            dims,
            shape,
            call,
            tuner: Tuner::default(),
        }
    }

    /// The threads to run `arg`'s reduction on (of `threads`), whether they are
    /// used eagerly, and the probe to time the run with: the static rule where it goes
    /// parallel, else, from [`TRY_THREADS_FROM`] elements, what the stage's tuner has
    /// measured to be faster (a reduction of a few tens of microseconds pays for a second
    /// thread on one host and not on a busy one).
    fn schedule(&self, arg: &dyn Source, threads: usize) -> (usize, bool, Option<Probe>) {
        let len = checked_len(&self.shape).unwrap_or(0);
        if threads < 2 || len < TRY_THREADS_FROM || parallel_by_default(arg, threads) {
            return (threads, false, None);
        }
        let (pick, probe) = self.tuner.choose(&Question {
            len,
            threads,
            try_threads: true,
            try_stream: false,
            default: Candidate {
                parallel: false,
                stream: false,
            },
            fork_join_ns: fork_join_ns(),
        });
        let threads = if pick.parallel { threads } else { 1 };
        (threads, pick.parallel, Some(probe))
    }

    /// Whether a call with `args` and `opts` would prepare this same call. The dtypes are
    /// the typed program's, fixed by its signature.
    fn matches(&self, typed: &Typed, args: &[(&str, Arg)], opts: &EvalOptions) -> bool {
        self.backend == opts.backend
            && self.math == opts.math
            && self.codegen == opts.codegen
            && self.dims.len() == typed.lowered_args.len() + typed.program_args.len()
            && read_args(typed)
                .zip(&self.dims)
                .all(|(i, d)| match (args.get(i).map(|a| &a.1), d) {
                    (Some(Arg::Array(v)), Some((shape, strides))) => {
                        v.shape() == shape.as_slice() && v.strides() == strides.as_slice()
                    }
                    (Some(Arg::Scalar(_)), None) => true,
                    _ => false,
                })
    }
}

/// The caller's inputs `typed` reads: its lowered program's (which give the shape), then
/// its optimised program's (which the kernel reads).
fn read_args(typed: &Typed) -> impl Iterator<Item = usize> + '_ {
    typed
        .lowered_args
        .iter()
        .chain(&typed.program_args)
        .copied()
}
