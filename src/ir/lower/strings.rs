//! Lowering of strings: comparisons and `contains` on `S`/`U` inputs and literals, and
//! strings as results.
//!
//! Strings are never SSA values. A string input or literal lowers to a [`Repr::Str`] that
//! only [`Op::StrCompare`] and [`Op::StrContains`] consume, or that becomes an output as an
//! [`Op::StrCopy`]; anywhere else it is a type error pointing at it. Two literals fold to
//! a weak `bool`.

use super::{type_err, Lit, Lowerer, Repr, Val};
use crate::error::{Error, Result, Span};
use crate::ir::fold::{str_compare, str_contains};
use crate::ir::{BinaryOp as IrBin, Op, StrOperand, ValueId};
use crate::syntax::ast::{BinaryOp, Expr};
use crate::types::DType;

/// A string value: an input or a literal not yet encoded.
#[derive(Clone, Debug)]
pub(super) enum StrVal {
    /// Input `inputs[k]`, of dtype `S<n>` or `U<n>`.
    Input(usize),
    /// A `'…'` literal: bytes when it meets an `S` array (if ASCII), code points otherwise.
    Text(String),
    /// A `b'…'` literal.
    Bytes(Vec<u8>),
}

/// The string family of an operand, for the typing rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// An `S` input or a bytes literal.
    Bytes,
    /// A `U` input.
    Unicode,
    /// A `'…'` literal, which adapts to the other side.
    Text,
}

/// How a string meets its partner: the name of the dtype family, for messages.
fn family_name(f: Family) -> &'static str {
    match f {
        Family::Bytes => "bytes",
        Family::Unicode => "str",
        Family::Text => "str",
    }
}

/// The help shown when a string is used where a number is expected.
const STRING_HELP: &str = "strings can only be compared (`s == b'abc'`), searched \
                           (`contains(s, b'ab')`) or returned (`s`, `copy(s)`)";

/// A dtype-like label for a literal (only ever used in messages).
fn literal_dtype(bytes: bool, len: usize) -> DType {
    let n = u32::try_from(len.max(1)).unwrap_or(u32::MAX);
    if bytes {
        DType::Bytes(n)
    } else {
        DType::Str(n)
    }
}

/// Native-endian UCS-4 code units of `s`, as `U` arrays store them.
fn ucs4(s: &str) -> Vec<u8> {
    s.chars().flat_map(|c| (c as u32).to_ne_bytes()).collect()
}

