//! How a call is prepared and executed: the one internal entry point behind every public
//! `eval*` method.
//!
//! [`evaluate`] takes a typed program, the caller's named inputs and a [`Dest`] (new
//! arrays or the caller's `out` views). It runs the reduction stages first
//! (`stages.rs`), checks the outputs and their overlap with the inputs; a
//! partial overlap is computed into temporaries and copied, anything else builds a
//! [`PreparedCall`] (`prepared.rs`) and executes it. A call
//! that went straight through hands its prepared call back, so that the caller may
//! remember it (`remembered.rs`) and serve the next call with the same signature by
//! re-binding pointers alone.

mod fused;
mod prepared;
pub(crate) mod remembered;
mod stages;

pub(crate) use fused::StageMemo;
pub(crate) use prepared::PreparedCall;

use super::broadcast::{broadcast_shapes, collapse, BroadcastError};
use super::dims::Dims;
use super::exec::{copy_elements, Iteration, Operands};
use super::overlap::{needs_temporaries, overlapping_outputs, touches_inputs};
use super::reduce::Dst;
use super::typed::{Typed, TypedStage};
use super::work::PARALLEL_WORK;
use super::{checked_len, fmt_shape, Arg, Array, ArrayViewMut, EvalOptions, UninitArray};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::Op;
use prepared::{input_addresses, Target};

/// Where a call's results go.
pub(crate) enum Dest<'o, 'a> {
    /// New C-contiguous arrays, one per output, returned.
    New,
    /// The caller's views: one per output, each of the result's shape and its output's
    /// dtype (any strides).
    Into(&'o mut [ArrayViewMut<'a>]),
}

/// What [`evaluate`] gives back.
pub(crate) struct Outcome {
    /// The new arrays, for [`Dest::New`] (empty for [`Dest::Into`]).
    pub arrays: Vec<Array>,
    /// The prepared call that ran, when the call went straight through it (no reduction
    /// stages, no temporaries), so that it may be remembered.
    pub prepared: Option<PreparedCall>,
}

/// Evaluates `typed` on `inputs` into `dest`: its reductions first, then every output in
/// one pass.
pub(crate) fn evaluate(
    typed: &Typed,
    inputs: &[(&str, Arg)],
    mut dest: Dest,
    opts: &EvalOptions,
) -> Result<Outcome> {
    if typed.stages.is_empty() {
        return elementwise(typed, inputs, dest, opts);
    }
    let last = typed.stages.len() - 1;
    let only = stage_result_only(typed, inputs.len());
    let mut results = stages::run_stages(typed, inputs, opts, last)?;
    let args = stages::with_results(inputs, typed, &results);
    let stage = &typed.stages[last];
    if let (Dest::Into(outs), Some(k)) = (&mut dest, only) {
        if k == last {
            if let Some(bytes) = out_takes_stage(typed, stage, &args, inputs, outs) {
                // `sum(a*b, axis=1)` into a C-contiguous `out` that no input shares: the
                // reduction writes there itself, without a result of its own to copy.
                stages::run_stage(stage, &args, opts, Dst::Bytes(bytes))?;
                return Ok(Outcome {
                    arrays: Vec::new(),
                    prepared: None,
                });
            }
        }
    }
    let r = stages::run_stage(stage, &args, opts, Dst::New)?.into_array()?;
    drop(args);
    results.push(r);
    if let (Dest::New, Some(k)) = (&dest, only) {
        // `sum(a*b)`: the result is the stage's own fresh array; copying it through a
        // kernel would cost more than a small reduction.
        if results.get(k).is_some_and(|r| r.dtype() == typed.out_dtype) {
            return Ok(Outcome {
                arrays: vec![results.swap_remove(k)],
                prepared: None,
            });
        }
    }
    if let (Dest::Into(outs), Some(k)) = (&dest, only) {
        // `sum(a*b, axis=1)` into `out`: a plain copy of the stage's result, with the
        // checks of any `out` (the result is fresh, so it overlaps nothing).
        if let Some(r) = results.get(k).filter(|r| r.dtype() == typed.out_dtype) {
            let shape = r.shape().to_vec();
            check_outs(typed, outs, &shape)?;
            copy_into(std::slice::from_ref(r), outs, &shape, opts);
            return Ok(Outcome {
                arrays: Vec::new(),
                prepared: None,
            });
        }
    }
    let args = stages::with_results(inputs, typed, &results);
    let mut outcome = elementwise(typed, &args, dest, opts)?;
    // The stages' results are new each call: nothing to remember.
    outcome.prepared = None;
    Ok(outcome)
}

