//! Lowering of whole programs: temporaries (`t = a*b; …`), reductions as stages, and the
//! named outputs. See [`crate::ir::plan`] for the result's shape.

use super::{type_err, Lowerer, Val};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::ir::plan::{stage_name, Plan, Stage};
use crate::ir::{InputDecl, Op, Program, ReduceOp};
use crate::syntax::ast::{self, Expr, ExprKind, Keyword, Statement, UnaryOp};
use crate::types::{DType, Typing};
use std::cell::RefCell;

/// What every program's lowerer shares: the statements and the stages found so far.
pub(super) struct Shared<'a> {
    statements: &'a [Statement],
    pub(super) stages: RefCell<Vec<Stage>>,
    /// The typing rules every statement is checked with.
    pub(super) typing: Typing,
}

impl<'a> Shared<'a> {
    pub(super) fn new(statements: &'a [Statement], typing: Typing) -> Self {
        Shared {
            statements,
            stages: RefCell::new(Vec::new()),
            typing,
        }
    }

    /// The names assigned by statements `..limit`.
    pub(super) fn visible_targets(&self, limit: usize) -> impl Iterator<Item = &'a str> {
        self.statements[..limit.min(self.statements.len())]
            .iter()
            .filter_map(|s| s.target.as_ref().map(|t| t.0.as_str()))
    }
}

/// Type-checks and lowers a whole program against the available `inputs`.
///
/// With `outputs = None` the result is the last statement's value; otherwise each name must
/// be assigned by some statement (or be an input), and the outputs come in that order.
/// Every statement is type-checked, used or not, with the `typing` rules.
pub fn lower_program(
    ast: &ast::Program,
    inputs: &[InputDecl],
    outputs: Option<&[&str]>,
    typing: Typing,
) -> Result<Plan> {
    let statements = ast.statements.as_slice();
    let Some(last) = statements.last() else {
        return Err(Error::new(ErrorKind::Syntax, "empty program"));
    };
    let shared = Shared::new(statements, typing);
    {
        // Type-check every statement, in order. The program built here is dropped: the
        // outputs' program below reads only what the outputs need, so that an unused
        // statement's inputs do not widen the result's shape.
        let mut check = Lowerer::new(inputs, &shared, 0);
        for (i, s) in statements.iter().enumerate() {
            check.limit = i;
            let v = check.expr(&s.value)?;
            check.memo.insert(i, v);
        }
    }
    let mut l = Lowerer::new(inputs, &shared, statements.len());
    let mut ids = Vec::new();
    let mut names = Vec::new();
    match outputs {
        None => {
            l.limit = statements.len() - 1;
            let v = l.expr(&last.value)?;
            l.limit = statements.len();
            ids.push(l.output(v)?);
            names.push(last.target.as_ref().map(|t| t.0.clone()));
        }
        Some(wanted) => {
            if wanted.is_empty() {
                return Err(Error::new(ErrorKind::Output, "no outputs requested"));
            }
            for &name in wanted {
                let v = output_value(&mut l, name)?;
                ids.push(l.output(v)?);
                names.push(Some(name.to_string()));
            }
        }
    }
    let program = Program {
        inputs: std::mem::take(&mut l.inputs),
        insts: std::mem::take(&mut l.insts),
        outputs: ids,
    };
    drop(l);
    Ok(Plan {
        stages: shared.stages.into_inner(),
        outputs: program,
        output_names: names,
    }
    .pruned())
}

/// The value of output `name`: a temporary, else an input.
fn output_value(l: &mut Lowerer, name: &str) -> Result<Val> {
    let assigned = l
        .shared
        .statements
        .iter()
        .any(|s| s.target.as_ref().is_some_and(|t| t.0 == name));
    if assigned || l.avail.iter().any(|d| d.name == name) {
        return l.name(name, Span::default());
    }
    let targets = l
        .shared
        .statements
        .iter()
        .filter_map(|s| s.target.as_ref().map(|t| t.0.as_str()));
    let mut e = Error::new(
        ErrorKind::Output,
        format!("output `{name}` is not assigned by the program"),
    );
    if let Some(s) = super::did_you_mean(name, targets) {
        e = e.with_help(format!("did you mean `{s}`?"));
    }
    Err(e)
}

