//! Runs a program's reduction stages: each stage's elements are read straight from an input
//! array, computed block by block inside the reduction (`fused.rs`), or computed into an
//! array and reduced; the results join the caller's inputs as `#k`.

use super::{evaluate, fused, Dest};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::Op;
use crate::runtime::reduce::reduce;
use crate::runtime::typed::{Typed, TypedStage};
use crate::runtime::{Arg, Array, ArrayView, EvalOptions};

/// Evaluates every stage of `typed` in order and returns their results.
pub(super) fn run_stages(
    typed: &Typed,
    inputs: &[(&str, Arg)],
    opts: &EvalOptions,
) -> Result<Vec<Array>> {
    let mut results: Vec<Array> = Vec::with_capacity(typed.stages.len());
    for stage in &typed.stages {
        let args = with_results(inputs, typed, &results);
        results.push(run_stage(stage, &args, opts)?);
    }
    Ok(results)
}

/// One stage's result.
fn run_stage(stage: &TypedStage, args: &[(&str, Arg)], opts: &EvalOptions) -> Result<Array> {
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
        if let Some(r) = fused::reduce_stage(stage, args, axis_of, opts)? {
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
    reduce(&view, stage.op, axis, opts.threads()).map_err(|e| at_stage(stage, e))
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
