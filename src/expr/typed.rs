//! The per-`Expr` cache of typing results, one per input signature (names and dtypes).

use crate::error::{Error, ErrorKind, Result, Span};
use crate::ir::plan::stage_name;
use crate::ir::{self, InputDecl, OptOptions, Program, ReduceOp};
use crate::runtime::work;
use crate::syntax::ast;
use crate::types::{DType, Typing};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Signatures remembered per expression; a program called with ever-new signatures (say,
/// generated input names) must not grow without bound.
const MAX_SIGNATURES: usize = 64;

/// The typing of an expression for one input signature.
pub(crate) struct Typed {
    /// The lowered program, before optimisation: `explain` shows it, and its inputs give the broadcast shape.
    pub lowered: Program,
    /// For each `lowered` input, the index of the caller's input that provides it.
    pub lowered_args: Vec<usize>,
    /// The optimised program the kernels are compiled from.
    pub program: Program,
    /// For each `program` input, the index of the caller's input that provides it.
    pub program_args: Vec<usize>,
    /// `program.inputs`, shared with kernel-cache keys.
    pub decls: Arc<[InputDecl]>,
    /// The first output's dtype (the result of single-output programs).
    pub out_dtype: DType,
    /// Every output's dtype, in [`Program::outputs`] order (at least one).
    pub out_dtypes: Vec<DType>,
    /// The fewest elements for which the kernel runs on several threads.
    pub parallel_from: usize,
    /// Elements per work item (shorter for costly elements; see `runtime::work`).
    pub chunk: usize,
    /// The reductions to run first (empty for a plain expression); stage `k`'s result is
    /// the caller's input number `n_inputs + k`, named `#k`.
    pub stages: Vec<TypedStage>,
    /// The name of each output (`None` for a final bare expression).
    pub output_names: Vec<Option<String>>,
}

impl Typed {
    /// Each stage's program, then the outputs' program: lowered, or as optimised.
    pub fn listing(&self, optimized: bool) -> String {
        let pick = |t: &Typed| {
            if optimized {
                t.program.to_string()
            } else {
                t.lowered.to_string()
            }
        };
        let mut out = String::new();
        for s in &self.stages {
            let axis = s.axis.map_or(String::new(), |a| format!(", axis={a}"));
            out.push_str(&format!(
                "stage {} = {}.{}(…{axis}):\n",
                s.name,
                s.op.name(),
                s.typed.out_dtype
            ));
            for line in pick(&s.typed).lines() {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push_str(&pick(self));
        out
    }
}

/// One reduction stage, typed.
pub(crate) struct TypedStage {
    /// The program computing the elements to reduce; its args index the caller's inputs
    /// followed by earlier stages' results.
    pub typed: Typed,
    /// Kernel-cache source key: the expression's source plus the stage number.
    pub source: Arc<str>,
    /// The stage's result name, `#k`.
    pub name: String,
    /// The reduction.
    pub op: ReduceOp,
    /// The axis as written.
    pub axis: Option<i64>,
    /// Where the reduction is written, for runtime errors.
    pub span: Span,
}

/// Signature → typing, most recent last.
#[derive(Default)]
pub(crate) struct TypedCache {
    entries: Mutex<Vec<(Vec<InputDecl>, Arc<Typed>)>>,
}

/// Rejects a signature that names one input twice.
pub(crate) fn check_unique<'n>(
    names: impl ExactSizeIterator<Item = &'n str> + Clone,
) -> Result<()> {
    let dup = if names.len() <= 16 {
        // Quadratic but allocation-free for the usual handful of inputs.
        let mut dup = None;
        for (i, a) in names.clone().enumerate() {
            if names.clone().skip(i + 1).any(|b| b == a) {
                dup = Some(a);
                break;
            }
        }
        dup
    } else {
        let mut seen = HashSet::new();
        names.into_iter().find(|n| !seen.insert(*n))
    };
    match dup {
        Some(n) => Err(Error::new(
            ErrorKind::UnknownName,
            format!("input `{n}` is given more than once"),
        )
        .with_help("pass each input name once")),
        None => Ok(()),
    }
}

impl TypedCache {
    /// The typing of `ast` for the signature `sig(0..n)`, lowering it on first use.
    pub fn get<'s>(
        &self,
        ast: &ast::Program,
        source: &Arc<str>,
        outputs: Option<&[&str]>,
        typing: Typing,
        n: usize,
        sig: impl Fn(usize) -> (&'s str, DType),
    ) -> Result<Arc<Typed>> {
        let same = |decls: &[InputDecl]| {
            decls.len() == n
                && decls.iter().enumerate().all(|(i, d)| {
                    let (name, dtype) = sig(i);
                    d.dtype == dtype && d.name == name
                })
        };
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, t)) = entries.iter().rev().find(|(d, _)| same(d)) {
                return Ok(Arc::clone(t));
            }
        }
        // Lower outside the lock: another thread may do the same work, which is harmless.
        let decls: Vec<InputDecl> = (0..n)
            .map(|i| {
                let (name, dtype) = sig(i);
                InputDecl {
                    name: name.to_string(),
                    dtype,
                }
            })
            .collect();
        let typed = Arc::new(type_program(ast, source, outputs, typing, &decls)?);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_SIGNATURES {
            entries.remove(0);
        }
        entries.push((decls, Arc::clone(&typed)));
        Ok(typed)
    }
}