impl Lowerer<'_> {
    fn str_val(&mut self, s: StrVal, dtype: DType, span: Span) -> Val {
        self.strs.push(s);
        Val {
            repr: Repr::Str(self.strs.len() - 1),
            dtype,
            weak: false,
            span,
        }
    }

    /// A string input's value (inputs of string dtype have no `Input` instruction).
    pub(super) fn str_input(&mut self, k: usize, span: Span) -> Val {
        let dtype = self.inputs[k].dtype;
        self.str_val(StrVal::Input(k), dtype, span)
    }

    /// The value of a `'…'` literal.
    pub(super) fn text_literal(&mut self, t: &str, span: Span) -> Val {
        let d = literal_dtype(false, t.chars().count());
        self.str_val(StrVal::Text(t.to_string()), d, span)
    }

    /// The value of a `b'…'` literal.
    pub(super) fn bytes_literal(&mut self, b: &[u8], span: Span) -> Val {
        let d = literal_dtype(true, b.len());
        self.str_val(StrVal::Bytes(b.to_vec()), d, span)
    }

    /// The error for a string `v` used as a number `what` (an operator or a function).
    pub(super) fn string_misuse(&self, v: &Val, what: &str) -> Error {
        type_err(v.span, format!("{what} is not supported for strings")).with_help(STRING_HELP)
    }

    /// The error for string `v` as a branch of `where`, which numexpr has no string
    /// version of either.
    pub(super) fn string_where(v: &Val) -> Error {
        type_err(v.span, "`where` is not supported for strings").with_help(
            "choose between strings outside the expression, e.g. `np.where(s == b'a', s, t)`; \
             `where` may take a string comparison as its condition",
        )
    }

    /// Emits `v` as an output: a string becomes a copy of its input's element or of the
    /// literal (numexpr's `evaluate('s')`), anything else an instruction of its own dtype.
    pub(super) fn output(&mut self, v: Val) -> Result<ValueId> {
        let Some(s) = self.str_of(&v).cloned() else {
            return self.materialize(v, self.result_dtype(&v));
        };
        let (operand, dtype) = match s {
            StrVal::Input(k) => (StrOperand::Input(k), self.inputs[k].dtype),
            // A literal result has no partner to adapt to: `'…'` is text, as NumPy's
            // `np.array('abc')` is `<U3`.
            StrVal::Text(t) => (StrOperand::Literal(ucs4(&t)), v.dtype),
            StrVal::Bytes(b) => (StrOperand::Literal(b), v.dtype),
        };
        self.emit(Op::StrCopy(operand), dtype, v.span)
    }

    /// `true` when `v` is a string.
    pub(super) fn is_str(v: &Val) -> bool {
        matches!(v.repr, Repr::Str(_))
    }

    fn family(&self, v: &Val) -> Family {
        match self.str_of(v) {
            Some(StrVal::Input(k)) => match self.inputs[*k].dtype {
                DType::Str(_) => Family::Unicode,
                _ => Family::Bytes,
            },
            Some(StrVal::Text(_)) => Family::Text,
            _ => Family::Bytes,
        }
    }

    fn str_of(&self, v: &Val) -> Option<&StrVal> {
        match v.repr {
            Repr::Str(i) => self.strs.get(i),
            _ => None,
        }
    }

    /// The operand of `v` in a string op whose code units are `unicode`, or a type error.
    fn operand(&self, v: &Val, unicode: bool, other: &Val) -> Result<StrOperand> {
        Ok(match self.str_of(v) {
            Some(StrVal::Input(k)) => StrOperand::Input(*k),
            Some(StrVal::Bytes(b)) => StrOperand::Literal(b.clone()),
            Some(StrVal::Text(t)) if unicode => StrOperand::Literal(ucs4(t)),
            Some(StrVal::Text(t)) => {
                if let Some(c) = t.chars().find(|c| !c.is_ascii()) {
                    return Err(type_err(
                        v.span,
                        format!(
                            "the literal has the non-ASCII character {c:?}, but `{}` holds bytes ({})",
                            self.describe(other),
                            other.dtype
                        ),
                    )
                    .with_help("write a bytes literal with escapes, e.g. b'caf\\xc3\\xa9'"));
                }
                StrOperand::Literal(t.as_bytes().to_vec())
            }
            None => return Err(self.string_misuse(other, "comparing with a number")),
        })
    }

    /// How a string value reads in a message: the input's name or "the literal".
    fn describe(&self, v: &Val) -> String {
        match self.str_of(v) {
            Some(StrVal::Input(k)) => self.inputs[*k].name.clone(),
            _ => "the literal".to_string(),
        }
    }

    /// Whether an op on strings `a` and `b` works on code points (`true`) or bytes, or a
    /// type error explaining why the two cannot meet.
    fn unit_of(&self, a: &Val, b: &Val, span: Span) -> Result<bool> {
        use Family::*;
        match (self.family(a), self.family(b)) {
            (Bytes, Bytes) => Ok(false),
            (Unicode, Unicode) | (Text, Text) => Ok(true),
            (Text, Bytes) | (Bytes, Text) => {
                // A text literal adapts to an `S` input, but not to a bytes literal.
                let lit_lit = !matches!(self.str_of(a), Some(StrVal::Input(_)))
                    && !matches!(self.str_of(b), Some(StrVal::Input(_)));
                if lit_lit {
                    Err(
                        type_err(span, "cannot mix a str literal with a bytes literal")
                            .with_help("write both as `'…'` or both as `b'…'`"),
                    )
                } else {
                    Ok(false)
                }
            }
            (Unicode, Text) | (Text, Unicode) => Ok(true),
            (fa, fb) => Err(type_err(
                span,
                format!(
                    "cannot mix {} ({}) and {} ({}) strings",
                    family_name(fa),
                    a.dtype,
                    family_name(fb),
                    b.dtype
                ),
            )
            .with_help(
                "S (bytes) and U (str) strings never compare equal in NumPy, and do not order; \
                 use a literal of the array's kind (b'…' for S, '…' for U)",
            )),
        }
    }

    /// A binary operator with a string operand: the six comparisons, or a type error.
    pub(super) fn str_binary(&mut self, op: BinaryOp, a: Val, b: Val) -> Result<Val> {
        let span = a.span.cover(b.span);
        if let Some(e) = self.numexpr_missing_opcode(op, &a, &b) {
            return Err(e);
        }
        let ir = match op {
            BinaryOp::Lt => IrBin::Lt,
            BinaryOp::Le => IrBin::Le,
            BinaryOp::Eq => IrBin::Eq,
            BinaryOp::Ne => IrBin::Ne,
            BinaryOp::Ge => IrBin::Ge,
            BinaryOp::Gt => IrBin::Gt,
            _ => {
                let s = if Self::is_str(&a) { &a } else { &b };
                return Err(self.string_misuse(s, &format!("`{}`", op.symbol())));
            }
        };
        for (x, y) in [(&a, &b), (&b, &a)] {
            if !Self::is_str(x) {
                return Err(type_err(
                    x.span,
                    format!(
                        "cannot compare a number ({}) with a string ({})",
                        x.dtype, y.dtype
                    ),
                )
                .with_help("strings compare only with strings"));
            }
        }
        let unicode = self.unit_of(&a, &b, span)?;
        let lhs = self.operand(&a, unicode, &b)?;
        let rhs = self.operand(&b, unicode, &a)?;
        if let (StrOperand::Literal(x), StrOperand::Literal(y)) = (&lhs, &rhs) {
            return Ok(folded(str_compare(ir, unicode, x, y), span));
        }
        let op = Op::StrCompare {
            op: ir,
            unicode,
            lhs,
            rhs,
        };
        let id = self.emit(op, DType::Bool, span)?;
        Ok(self.strong(id, span))
    }

    /// `contains(haystack, needle)`.
    pub(super) fn contains(&mut self, args: &[Expr], span: Span) -> Result<Val> {
        let h = self.expr(&args[0])?;
        let n = self.expr(&args[1])?;
        for v in [&h, &n] {
            if !Self::is_str(v) {
                return Err(
                    type_err(v.span, format!("`contains` takes strings, not {}", v.dtype))
                        .with_help("e.g. `contains(s, b'ab')` for an S array `s`"),
                );
            }
        }
        let unicode = self.unit_of(&h, &n, span)?;
        let haystack = self.operand(&h, unicode, &n)?;
        let needle = self.operand(&n, unicode, &h)?;
        if let (StrOperand::Literal(x), StrOperand::Literal(y)) = (&haystack, &needle) {
            return Ok(folded(str_contains(unicode, x, y), span));
        }
        let op = Op::StrContains {
            unicode,
            haystack,
            needle,
        };
        let id = self.emit(op, DType::Bool, span)?;
        Ok(self.strong(id, span))
    }
}

/// A folded literal-only string op: a weak `bool`, as Python's `'a' < 'b'` is.
fn folded(v: bool, span: Span) -> Val {
    Val {
        repr: Repr::Lit(Lit::Bool(v)),
        dtype: DType::Bool,
        weak: true,
        span,
    }
}

#[cfg(test)]
mod tests;
