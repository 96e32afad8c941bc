//! Type checking and lowering: AST → typed [`Program`].
//!
//! Follows NumPy 2 (NEP 50): inputs are *strong*, literals *weak*. A weak value meeting a
//! strong one takes the strong dtype when its kind (`bool < int < float`) allows, and its
//! default dtype (`int64`, `float64`) otherwise. Literal-only subexpressions stay weak and are
//! computed at their default dtype, then cast. Function results are strong, as NumPy's
//! scalars are. Every conversion becomes an explicit [`Op::Cast`].

mod complex;
mod funcs;
mod nep50;
mod numexpr;
mod program;
mod strings;

use super::{BinaryOp as IrBin, InputDecl, Inst, Op, Program, UnaryOp as IrUn, ValueId};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::syntax::MAX_DEPTH;
use crate::types::{DType, Kind, Scalar, Typing};
use funcs::{did_you_mean, lookup, Func};
pub(crate) use nep50::float_of;
pub use program::lower_program;
use program::Shared;
use std::collections::HashMap;

/// Most distinct inputs one expression may use.
pub const MAX_INPUTS: usize = 64;

/// Most IR instructions one expression may lower to.
pub const MAX_INSTS: usize = 20_000;

/// Type-checks the single expression `ast` against the available `inputs` and lowers it.
/// The program's inputs are the ones the expression uses, in order of first use.
/// Reductions need stages: use [`lower_program`] for them.
pub fn lower(ast: &Expr, inputs: &[InputDecl]) -> Result<Program> {
    let shared = Shared::new(&[], Typing::NumPy);
    let mut l = Lowerer::new(inputs, &shared, 0);
    let v = l.expr(ast)?;
    if !shared.stages.borrow().is_empty() {
        return Err(Error::at(
            ErrorKind::Unsupported,
            ast.span,
            "reductions need the multi-stage lowering (`lower_program`)",
        ));
    }
    let result = l.output(v)?;
    Ok(Program {
        inputs: l.inputs,
        insts: l.insts,
        outputs: vec![result],
    })
}

/// A literal's value before it meets a dtype.
#[derive(Clone, Copy, Debug)]
enum Lit {
    Int(i128),
    Float(f64),
    Bool(bool),
    /// A complex literal's parts (`2j` is `0+2j`).
    Complex(f64, f64),
}

/// Where a value lives: an instruction, or a literal not yet emitted (so that it can be
/// emitted directly in the dtype it meets, and range-checked against it).
#[derive(Clone, Copy, Debug)]
enum Repr {
    Inst(ValueId),
    Lit(Lit),
    /// A string, `strs[index]`: only string comparisons and `contains` accept it.
    Str(usize),
}

/// A lowered subexpression.
#[derive(Clone, Copy, Debug)]
struct Val {
    repr: Repr,
    /// The dtype; for weak values, the default dtype they are computed in.
    dtype: DType,
    weak: bool,
    span: Span,
}

struct Lowerer<'a> {
    avail: &'a [InputDecl],
    inputs: Vec<InputDecl>,
    /// The `Input` instruction of each used input, parallel to `inputs` (unused for string
    /// inputs, which have none).
    input_ids: Vec<ValueId>,
    insts: Vec<Inst>,
    /// The string values met so far (see [`Repr::Str`]).
    strs: Vec<strings::StrVal>,
    depth: usize,
    /// The program's statements and the reduction stages found so far.
    shared: &'a Shared<'a>,
    /// Statements `..limit` are visible to name lookup.
    limit: usize,
    /// Statement index → its lowered value in this program.
    memo: HashMap<usize, Val>,
}

fn type_err(span: Span, msg: impl Into<String>) -> Error {
    Error::at(ErrorKind::Type, span, msg)
}

impl<'a> Lowerer<'a> {
    fn new(avail: &'a [InputDecl], shared: &'a Shared<'a>, limit: usize) -> Self {
        Lowerer {
            avail,
            inputs: Vec::new(),
            input_ids: Vec::new(),
            insts: Vec::new(),
            strs: Vec::new(),
            depth: 0,
            shared,
            limit,
            memo: HashMap::new(),
        }
    }

