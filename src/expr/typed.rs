//! The per-`Expr` cache of typing results, one per input signature (names and dtypes):
//! lowering and optimising build the runtime's [`Typed`].

use super::ast_fmt::name_span;
use crate::error::{Error, ErrorKind, Result};
use crate::ir::plan::{stage_index, stage_name};
use crate::ir::{self, InputDecl, OptOptions, Program};
use crate::runtime::typed::{Blame, Typed, TypedStage};
use crate::runtime::work;
use crate::syntax::ast;
use crate::types::{DType, Typing};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Signatures remembered per expression; a program called with ever-new signatures (say,
/// generated input names) must not grow without bound.
const MAX_SIGNATURES: usize = 64;

/// Each stage's program, then the outputs' program: lowered, or as optimised
/// (`jitex explain`).
pub(crate) fn listing(typed: &Typed, optimized: bool) -> String {
    let pick = |t: &Typed| {
        if optimized {
            t.program.to_string()
        } else {
            t.lowered.to_string()
        }
    };
    let mut out = String::new();
    for s in &typed.stages {
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
    out.push_str(&pick(typed));
    out
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
    key: &Arc<str>,
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
    let spans: Vec<_> = plan.stages.iter().map(|s| s.span).collect();
    let blame = |lowered: &Program| -> Vec<Blame> {
        lowered
            .inputs
            .iter()
            .map(|inp| blame_of(ast, key, &spans, &inp.name))
            .collect()
    };
    let mut stages = Vec::with_capacity(plan.stages.len());
    for (k, s) in plan.stages.into_iter().enumerate() {
        let stage_key: Arc<str> = format!("{key}\u{0}stage {k}").into();
        let b = blame(&s.program);
        stages.push(TypedStage {
            typed: type_one(s.program, &all, stage_key, b)?,
            name: stage_name(k),
            op: s.op,
            axis: s.axis,
            span: s.span,
            prepared: Default::default(),
        });
    }
    let b = blame(&plan.outputs);
    let mut typed = type_one(plan.outputs, &all, Arc::clone(key), b)?;
    typed.stages = stages;
    typed.output_names = plan.output_names;
    Ok(typed)
}

/// How a shape error names program input `name`: a stage result by its call as written
/// (the key starts with the source), any other input by its name at its first use.
fn blame_of(ast: &ast::Program, key: &str, stage_spans: &[crate::Span], name: &str) -> Blame {
    match stage_index(name).and_then(|k| stage_spans.get(k)) {
        Some(&span) => Blame {
            what: key.get(span.start..span.end).unwrap_or(name).to_string(),
            span: Some(span),
        },
        None => Blame {
            what: name.to_string(),
            span: ast
                .statements
                .iter()
                .find_map(|s| name_span(&s.value, name)),
        },
    }
}

/// Optimises one elementwise program and maps its inputs to the caller's.
fn type_one(
    lowered: Program,
    decls: &[InputDecl],
    key: Arc<str>,
    blame: Vec<Blame>,
) -> Result<Typed> {
    let program = ir::optimize(&lowered, &OptOptions::default());
    let out_dtypes = program
        .outputs
        .iter()
        .map(|&o| program.insts.get(o as usize).map(|i| i.dtype))
        .collect::<Option<Vec<DType>>>()
        .filter(|d| !d.is_empty())
        .ok_or_else(|| Error::new(ErrorKind::Internal, "an output is not an instruction"))?;
    Ok(Typed {
        key,
        lowered_args: arg_indices(&lowered, decls)?,
        program_args: arg_indices(&program, decls)?,
        decls: program.inputs.clone().into(),
        parallel_from: work::parallel_threshold(&program),
        chunk: work::chunk_len(&program),
        blame,
        lowered,
        program: Arc::new(program),
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
