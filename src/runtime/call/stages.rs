//! Runs a program's reduction stages: each stage's elements are read straight from an input
//! array, computed block by block inside the reduction (`fused.rs`), or computed into an
//! array and reduced; the results join the caller's inputs as `#k`.

use super::{evaluate, fused, out_shape, Dest};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::Op;
use crate::runtime::reduce::{reduce_to, Dst, Reduced};
use crate::runtime::typed::{Typed, TypedStage};
use crate::runtime::{Arg, Array, ArrayView, EvalOptions};
use crate::types::DType;

/// Evaluates the first `k` stages of `typed` in order and returns their results.
pub(super) fn run_stages(
    typed: &Typed,
    inputs: &[(&str, Arg)],
    opts: &EvalOptions,
    k: usize,
) -> Result<Vec<Array>> {
    let mut results: Vec<Array> = Vec::with_capacity(typed.stages.len());
    for stage in &typed.stages[..k] {
        let args = with_results(inputs, typed, &results);
        let r = run_stage(stage, &args, opts, Dst::New)?.into_array()?;
        results.push(r);
    }
    Ok(results)
}

/// One stage's result, into `dst`.
pub(super) fn run_stage(
    stage: &TypedStage,
    args: &[(&str, Arg)],
    opts: &EvalOptions,
    mut dst: Dst,
) -> Result<Reduced> {
    let program = &stage.typed.program;
    // `sum(a)`: reduce the caller's view itself, whatever its strides.
    let direct = match program.insts.get(program.result() as usize).map(|i| &i.op) {
        Some(Op::Input(k)) => match &args[stage.typed.program_args[*k]].1 {
            Arg::Array(v) if v.dtype() == program.inputs[*k].dtype => Some(v.clone()),
            _ => None,
        },
        _ => None,
    };
    if direct.is_none() {
        let axis_of = |ndim| axis_of(stage, ndim);
        if let Some(r) = fused::reduce_stage(stage, args, axis_of, opts, dst.reborrow())? {
            return Ok(r);
        }
    }
    let temp;
    let view: ArrayView = match direct {
        Some(v) => v,
        None => {
            temp = evaluate(&stage.typed, args, Dest::New, opts)?
                .arrays
                .swap_remove(0);
            temp.view()
        }
    };
    let axis = axis_of(stage, view.ndim())?;
    reduce_to(&view, stage.op, axis, opts.threads(), dst).map_err(|e| at_stage(stage, e))
}

/// The shape and dtype of `stage`'s result over `args`, where they are known before it
/// runs (`None` where working them out fails; running the stage reports why).
pub(super) fn result_layout(
    stage: &TypedStage,
    args: &[(&str, Arg)],
) -> Option<(Vec<usize>, DType)> {
    let dtype = stage.op.result_dtype(stage.typed.out_dtype)?;
    let mut shape = out_shape(&stage.typed, args).ok()?;
    match axis_of(stage, shape.len()).ok()? {
        Some(a) => {
            shape.remove(a);
        }
        None => shape.clear(),
    }
    Some((shape, dtype))
}

/// A reduction's error, placed at the stage's call when it has no place of its own.
pub(super) fn at_stage(stage: &TypedStage, mut e: Error) -> Error {
    if e.span.is_none() {
        e.span = Some(stage.span);
    }
    e
}

/// `stage`'s axis for an argument of `ndim` axes, normalised to `0..ndim`.
fn axis_of(stage: &TypedStage, ndim: usize) -> Result<Option<usize>> {
    let Some(a) = stage.axis else {
        return Ok(None);
    };
    let ndim = ndim as i64;
    let k = if a < 0 { a + ndim } else { a };
    if k < 0 || k >= ndim {
        // NumPy's AxisError, a ValueError.
        return Err(Error::at(
            ErrorKind::Value,
            stage.span,
            format!("axis {a} is out of bounds for an array of dimension {ndim}"),
        ));
    }
    Ok(Some(k as usize))
}

/// The caller's inputs followed by the stage results computed so far, as `#k`.
pub(super) fn with_results<'a>(
    inputs: &[(&'a str, Arg<'a>)],
    typed: &'a Typed,
    results: &'a [Array],
) -> Vec<(&'a str, Arg<'a>)> {
    let mut args = inputs.to_vec();
    args.extend(
        typed
            .stages
            .iter()
            .zip(results)
            .map(|(s, r)| (s.name.as_str(), Arg::Array(r.view()))),
    );
    args
}
