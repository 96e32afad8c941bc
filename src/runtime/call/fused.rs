//! A reduction stage whose argument is an expression, reduced as it is computed: the
//! stage's program is prepared once, and `runtime::reduce` asks it for blocks of the
//! argument's elements (`reduce::Source`), so no argument array is materialised.

use super::prepared::{input_addresses, ScalarWords, Target};
use super::stages::at_stage;
use super::{out_shape, PreparedCall};
use crate::error::Result;
use crate::runtime::reduce::{reduce_fused, Source};
use crate::runtime::typed::{Typed, TypedStage};
use crate::runtime::{checked_len, Arg, Array, EvalOptions};
use crate::types::DType;

/// A stage's argument, ready to be computed a range at a time.
struct StageArg {
    /// The argument's program, prepared for a fresh C-order result.
    call: PreparedCall,
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
}

// SAFETY: `ins` address the caller's inputs, which stay borrowed, unmodified, while the
// stage runs (`Arg` views are shared), and `_words`, owned here; filling only reads them.
unsafe impl Sync for StageArg {}

impl Source for StageArg {
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
        unsafe { self.call.fill_range(&self.ins, lo, n, dst) }
    }
}

/// Runs `stage` fused: its argument (the program `stage.typed` over `args`) computed block
/// by block inside the reduction. `axis` is the stage's axis, normalised by `axis_of` for
/// the argument's dimension count. Gives `None` (having computed nothing) where the stage
/// materialises instead: under the interpreter, for an empty argument, or for an axis
/// reduction whose slabs would not stay small (`reduce::reduce_fused`).
pub(super) fn reduce_stage(
    stage: &TypedStage,
    args: &[(&str, Arg)],
    axis_of: impl FnOnce(usize) -> Result<Option<usize>>,
    opts: &EvalOptions,
) -> Result<Option<Array>> {
    let typed: &Typed = &stage.typed;
    if !typed.stages.is_empty() || typed.out_dtypes.len() != 1 {
        return Ok(None);
    }
    let shape = out_shape(typed, args)?;
    if checked_len(&shape).is_none_or(|n| n == 0) {
        return Ok(None);
    }
    let axis = axis_of(shape.len())?;
    let call = PreparedCall::prepare(typed, args, &shape, Target::Fresh, opts)?;
    if !call.is_compiled() {
        return Ok(None);
    }
    let mut words = ScalarWords::new();
    let ins = input_addresses(typed, args, &mut words);
    let arg = StageArg {
        call,
        ins,
        _words: words,
        shape,
        dtype: typed.out_dtype,
        parallel_from: typed.parallel_from,
    };
    reduce_fused(&arg, stage.op, axis, opts.threads()).map_err(|e| at_stage(stage, e))
}
