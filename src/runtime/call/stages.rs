//! Runs a program's reduction stages: each stage's elements are computed (or read straight
//! from an input array) and reduced; the results join the caller's inputs as `#k`.

use super::{evaluate, Dest};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::Op;
use crate::runtime::reduce::reduce;
use crate::runtime::typed::Typed;
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
        let program = &stage.typed.program;
        // `sum(a)`: reduce the caller's view itself, whatever its strides.
        let direct = match program.insts.get(program.result() as usize).map(|i| &i.op) {
            Some(Op::Input(k)) => match &args[stage.typed.program_args[*k]].1 {
                Arg::Array(v) if v.dtype() == program.inputs[*k].dtype => Some(v.clone()),
                _ => None,
            },
            _ => None,
        };
        let temp;
        let view: ArrayView = match direct {
            Some(v) => v,
            None => {
                temp = evaluate(&stage.typed, &args, Dest::New, opts)?
                    .arrays
                    .swap_remove(0);
                temp.view()
            }
        };
        let axis = match stage.axis {
            None => None,
            Some(a) => {
                let ndim = view.ndim() as i64;
                let k = if a < 0 { a + ndim } else { a };
                if k < 0 || k >= ndim {
                    // NumPy's AxisError, a ValueError.
                    return Err(Error::at(
                        ErrorKind::Value,
                        stage.span,
                        format!("axis {a} is out of bounds for an array of dimension {ndim}"),
                    ));
                }
                Some(k as usize)
            }
        };
        let r = reduce(&view, stage.op, axis, opts.threads()).map_err(|mut e| {
            if e.span.is_none() {
                e.span = Some(stage.span);
            }
            e
        })?;
        results.push(r);
    }
    Ok(results)
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