/// The bytes of the caller's one `out`, where the last stage (whose result is the whole
/// result) may write into it directly: `out` passes every check, has elements, is
/// C-contiguous and shares no byte with an input array (the reduction reads its inputs
/// while it writes). `None` sends the call the general way, which reports any error.
fn out_takes_stage<'o>(
    typed: &Typed,
    stage: &TypedStage,
    args: &[(&str, Arg)],
    inputs: &[(&str, Arg)],
    outs: &'o mut [ArrayViewMut],
) -> Option<&'o mut [u8]> {
    let (shape, dtype) = stages::result_layout(stage, args)?;
    if dtype != typed.out_dtype || check_outs(typed, outs, &shape).ok()? == 0 {
        return None;
    }
    let [out] = outs else {
        return None;
    };
    let size = dtype.size();
    if out.strides() != super::c_strides(&shape, size).as_slice() || touches_inputs(inputs, out) {
        return None;
    }
    let len = checked_len(&shape)?.checked_mul(size)?;
    // SAFETY: `out` is lent to this call exclusively (borrowed mutably here), and
    // as a C-contiguous view of `shape` and `dtype` its elements are the `len` bytes from
    // its first; no input array shares them, and the stages' results are fresh.
    Some(unsafe { std::slice::from_raw_parts_mut(out.raw_ptr(), len) })
}

/// The stage whose result is `typed`'s whole result, when the program (before and after
/// optimisation) is one output that reads that stage's result and nothing else; `n_inputs`
/// is the caller's input count (stage `k` is input `n_inputs + k`).
fn stage_result_only(typed: &Typed, n_inputs: usize) -> Option<usize> {
    let program = &typed.program;
    let only_input = program.outputs.len() == 1
        && matches!(
            program.insts.get(program.result() as usize).map(|i| &i.op),
            Some(Op::Input(0))
        );
    match (only_input, &typed.program_args[..], &typed.lowered_args[..]) {
        (true, &[j], &[l]) if j == l => j.checked_sub(n_inputs),
        _ => None,
    }
}

/// The broadcast shape of every input `typed` reads.
pub(crate) fn out_shape(typed: &Typed, inputs: &[(&str, Arg)]) -> Result<Vec<usize>> {
    let shapes = typed.lowered_args.iter().map(|&i| inputs[i].1.shape());
    broadcast_shapes(shapes).map_err(|e| shape_error(typed, e))
}

fn shape_error(typed: &Typed, e: BroadcastError) -> Error {
    let msg = format!(
        "shapes {} and {} do not broadcast",
        fmt_shape(&e.before),
        fmt_shape(&e.shape)
    );
    let blame = typed.blame.get(e.index).cloned().unwrap_or_default();
    let err = match blame.span {
        Some(span) => Error::at(ErrorKind::Shape, span, msg),
        None => Error::new(ErrorKind::Shape, msg),
    };
    err.with_help(format!(
        "`{}` has shape {}; axes must match or be 1",
        blame.what,
        fmt_shape(&e.shape)
    ))
}

/// [`evaluate`] for a program whose stage results (if any) are among `inputs`.
fn elementwise(
    typed: &Typed,
    inputs: &[(&str, Arg)],
    dest: Dest,
    opts: &EvalOptions,
) -> Result<Outcome> {
    let shape = out_shape(typed, inputs)?;
    match dest {
        Dest::New => {
            if checked_len(&shape).is_none_or(|n| n == 0) {
                let arrays = typed
                    .out_dtypes
                    .iter()
                    .map(|&d| Array::zeros(d, &shape))
                    .collect::<Result<Vec<Array>>>()?;
                return Ok(Outcome {
                    arrays,
                    prepared: None,
                });
            }
            let call = PreparedCall::prepare(typed, inputs, &shape, Target::Fresh, opts)?;
            // No zeroing pass: the run writes every element.
            let mut fresh = typed
                .out_dtypes
                .iter()
                .map(|&d| UninitArray::new(d, &Dims::c_order(&shape, d.size())))
                .collect::<Result<Vec<UninitArray>>>()?;
            let outs: Vec<*mut u8> = fresh.iter_mut().map(UninitArray::as_mut_ptr).collect();
            run(&call, typed, inputs, &outs);
            let arrays = fresh
                .into_iter()
                // SAFETY: the run wrote every element of every fresh, C-contiguous output.
                .map(|a| unsafe { a.assume_init() })
                .collect();
            Ok(Outcome {
                arrays,
                prepared: Some(call),
            })
        }
        Dest::Into(outs) => {
            let none = Outcome {
                arrays: Vec::new(),
                prepared: None,
            };
            if check_outs(typed, outs, &shape)? == 0 {
                return Ok(none);
            }
            if needs_temporaries(inputs, &typed.program_args, &shape, outs) {
                // Element-wise in place is only safe when each output element is read only
                // by its own computation; otherwise compute aside and copy.
                let tmp = elementwise(typed, inputs, Dest::New, opts)?.arrays;
                copy_into(&tmp, outs, &shape, opts);
                return Ok(none);
            }
            let call = PreparedCall::prepare(typed, inputs, &shape, Target::Views(outs), opts)?;
            let ptrs: Vec<*mut u8> = outs.iter().map(|o| o.raw_ptr()).collect();
            run(&call, typed, inputs, &ptrs);
            Ok(Outcome {
                arrays: Vec::new(),
                prepared: Some(call),
            })
        }
    }
}

