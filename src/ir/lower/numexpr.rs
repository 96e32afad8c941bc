//! numexpr's typing rules ([`Typing::Numexpr`]), for code written against numexpr.
//!
//! numexpr reads each input as one of six kinds (`bool`, `int32`, `int64`, `float32`,
//! `float64`, `complex128`), makes literals strong (an integer is `int32` when it fits,
//! else `int64`; a float `float64`), promotes two kinds to the higher, computes integer
//! arguments of most functions in `float64` and clamps the others between a per-function
//! lowest and highest kind. With its default `optimization='aggressive'`, `x**k` for a
//! half-integral literal `k` is a multiply chain in `x`'s own kind. The rules here were
//! read off numexpr 2.14.2's results, and `python/tests/test_numexpr_typing.py` checks
//! them against it.

use super::{Func, Lit, Lowerer, Repr, Val};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::ir::{BinaryOp as IrBin, Op, UnaryOp as IrUn, ValueId};
use crate::syntax::ast::BinaryOp;
use crate::types::{numexpr_dtype, numexpr_rank, promote_numexpr, DType, Scalar, Typing};

/// The lowest and highest kind a function computes in (numexpr's `minkind`/`maxkind`), and
/// whether it keeps integer arguments as integers.
struct FuncKinds {
    min: Option<DType>,
    max: Option<DType>,
    keeps_int: bool,
}

const fn kinds(min: Option<DType>, max: Option<DType>, keeps_int: bool) -> FuncKinds {
    FuncKinds {
        min,
        max,
        keeps_int,
    }
}

/// numexpr's function table (its `expressions.functions`), by jitex operation.
fn unary_kinds(op: IrUn) -> FuncKinds {
    use DType::{C128, F32, F64};
    use IrUn::*;
    match op {
        Ceil | Floor => kinds(Some(F32), Some(F64), false),
        Round | Sign => kinds(Some(F64), None, true),
        Trunc | IsNan | IsFinite | IsInf | SignBit => kinds(Some(F64), None, false),
        Real | Imag => kinds(Some(F64), Some(F64), false),
        Conj => kinds(Some(C128), None, false),
        // `abs`, `sqrt` and the transcendentals; `-` and `~` are operators, not functions.
        _ => kinds(Some(F32), None, false),
    }
}

fn binary_kinds(op: IrBin) -> FuncKinds {
    use DType::{F32, F64};
    match op {
        IrBin::Fmod | IrBin::Arctan2 => kinds(Some(F32), None, false),
        // `hypot`, `nextafter`, `copysign`, `maximum`, `minimum`.
        _ => kinds(Some(F64), None, false),
    }
}