/// The names an expression reads in its own program (each occurrence; function names
/// excluded). A reduction's argument is lowered as a separate program, which resolves its
/// own names, so it is not descended into.
fn names_in<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    match &e.kind {
        ExprKind::Call { func, .. } if ReduceOp::from_name(func).is_some() => {}
        ExprKind::Name(n) => out.push(n),
        ExprKind::Unary(_, a) => names_in(a, out),
        ExprKind::Binary(_, a, b) => {
            names_in(a, out);
            names_in(b, out);
        }
        ExprKind::Call { args, kwargs, .. } => {
            for a in args.iter().chain(kwargs.iter().map(|k| &k.value)) {
                names_in(a, out);
            }
        }
        _ => {}
    }
}

/// The last statement before `limit` that assigns `name`.
fn definition(statements: &[Statement], limit: usize, name: &str) -> Option<usize> {
    statements[..limit.min(statements.len())]
        .iter()
        .rposition(|s| s.target.as_ref().is_some_and(|t| t.0 == name))
}

impl Lowerer<'_> {
    /// The value of temporary `n` as seen from the current statement, or `None` if no
    /// earlier statement assigns it. The statements it depends on are lowered first, in
    /// order, so lowering never recurses through chains of temporaries.
    pub(super) fn temporary(&mut self, n: &str, span: Span) -> Result<Option<Val>> {
        let statements = self.shared.statements;
        let Some(j) = definition(statements, self.limit, n) else {
            return Ok(None);
        };
        if !self.memo.contains_key(&j) {
            // Every statement `j` depends on, transitively (each has a smaller index).
            let mut needed = vec![false; j + 1];
            needed[j] = true;
            for i in (0..=j).rev() {
                if !needed[i] || self.memo.contains_key(&i) {
                    continue;
                }
                let mut names = Vec::new();
                names_in(&statements[i].value, &mut names);
                for name in names {
                    if let Some(d) = definition(statements, i, name) {
                        needed[d] = true;
                    }
                }
            }
            let saved = self.limit;
            for i in 0..=j {
                if !needed[i] || self.memo.contains_key(&i) {
                    continue;
                }
                self.limit = i;
                let v = self.expr(&statements[i].value);
                match v {
                    Ok(v) => {
                        self.memo.insert(i, v);
                    }
                    Err(e) => {
                        self.limit = saved;
                        return Err(e);
                    }
                }
            }
            self.limit = saved;
        }
        Ok(Some(Val {
            span,
            ..self.memo[&j]
        }))
    }

    /// `op(arg, axis=k)`: lowers `arg` as its own program, records (or reuses) the stage,
    /// and reads the stage's result as an input.
    pub(super) fn reduction(
        &mut self,
        op: ReduceOp,
        func_span: Span,
        args: &[Expr],
        kwargs: &[Keyword],
        span: Span,
    ) -> Result<Val> {
        let name = op.name();
        let mut axis_expr = args.get(1);
        for k in kwargs {
            if k.name != "axis" || axis_expr.is_some() {
                let msg = if k.name == "axis" {
                    format!("`{name}` got `axis` twice")
                } else {
                    format!("`{name}` has no keyword argument `{}`", k.name)
                };
                return Err(Error::at(ErrorKind::Arity, k.name_span, msg)
                    .with_help(format!("`{name}(x)` or `{name}(x, axis=k)`")));
            }
            axis_expr = Some(&k.value);
        }
        if args.is_empty() || args.len() > 2 {
            return Err(Error::at(
                ErrorKind::Arity,
                span,
                format!(
                    "`{name}` takes 1 argument and an optional axis, got {}",
                    args.len()
                ),
            )
            .with_help(format!("`{name}(x)` or `{name}(x, axis=k)`")));
        }
        // `axis=None` is NumPy's and numexpr's spelling of "all axes".
        let axis_expr = axis_expr.filter(|e| !matches!(e.kind, ExprKind::None));
        let axis = axis_expr.map(axis_value).transpose()?;
        if let (Some(a), Some(e)) = (axis, axis_expr) {
            if a < 0 && self.numexpr() {
                return Err(Error::at(
                    ErrorKind::Value,
                    e.span,
                    "negative axes are not supported under numexpr's rules",
                )
                .with_help("count the axis from the front, e.g. `axis=0`"));
            }
        }
        let mut child = Lowerer::new(self.avail, self.shared, self.limit);
        let v = child.expr(&args[0])?;
        if v.dtype.is_string() {
            return Err(type_err(
                args[0].span,
                format!("`{name}` is not supported for strings"),
            ));
        }
        let dtype = op.result_dtype(v.dtype).ok_or_else(|| {
            type_err(
                func_span,
                format!("`{name}` is not supported for {}", v.dtype),
            )
            .with_help("complex numbers have no order; reduce `real(z)` or `abs(z)`")
        })?;
        let result = child.materialize(v, v.dtype)?;
        let program = Program {
            inputs: std::mem::take(&mut child.inputs),
            insts: std::mem::take(&mut child.insts),
            outputs: vec![result],
        };
        let stage = Stage {
            program,
            op,
            axis,
            dtype,
            span,
        };
        let k = {
            let mut stages = self.shared.stages.borrow_mut();
            // The same reduction written twice (`a - mean(a)` … `mean(a)`) runs once.
            match stages.iter().position(|s| {
                s.program == stage.program && s.op == stage.op && s.axis == stage.axis
            }) {
                Some(k) => k,
                None => {
                    stages.push(stage);
                    stages.len() - 1
                }
            }
        };
        let r = self.stage_input(k, dtype, span)?;
        if self.numexpr() && v.dtype.is_int() && matches!(op, ReduceOp::Sum | ReduceOp::Prod) {
            // numexpr sums and multiplies integers in their own kind; wrapping int64 then
            // narrowing gives the same bits as wrapping in int32 all along.
            let id = self.materialize(r, v.dtype)?;
            return Ok(self.strong(id, span));
        }
        Ok(r)
    }

    /// Stage `k`'s result as a (strong) input of this program.
    fn stage_input(&mut self, k: usize, dtype: DType, span: Span) -> Result<Val> {
        let name = stage_name(k);
        if let Some(i) = self.inputs.iter().position(|d| d.name == name) {
            return Ok(self.strong(self.input_ids[i], span));
        }
        if self.inputs.len() >= super::MAX_INPUTS {
            return Err(Error::at(
                ErrorKind::Limit,
                span,
                format!(
                    "expression uses more than {} inputs and reductions",
                    super::MAX_INPUTS
                ),
            ));
        }
        let id = self.emit(Op::Input(self.inputs.len()), dtype, span)?;
        self.inputs.push(InputDecl { name, dtype });
        self.input_ids.push(id);
        Ok(self.strong(id, span))
    }
}

/// The axis argument: an integer literal, possibly negated, or `None`.
fn axis_value(e: &Expr) -> Result<i64> {
    let bad = || {
        Error::at(ErrorKind::Type, e.span, "`axis` must be an integer literal")
            .with_help("write e.g. `axis=0` or `axis=-1`")
    };
    let (neg, inner) = match &e.kind {
        ExprKind::Unary(UnaryOp::Neg, a) => (true, a.as_ref()),
        _ => (false, e),
    };
    let ExprKind::Int(v) = inner.kind else {
        return Err(bad());
    };
    let v = i64::try_from(v).map_err(|_| bad())?;
    Ok(if neg { -v } else { v })
}