/// Binds `inputs` and executes `call` into `outs`.
fn run(call: &PreparedCall, typed: &Typed, inputs: &[(&str, Arg)], outs: &[*mut u8]) {
    let mut words = Vec::new();
    let ins = input_addresses(typed, inputs, &mut words);
    // SAFETY: `call` was prepared for these inputs and outputs: the views guarantee their
    // memory, `words` outlives the run, the outputs are fresh or lent exclusively with no
    // zero strides (checked), and none overlaps an input other than element for element
    // (partial overlaps took temporaries).
    unsafe { call.execute(&ins, outs, call.schedule) };
}

/// Copies each temporary result `tmp[k]` (C-contiguous) into `outs[k]`.
fn copy_into(tmp: &[Array], outs: &[ArrayViewMut], shape: &[usize], opts: &EvalOptions) {
    let sizes: Vec<usize> = outs.iter().map(|o| o.dtype().size()).collect();
    // A copy moves two elements' bytes per element and does nothing else.
    let bytes = 2 * sizes.iter().sum::<usize>() as u64;
    let len = checked_len(shape).unwrap_or(0) as u64;
    let threads = if len < PARALLEL_WORK / bytes {
        1
    } else {
        opts.threads()
    };
    let c_order = |t: &Array, o: &ArrayViewMut| {
        o.strides() == super::c_strides(shape, t.dtype().size()).as_slice()
    };
    if threads == 1 && tmp.iter().zip(outs).all(|(t, o)| c_order(t, o)) {
        // Every `out` is C-contiguous too: one copy each, without building an iteration
        // (which costs more than the copy for a small reduction's result).
        for (t, o) in tmp.iter().zip(outs) {
            let bytes = t.as_bytes();
            // SAFETY: `o` has `t`'s shape, dtype and C strides, so its bytes are `t`'s in
            // order; it is lent to us exclusively, and `t` is a fresh array.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), o.raw_ptr(), bytes.len()) };
        }
        return;
    }
    let rows: Vec<Vec<isize>> = tmp
        .iter()
        .map(|t| t.view().strides().to_vec())
        .chain(outs.iter().map(|o| o.strides().to_vec()))
        .collect();
    let it = Iteration::new(collapse(shape, &rows), outs.len());
    let ins: Vec<*const u8> = tmp.iter().map(|t| t.as_bytes().as_ptr()).collect();
    let ptrs: Vec<*mut u8> = outs.iter().map(|o| o.raw_ptr()).collect();
    let ops = Operands {
        ins: &ins,
        outs: &ptrs,
    };
    // SAFETY: each `tmp[k]` is C-contiguous with the shape of `outs[k]`, which the caller
    // lent us exclusively; both have output `k`'s dtype.
    unsafe { copy_elements(&it, ops, &sizes, threads) };
}

/// Checks the caller's views against the program's outputs: their count, each one's dtype,
/// shape and strides (no zero stride), a result size that fits, and no two overlapping.
/// Gives the number of elements.
fn check_outs(typed: &Typed, outs: &[ArrayViewMut], shape: &[usize]) -> Result<usize> {
    let want = &typed.out_dtypes;
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
        check_out(&out_name(k, want.len()), out, dt, shape)?;
    }
    let len = checked_len(shape).ok_or_else(|| {
        Error::new(
            ErrorKind::Limit,
            format!(
                "the result shape {} has too many elements",
                fmt_shape(shape)
            ),
        )
    })?;
    if len == 0 {
        return Ok(0);
    }
    if let Some((j, k)) = overlapping_outputs(outs) {
        return Err(Error::new(
            ErrorKind::Output,
            format!("`outs[{j}]` and `outs[{k}]` overlap in memory"),
        )
        .with_help("give each output its own array"));
    }
    Ok(len)
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
fn check_out(name: &str, out: &ArrayViewMut, want: crate::DType, shape: &[usize]) -> Result<()> {
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

#[cfg(test)]
mod multi_tests;
#[cfg(test)]
mod tests;