impl Lowerer<'_> {
    /// `true` under numexpr's rules.
    pub(super) fn numexpr(&self) -> bool {
        self.shared.typing == Typing::Numexpr
    }

    /// The error kind of an operator its operands' dtype lacks: a type error, as NumPy
    /// raises, but numexpr's "not implemented" (no such opcode) under its rules, which code
    /// written for numexpr tells apart (pandas falls back to NumPy on it).
    pub(super) fn no_op_kind(&self) -> ErrorKind {
        if self.numexpr() {
            ErrorKind::Unsupported
        } else {
            ErrorKind::Type
        }
    }

    /// The dtype numexpr gives `v`: its own if strong, else a literal's constant kind.
    pub(super) fn numexpr_kind(&self, v: &Val) -> DType {
        if !v.weak {
            return numexpr_dtype(v.dtype);
        }
        match v.repr {
            Repr::Lit(Lit::Int(i)) if i32::try_from(i).is_ok() => DType::I32,
            // A computed literal (`2*3`) keeps jitex's int64: narrowing it could lose bits.
            _ => numexpr_dtype(v.dtype),
        }
    }

    /// The dtype two operands are computed in, under numexpr's rules.
    pub(super) fn numexpr_common(&self, a: &Val, b: &Val) -> DType {
        promote_numexpr(self.numexpr_kind(a), self.numexpr_kind(b))
    }

    /// Reads input instruction `id` as numexpr does: cast to its kind.
    pub(super) fn numexpr_input(&mut self, v: Val) -> Result<Val> {
        let to = numexpr_dtype(v.dtype);
        if to == v.dtype || !self.numexpr() {
            return Ok(v);
        }
        self.cast_strong(v, to)
    }

    fn cast_strong(&mut self, v: Val, to: DType) -> Result<Val> {
        let id = self.materialize(v, to)?;
        Ok(self.strong(id, v.span))
    }

    /// The result of a whole expression: a literal becomes numexpr's constant kind.
    pub(super) fn result_dtype(&self, v: &Val) -> DType {
        if self.numexpr() && v.weak {
            self.numexpr_kind(v)
        } else {
            v.dtype
        }
    }

    /// Casts a function's arguments to the kind numexpr computes it in (unary and binary
    /// functions; others are left alone). The NumPy-rule
    /// lowering then runs on them unchanged, since it keeps a float or complex argument's
    /// dtype (and rounding or signing an integer keeps the integer).
    pub(super) fn numexpr_func_args(&mut self, f: Func, vals: &mut [Val]) -> Result<()> {
        let (k, mut t) = match (f, &*vals) {
            (Func::Unary(op), [a]) => (unary_kinds(op), self.numexpr_kind(a)),
            (Func::Binary(op), [a, b]) => (binary_kinds(op), self.numexpr_common(a, b)),
            _ => return Ok(()),
        };
        if t.is_complex() {
            // numexpr has few complex functions; jitex's complex lowering decides.
        } else if matches!(f, Func::Binary(IrBin::Complex)) {
            // `complex(re, im)` takes its parts in float64 to make a complex128.
            t = DType::F64;
        } else if t.is_int() {
            if !k.keeps_int {
                t = DType::F64;
            }
        } else {
            if let Some(min) = k.min.filter(|m| numexpr_rank(*m) > numexpr_rank(t)) {
                t = min;
            }
            if let Some(max) = k.max.filter(|m| numexpr_rank(*m) < numexpr_rank(t)) {
                t = max;
            }
        }
        for v in vals.iter_mut() {
            if v.dtype != t || v.weak {
                *v = self.cast_strong(*v, t)?;
            }
        }
        Ok(())
    }

    /// numexpr folds integer literals in Python (`a + 2*3` adds the int32 constant 6):
    /// folded here too, while the result fits int64, so that it keeps a literal's kind.
    pub(super) fn numexpr_fold(&self, op: BinaryOp, a: &Val, b: &Val) -> Option<Val> {
        let (Repr::Lit(Lit::Int(x)), Repr::Lit(Lit::Int(y))) = (a.repr, b.repr) else {
            return None;
        };
        if !self.numexpr() {
            return None;
        }
        let r = match op {
            BinaryOp::Add => x.checked_add(y)?,
            BinaryOp::Sub => x.checked_sub(y)?,
            BinaryOp::Mul => x.checked_mul(y)?,
            // Python's floor division and modulo: the remainder takes the divisor's sign.
            BinaryOp::FloorDiv if y != 0 => {
                x.div_euclid(y) - i128::from(y < 0 && x.rem_euclid(y) != 0)
            }
            BinaryOp::Mod if y != 0 => {
                let m = x.rem_euclid(y);
                if y < 0 && m != 0 {
                    m + y
                } else {
                    m
                }
            }
            BinaryOp::Pow if (0..64).contains(&y) => x.checked_pow(y as u32)?,
            _ => return None,
        };
        i64::try_from(r).ok()?;
        Some(Val {
            repr: Repr::Lit(Lit::Int(r)),
            span: a.span.cover(b.span),
            ..*a
        })
    }

    /// Under numexpr's rules, the error numexpr raises for string operands no opcode takes:
    /// its NotImplementedError naming the opcode it looked for (`'add_sss'` for two
    /// strings, `'ge_bsi'` for a string and an int32), which code written for numexpr may
    /// match. `None` elsewhere (numexpr raises a TypeError for arithmetic between a string
    /// and a number, as jitex's ordinary error is).
    pub(super) fn numexpr_missing_opcode(&self, op: BinaryOp, a: &Val, b: &Val) -> Option<Error> {
        if !self.numexpr() {
            return None;
        }
        let code = |v: &Val| {
            if Self::is_str(v) {
                return 's';
            }
            match self.numexpr_kind(v) {
                DType::Bool => 'b',
                DType::I32 => 'i',
                DType::I64 => 'l',
                DType::F32 => 'f',
                DType::F64 => 'd',
                _ => 'c',
            }
        };
        let both = Self::is_str(a) && Self::is_str(b);
        let ret = match (op.is_comparison(), both) {
            (true, false) => 'b',
            (false, true) => 's',
            _ => return None,
        };
        // numexpr has no `lt`/`le`: `a < b` is `b > a` there.
        let (name_op, a, b) = match op {
            BinaryOp::Lt => (BinaryOp::Gt, b, a),
            BinaryOp::Le => (BinaryOp::Ge, b, a),
            _ => (op, a, b),
        };
        let name = match name_op {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::FloorDiv => "floordiv",
            BinaryOp::Mod => "mod",
            BinaryOp::Pow => "pow",
            BinaryOp::Shl => "lshift",
            BinaryOp::Shr => "rshift",
            BinaryOp::BitAnd => "and",
            BinaryOp::BitOr => "or",
            BinaryOp::BitXor => "xor",
            BinaryOp::Lt => "lt",
            BinaryOp::Le => "le",
            BinaryOp::Eq => "eq",
            BinaryOp::Ne => "ne",
            BinaryOp::Ge => "ge",
            BinaryOp::Gt => "gt",
        };
        let opcode = format!("{name}_{ret}{}{}", code(a), code(b));
        let (first, second) = if name_op == op { (a, b) } else { (b, a) };
        let msg = format!(
            "`{}` is not supported between {} and {} (numexpr: couldn't find matching \
             opcode for '{opcode}')",
            op.symbol(),
            first.dtype,
            second.dtype
        );
        Some(
            Error::at(ErrorKind::Unsupported, a.span.cover(b.span), msg)
                .with_help("strings only compare with strings, and take no arithmetic"),
        )
    }

    /// numexpr's `abs` of a complex number is complex (with a zero imaginary part).
    pub(super) fn numexpr_unary_result(
        &mut self,
        op: IrUn,
        arg: Val,
        id: ValueId,
        span: Span,
    ) -> Result<ValueId> {
        if self.numexpr() && op == IrUn::Abs && arg.dtype.is_complex() {
            return self.emit(Op::Cast(id), DType::C128, span);
        }
        Ok(id)
    }

    /// `x ** k` for a literal `k` that numexpr's default optimisation rewrites: a multiply
    /// chain in `x`'s own kind for whole `k >= 0`; for negative or half-integral `k`, the
    /// same kind for floats and `float64` for integers. `None`: an ordinary power.
    pub(super) fn numexpr_pow(&mut self, a: Val, b: Val, span: Span) -> Result<Option<Val>> {
        let x = match b.repr {
            Repr::Lit(Lit::Int(i)) => i as f64,
            Repr::Lit(Lit::Float(f)) => f,
            _ => return Ok(None),
        };
        if a.weak {
            // numexpr folds literal-only powers in Python's integers: jitex's ordinary
            // (int64 or float64) power is the nearer.
            return Ok(None);
        }
        let ka = self.numexpr_kind(&a);
        // numexpr's RANGE: half-integral exponents of magnitude up to 50.
        if !(x * 2.0 == (x * 2.0).trunc() && x.abs() <= 50.0) || ka.is_complex() {
            return Ok(None);
        }
        let whole = x == x.trunc();
        if whole && x < 0.0 && ka.is_int() && matches!(b.repr, Repr::Lit(Lit::Int(_))) {
            // An integer to a negative integer power: the ordinary path's ValueError.
            return Ok(None);
        }
        let t = if (whole && x >= 0.0) || ka.is_float() {
            ka
        } else {
            DType::F64
        };
        if t == DType::Bool {
            if x == 0.0 {
                // numexpr has no `ones_like` of bool: keep jitex's ordinary power.
                return Ok(None);
            }
            // `b**k` is `b & b & …`, which is `b`.
            let v = self.cast_strong(a, t)?;
            return Ok(Some(Val { span, ..v }));
        }
        let base = self.materialize(a, t)?;
        let exp = if t.is_int() {
            self.emit(Op::Const(Scalar::I64(x as i64).cast(t)), t, b.span)?
        } else {
            self.emit(Op::Const(Scalar::F64(x).cast(t)), t, b.span)?
        };
        let id = self.emit(Op::Binary(IrBin::Pow, base, exp), t, span)?;
        Ok(Some(self.strong(id, span)))
    }
}
