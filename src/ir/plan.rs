//! A typed multi-statement program: reductions run first, as stages, then one fused
//! elementwise [`Program`] computes every output.
//!
//! `t = a*b; s = sum(t, axis=1); t / s` becomes stage 0 (`a*b`, summed along axis 1) and a
//! final program `(a*b) / #0`, where the input named `#0` is stage 0's result. Temporaries are
//! inlined as SSA values, so each program is still one fused pass; `#k` names cannot clash
//! with the caller's, which are identifiers.

use super::{Program, ReduceOp};
use crate::error::Span;
use crate::types::DType;

/// The typed form of a whole program.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Reductions in evaluation order; stage `k`'s result is the input named [`stage_name`]`(k)`
    /// of later stages and of `outputs`.
    pub stages: Vec<Stage>,
    /// The elementwise program computing every output, in order.
    pub outputs: Program,
    /// The name of each output (`None` for a final bare expression).
    pub output_names: Vec<Option<String>>,
}

/// One reduction: `op(program's value, axis)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// Computes the elements to reduce (one output).
    pub program: Program,
    /// The reduction.
    pub op: ReduceOp,
    /// The axis as written (negative counts from the end); `None` reduces everything.
    pub axis: Option<i64>,
    /// The result dtype (`op.result_dtype` of the program's output dtype).
    pub dtype: DType,
    /// The reduction call in the source, for runtime errors (axis out of range, empty input).
    pub span: Span,
}

/// The input name under which stage `k`'s result reaches later programs.
pub fn stage_name(k: usize) -> String {
    format!("#{k}")
}

/// The stage index an input name refers to, if it is a stage result.
pub fn stage_index(name: &str) -> Option<usize> {
    name.strip_prefix('#')?.parse().ok()
}

impl Plan {
    /// Drops the stages nothing reads (reductions in unused statements), renumbering the
    /// rest.
    pub fn pruned(mut self) -> Plan {
        let used = self.used_stages();
        let mut new_index = vec![usize::MAX; used.len()];
        let mut next = 0;
        for (k, &u) in used.iter().enumerate() {
            if u {
                new_index[k] = next;
                next += 1;
            }
        }
        let rename = |p: &mut Program| {
            for d in &mut p.inputs {
                if let Some(k) = stage_index(&d.name) {
                    d.name = stage_name(new_index[k]);
                }
            }
        };
        let mut stages = Vec::with_capacity(next);
        for (k, mut s) in std::mem::take(&mut self.stages).into_iter().enumerate() {
            if used[k] {
                rename(&mut s.program);
                stages.push(s);
            }
        }
        rename(&mut self.outputs);
        self.stages = stages;
        self
    }

    /// Which stages the outputs need, directly or through other stages.
    pub fn used_stages(&self) -> Vec<bool> {
        let mut used = vec![false; self.stages.len()];
        let mark = |p: &Program, used: &mut Vec<bool>| {
            for inp in &p.inputs {
                if let Some(k) = stage_index(&inp.name) {
                    if let Some(u) = used.get_mut(k) {
                        *u = true;
                    }
                }
            }
        };
        mark(&self.outputs, &mut used);
        // A stage only reads earlier stages, so one backward sweep suffices.
        for k in (0..self.stages.len()).rev() {
            if used[k] {
                mark(&self.stages[k].program, &mut used);
            }
        }
        used
    }
}

impl std::fmt::Display for Plan {
    /// Each stage's listing, then the outputs' listing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (k, s) in self.stages.iter().enumerate() {
            let axis = s.axis.map_or(String::new(), |a| format!(", axis={a}"));
            writeln!(
                f,
                "stage {}: {}.{}(…{axis})",
                stage_name(k),
                s.op.name(),
                s.dtype
            )?;
            for line in s.program.to_string().lines() {
                writeln!(f, "  {line}")?;
            }
        }
        write!(f, "{}", self.outputs)
    }
}