/// Maps each program input to the caller's input of the same name.
fn arg_indices(program: &Program, decls: &[InputDecl]) -> Result<Vec<usize>> {
    program
        .inputs
        .iter()
        .map(|inp| {
            decls
                .iter()
                .position(|d| d.name == inp.name)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Internal,
                        format!(
                            "the program uses input `{}`, which the caller did not give",
                            inp.name
                        ),
                    )
                })
        })
        .collect()
}

fn type_program(
    ast: &ast::Program,
    source: &Arc<str>,
    outputs: Option<&[&str]>,
    typing: Typing,
    decls: &[InputDecl],
) -> Result<Typed> {
    let plan = ir::lower::lower_program(ast, decls, outputs, typing)?;
    // Stage results join the caller's inputs, so every program maps its inputs by name.
    let mut all = decls.to_vec();
    all.extend(plan.stages.iter().enumerate().map(|(k, s)| InputDecl {
        name: stage_name(k),
        dtype: s.dtype,
    }));
    let mut stages = Vec::with_capacity(plan.stages.len());
    for (k, s) in plan.stages.into_iter().enumerate() {
        stages.push(TypedStage {
            typed: type_one(s.program, &all)?,
            source: format!("{source}\u{0}stage {k}").into(),
            name: stage_name(k),
            op: s.op,
            axis: s.axis,
            span: s.span,
        });
    }
    let mut typed = type_one(plan.outputs, &all)?;
    typed.stages = stages;
    typed.output_names = plan.output_names;
    Ok(typed)
}

/// Optimises one elementwise program and maps its inputs to the caller's.
fn type_one(lowered: Program, decls: &[InputDecl]) -> Result<Typed> {
    let program = ir::optimize(&lowered, &OptOptions::default());
    let out_dtypes = program
        .outputs
        .iter()
        .map(|&o| program.insts.get(o as usize).map(|i| i.dtype))
        .collect::<Option<Vec<DType>>>()
        .filter(|d| !d.is_empty())
        .ok_or_else(|| Error::new(ErrorKind::Internal, "an output is not an instruction"))?;
    Ok(Typed {
        lowered_args: arg_indices(&lowered, decls)?,
        program_args: arg_indices(&program, decls)?,
        decls: program.inputs.clone().into(),
        parallel_from: work::parallel_threshold(&program),
        chunk: work::chunk_len(&program),
        lowered,
        program,
        out_dtype: out_dtypes[0],
        out_dtypes,
        stages: Vec::new(),
        output_names: vec![None],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_rejected() {
        assert!(check_unique(["a", "b", "c"].into_iter()).is_ok());
        let e = check_unique(["a", "b", "a"].into_iter()).unwrap_err();
        assert!(e.message.contains("`a`"), "{}", e.message);
        let many: Vec<String> = (0..40)
            .map(|i| format!("x{i}"))
            .chain(["x7".to_string()])
            .collect();
        let e = check_unique(many.iter().map(String::as_str)).unwrap_err();
        assert!(e.message.contains("`x7`"), "{}", e.message);
        assert!(check_unique(many[..40].iter().map(String::as_str)).is_ok());
    }
}