    fn emit(&mut self, op: Op, dtype: DType, span: Span) -> Result<ValueId> {
        if self.insts.len() >= MAX_INSTS {
            return Err(Error::at(
                ErrorKind::Limit,
                span,
                format!("expression needs more than {MAX_INSTS} instructions"),
            ));
        }
        self.insts.push(Inst { op, dtype });
        Ok((self.insts.len() - 1) as ValueId)
    }

    fn strong(&self, id: ValueId, span: Span) -> Val {
        Val {
            repr: Repr::Inst(id),
            dtype: self.insts[id as usize].dtype,
            weak: false,
            span,
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<Val> {
        // The parser bounds depth, but an AST can also be built by hand.
        self.depth += 1;
        if self.depth > MAX_DEPTH + 8 {
            return Err(Error::at(
                ErrorKind::Limit,
                e.span,
                format!("expression nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let r = self.expr_inner(e);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, e: &Expr) -> Result<Val> {
        let lit = |l: Lit, dtype| Val {
            repr: Repr::Lit(l),
            dtype,
            weak: true,
            span: e.span,
        };
        match &e.kind {
            ExprKind::Int(v) => Ok(lit(Lit::Int(*v as i128), DType::I64)),
            ExprKind::Float(v) => Ok(lit(Lit::Float(*v), DType::F64)),
            ExprKind::Bool(v) => Ok(lit(Lit::Bool(*v), DType::Bool)),
            ExprKind::Imag(v) => Ok(lit(Lit::Complex(0.0, *v), DType::C128)),
            ExprKind::Str(s) => Ok(self.text_literal(s, e.span)),
            ExprKind::Bytes(b) => Ok(self.bytes_literal(b, e.span)),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::None => Err(Error::at(
                ErrorKind::Type,
                e.span,
                "`None` is only allowed as a reduction's axis",
            )
            .with_help("`sum(x, axis=None)` reduces over all axes")),
            ExprKind::Unary(op, a) => {
                let a = self.expr(a)?;
                self.unary(*op, a, e.span)
            }
            ExprKind::Binary(op, a, b) => {
                let a = self.expr(a)?;
                let b = self.expr(b)?;
                // The operator sits between the operands.
                let op_span = Span::new(a.span.end, b.span.start);
                let v = self.binary(*op, a, b, op_span)?;
                Ok(Val { span: e.span, ..v })
            }
            ExprKind::Call {
                func,
                func_span,
                args,
                kwargs,
            } => {
                if let Some(op) = super::ReduceOp::from_name(func) {
                    return self.reduction(op, *func_span, args, kwargs, e.span);
                }
                if let Some(k) = kwargs.first() {
                    return Err(Error::at(
                        ErrorKind::Syntax,
                        k.name_span,
                        format!("`{func}` takes no keyword arguments"),
                    ));
                }
                self.call(func, *func_span, args, e.span)
            }
        }
    }

    fn name(&mut self, n: &str, span: Span) -> Result<Val> {
        if let Some(v) = self.temporary(n, span)? {
            return Ok(v);
        }
        if let Some(k) = self.inputs.iter().position(|i| i.name == n) {
            if self.inputs[k].dtype.is_string() {
                return Ok(self.str_input(k, span));
            }
            return self.numexpr_input(self.strong(self.input_ids[k], span));
        }
        let Some(decl) = self.avail.iter().find(|i| i.name == n) else {
            let mut e = Error::at(ErrorKind::UnknownName, span, format!("unknown name `{n}`"));
            if lookup(n).is_some() {
                e = e.with_help(format!("`{n}` is a function: call it, e.g. `{n}(x)`"));
            } else if let Some(s) = did_you_mean(
                n,
                self.avail
                    .iter()
                    .map(|i| i.name.as_str())
                    .chain(self.shared.visible_targets(self.limit)),
            ) {
                e = e.with_help(format!("did you mean `{s}`?"));
            }
            return Err(e);
        };
        if self.inputs.len() >= MAX_INPUTS {
            return Err(Error::at(
                ErrorKind::Limit,
                span,
                format!("expression uses more than {MAX_INPUTS} inputs"),
            ));
        }
        if decl.dtype.is_string() {
            // Strings are read by the string ops themselves, never loaded as values.
            self.inputs.push(decl.clone());
            self.input_ids.push(ValueId::MAX);
            return Ok(self.str_input(self.inputs.len() - 1, span));
        }
        let id = self.emit(Op::Input(self.inputs.len()), decl.dtype, span)?;
        self.inputs.push(decl.clone());
        self.input_ids.push(id);
        self.numexpr_input(self.strong(id, span))
    }

    fn unary(&mut self, op: UnaryOp, a: Val, span: Span) -> Result<Val> {
        let op_span = Span::new(span.start, span.start + 1);
        if Self::is_str(&a) {
            return Err(self.string_misuse(&a, &format!("unary `{}`", op.symbol())));
        }
        let ir = match op {
            // Python's `+x` is `x`.
            UnaryOp::Pos => return Ok(Val { span, ..a }),
            UnaryOp::Neg => {
                match a.repr {
                    // `-literal` is a literal, so `int8_arr + -128` range-checks -128.
                    Repr::Lit(Lit::Int(i)) => {
                        return Ok(Val {
                            repr: Repr::Lit(Lit::Int(-i)),
                            span,
                            ..a
                        })
                    }
                    Repr::Lit(Lit::Float(f)) => {
                        return Ok(Val {
                            repr: Repr::Lit(Lit::Float(-f)),
                            span,
                            ..a
                        })
                    }
                    _ => {}
                }
                if let Some(v) = Self::neg_complex_lit(a, span) {
                    return Ok(v);
                }
                if a.dtype == DType::Bool {
                    let e = Error::at(self.no_op_kind(), op_span, "`-` is not supported for bool");
                    return Err(e.with_help("use `~` for logical not"));
                }
                IrUn::Neg
            }
            UnaryOp::Invert => {
                if a.dtype.is_float() || a.dtype.is_complex() {
                    return Err(
                        type_err(op_span, format!("`~` is not supported for {}", a.dtype))
                            .with_help("bitwise operators need integer or bool operands"),
                    );
                }
                IrUn::Not
            }
        };
        let x = self.materialize(a, a.dtype)?;
        let id = self.emit(Op::Unary(ir, x), a.dtype, span)?;
        Ok(Val {
            repr: Repr::Inst(id),
            dtype: a.dtype,
            weak: a.weak,
            span,
        })
    }

    fn binary(&mut self, op: BinaryOp, a: Val, b: Val, op_span: Span) -> Result<Val> {
        if Self::is_str(&a) || Self::is_str(&b) {
            return self.str_binary(op, a, b);
        }
        let span = a.span.cover(b.span);
        let weak = a.weak && b.weak;
        if op.is_comparison() {
            if let Some(v) = self.out_of_range_cmp(op, a, b, span)? {
                return Ok(v);
            }
        }
        if let Some(v) = self.numexpr_fold(op, &a, &b) {
            return Ok(v);
        }
        if op == BinaryOp::Pow && self.numexpr() {
            if let Some(v) = self.numexpr_pow(a, b, span)? {
                return Ok(v);
            }
        }
        let mut t = self.common(&a, &b);
        // The integer dtype bool operands of `//`, `%`, `**` and shifts compute in: NumPy's
        // int8 (int64 for literals), numexpr's int32.
        let bool_as_int = if self.numexpr() {
            DType::I32
        } else if weak {
            DType::I64
        } else {
            DType::I8
        };
        if t.is_complex() {
            return self.complex_binary(op, a, b, t, op_span);
        }
        let sym = op.symbol();
        let ir = match op {
            BinaryOp::Add if t == DType::Bool => IrBin::Or,
            BinaryOp::Mul if t == DType::Bool => IrBin::And,
            BinaryOp::Add => IrBin::Add,
            BinaryOp::Mul => IrBin::Mul,
            BinaryOp::Sub => {
                if t == DType::Bool {
                    let e = Error::at(
                        self.no_op_kind(),
                        op_span,
                        "`-` is not supported for bool operands",
                    );
                    return Err(e.with_help("use `^` for logical xor"));
                }
                IrBin::Sub
            }
            BinaryOp::Div => {
                if !t.is_float() {
                    t = DType::F64;
                }
                IrBin::Div
            }
            BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow => {
                if t == DType::Bool {
                    t = bool_as_int;
                }
                if op == BinaryOp::Pow && t.is_int() {
                    if let Repr::Lit(Lit::Int(i)) = b.repr {
                        if i < 0 {
                            // NumPy's ValueError: the dtypes are fine, the value is not.
                            return Err(Error::at(
                                ErrorKind::Value,
                                b.span,
                                "integers to negative integer powers are not allowed",
                            )
                            .with_help(
                                "make the base a float, e.g. `float64(a)**-1` or `a**-1.0`",
                            ));
                        }
                    }
                }
                match op {
                    BinaryOp::FloorDiv => IrBin::FloorDiv,
                    BinaryOp::Mod => IrBin::Mod,
                    _ => IrBin::Pow,
                }
            }
            BinaryOp::Shl
            | BinaryOp::Shr
            | BinaryOp::BitAnd
            | BinaryOp::BitOr
            | BinaryOp::BitXor => {
                if t.is_float() {
                    return Err(
                        type_err(op_span, format!("`{sym}` is not supported for {t}"))
                            .with_help("bitwise operators need integer or bool operands"),
                    );
                }
                let shift = matches!(op, BinaryOp::Shl | BinaryOp::Shr);
                if shift && t == DType::Bool {
                    t = bool_as_int;
                }
                match op {
                    BinaryOp::Shl => IrBin::Shl,
                    BinaryOp::Shr => IrBin::Shr,
                    BinaryOp::BitAnd => IrBin::And,
                    BinaryOp::BitOr => IrBin::Or,
                    _ => IrBin::Xor,
                }
            }
            BinaryOp::Lt => IrBin::Lt,
            BinaryOp::Le => IrBin::Le,
            BinaryOp::Eq => IrBin::Eq,
            BinaryOp::Ne => IrBin::Ne,
            BinaryOp::Ge => IrBin::Ge,
            BinaryOp::Gt => IrBin::Gt,
        };
        let x = self.materialize(a, t)?;
        let y = self.materialize(b, t)?;
        let rt = if ir.is_comparison() { DType::Bool } else { t };
        let id = self.emit(Op::Binary(ir, x, y), rt, span)?;
        Ok(Val {
            repr: Repr::Inst(id),
            dtype: rt,
            weak,
            span,
        })
    }

    fn call(&mut self, name: &str, func_span: Span, args: &[Expr], span: Span) -> Result<Val> {
        let Some(f) = lookup(name) else {
            let mut e = Error::at(
                ErrorKind::UnknownFunction,
                func_span,
                format!("unknown function `{name}`"),
            );
            if let Some(s) = did_you_mean(name, funcs::NAMES.iter().copied()) {
                e = e.with_help(format!("did you mean `{s}`?"));
            }
            return Err(e);
        };
        let arity = f.arity();
        if args.len() != arity {
            let plural = if arity == 1 { "" } else { "s" };
            return Err(Error::at(
                ErrorKind::Arity,
                span,
                format!(
                    "`{name}` takes {arity} argument{plural}, got {}",
                    args.len()
                ),
            ));
        }
        if let Func::Contains = f {
            return self.contains(args, span);
        }
        if let Func::Copy = f {
            return self.copy(&args[0], span);
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            let v = self.expr(a)?;
            if Self::is_str(&v) && matches!(f, Func::Where) {
                return Err(Self::string_where(&v));
            }
            if Self::is_str(&v) {
                return Err(self.string_misuse(&v, &format!("`{name}`")));
            }
            vals.push(v);
        }
        if self.numexpr() {
            self.numexpr_func_args(f, &mut vals)?;
        }
        let id = match f {
            Func::Cast(t) => {
                let x = self.materialize(vals[0], vals[0].dtype)?;
                self.emit(Op::Cast(x), t, span)?
            }
            Func::Unary(op) => {
                let id = self.call_unary(op, vals[0], span)?;
                self.numexpr_unary_result(op, vals[0], id, span)?
            }
            Func::Binary(op) => self.call_binary(op, vals[0], vals[1], span)?,
            Func::Where => {
                let c = self.materialize(vals[0], DType::Bool)?;
                let t = self.common(&vals[1], &vals[2]);
                let x = self.materialize(vals[1], t)?;
                let y = self.materialize(vals[2], t)?;
                self.emit(Op::Select(c, x, y), t, span)?
            }
            Func::OnesLike => {
                // The argument stays lowered, unused: its inputs give the result its shape.
                let d = vals[0].dtype;
                self.emit(Op::Const(Scalar::Bool(true).cast(d)), d, span)?
            }
            Func::Contains | Func::Copy => unreachable!("handled above"),
        };
        Ok(self.strong(id, span))
    }

    /// `copy(x)`: `x` as a strong value of its own dtype (a function result, as NumPy's
    /// `copy` of a Python scalar is an array). A string stays a string, so `copy(s)` can
    /// still be compared, searched or returned (as a copy, like `s` itself).
    fn copy(&mut self, arg: &Expr, span: Span) -> Result<Val> {
        let v = self.expr(arg)?;
        if Self::is_str(&v) {
            return Ok(Val { span, ..v });
        }
        let id = self.materialize(v, v.dtype)?;
        Ok(self.strong(id, span))
    }

    fn call_unary(&mut self, op: IrUn, a: Val, span: Span) -> Result<ValueId> {
        use IrUn::*;
        if let Some(id) = self.complex_unary(op, a, span)? {
            return Ok(id);
        }
        let d = a.dtype;
        let exact = d.kind() != Kind::Float;
        let (op, t) = match op {
            // Exact on integers and bool: NumPy 2 returns the input's dtype unchanged.
            Ceil | Floor | Trunc if exact => return self.materialize(a, d),
            Round if d.is_int() => return self.materialize(a, d),
            Abs if d == DType::Bool => return self.materialize(a, d),
            Sign if d == DType::Bool => {
                return Err(type_err(span, "`sign` is not supported for bool"))
            }
            Abs | Sign | Neg | Not => (op, d),
            IsNan | IsInf if exact => {
                return self.emit(Op::Const(Scalar::Bool(false)), DType::Bool, span)
            }
            IsFinite if exact => {
                return self.emit(Op::Const(Scalar::Bool(true)), DType::Bool, span)
            }
            SignBit if !d.is_signed_int() && exact => {
                return self.emit(Op::Const(Scalar::Bool(false)), DType::Bool, span)
            }
            IsNan | IsInf | IsFinite | SignBit => (op, d),
            _ => (op, float_of(d)),
        };
        let x = self.materialize(a, t)?;
        let rt = if op.is_predicate() { DType::Bool } else { t };
        self.emit(Op::Unary(op, x), rt, span)
    }

    fn call_binary(&mut self, op: IrBin, a: Val, b: Val, span: Span) -> Result<ValueId> {
        let mut t = self.common(&a, &b);
        if let Some(id) = self.complex_call_binary(op, a, b, t, span)? {
            return Ok(id);
        }
        let op = match op {
            IrBin::Max if t == DType::Bool => IrBin::Or,
            IrBin::Min if t == DType::Bool => IrBin::And,
            IrBin::Max | IrBin::Min => op,
            IrBin::Fmod => {
                if t == DType::Bool {
                    t = DType::I8;
                }
                op
            }
            _ => {
                t = float_of(t);
                op
            }
        };
        let x = self.materialize(a, t)?;
        let y = self.materialize(b, t)?;
        self.emit(Op::Binary(op, x, y), t, span)
    }
}

#[cfg(test)]
mod tests;
