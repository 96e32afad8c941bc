//! NumPy 2's promotion (NEP 50): how weak literals meet strong values (range-checked when
//! they are emitted, compared exactly when out of range), the dtype two operands are
//! computed in, and the float dtype functions compute in. See the parent module.

use super::{type_err, Lit, Lowerer, Repr, Val};
use crate::error::{Result, Span};
use crate::ir::{BinaryOp as IrBin, Op, ValueId};
use crate::syntax::ast::BinaryOp;
use crate::types::{promote, Complex64, DType, Scalar};

/// The inclusive value range of an integer dtype.
fn int_range(d: DType) -> (i128, i128) {
    let bits = d.bits();
    if d.is_signed_int() {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    }
}

/// The float dtype transcendental functions use for `d`. NumPy picks `float16` for `bool`,
/// `int8` and `uint8`; jitex has no `float16` and uses `float32`, as NumPy does for 16-bit ints.
pub(crate) fn float_of(d: DType) -> DType {
    match d {
        DType::F32 | DType::F64 => d,
        DType::Bool | DType::I8 | DType::U8 | DType::I16 | DType::U16 => DType::F32,
        _ => DType::F64,
    }
}

/// NEP 50: the dtype a weak value of default dtype `w` takes when it meets strong `s`.
fn weak_meets(w: DType, s: DType) -> DType {
    if w.is_complex() && s.is_float() {
        // A Python complex keeps a float array's precision: `f32_array * 1j` is complex64.
        s.to_complex()
    } else if w.kind() <= s.kind() {
        s
    } else {
        w
    }
}

/// The dtype two operands are computed in under NumPy's rules, before operator-specific
/// adjustments.
pub(super) fn numpy_common(a: &Val, b: &Val) -> DType {
    match (a.weak, b.weak) {
        (true, false) => weak_meets(a.dtype, b.dtype),
        (false, true) => weak_meets(b.dtype, a.dtype),
        _ => promote(a.dtype, b.dtype),
    }
}

impl Lowerer<'_> {
    /// Emits `v` as an instruction of dtype `to`, casting or range-checking as needed.
    pub(super) fn materialize(&mut self, v: Val, to: DType) -> Result<ValueId> {
        match v.repr {
            Repr::Inst(id) if v.dtype == to => Ok(id),
            Repr::Inst(id) => self.emit(Op::Cast(id), to, v.span),
            Repr::Str(_) => Err(self.string_misuse(&v, "using a string as a number")),
            Repr::Lit(lit) => {
                let s = match lit {
                    Lit::Bool(b) => Scalar::Bool(b).cast(to),
                    Lit::Float(f) => Scalar::F64(f).cast(to),
                    Lit::Complex(re, im) => Scalar::C128(Complex64::new(re, im)).cast(to),
                    Lit::Int(i) => {
                        if to.is_int() {
                            let (lo, hi) = int_range(to);
                            if i < lo || i > hi {
                                return Err(type_err(
                                    v.span,
                                    format!("integer literal {i} does not fit in {to}"),
                                )
                                .with_help("NumPy raises OverflowError here; widen the other operand first, e.g. `int64(…)`"));
                            }
                        }
                        if i < 0 {
                            Scalar::I64(i as i64).cast(to)
                        } else {
                            Scalar::U64(i as u64).cast(to)
                        }
                    }
                };
                self.emit(Op::Const(s), to, v.span)
            }
        }
    }

    /// The dtype two operands are computed in, before operator-specific adjustments.
    pub(super) fn common(&self, a: &Val, b: &Val) -> DType {
        if self.numexpr() && !(a.weak && b.weak) {
            // Literal-only parts keep jitex's int64/float64: numexpr folds them in Python's
            // numbers, which those are nearer to than its int32 constants.
            self.numexpr_common(a, b)
        } else {
            numpy_common(a, b)
        }
    }

    /// `int8_arr < 300`: NumPy compares exactly rather than raising, so an integer literal
    /// outside the other side's range becomes a comparison with that range's bound that has
    /// the same (constant) answer while keeping the array's shape.
    pub(super) fn out_of_range_cmp(
        &mut self,
        op: BinaryOp,
        a: Val,
        b: Val,
        span: Span,
    ) -> Result<Option<Val>> {
        let (arr, lit, op) = match (a.repr, b.repr) {
            (_, Repr::Lit(Lit::Int(i))) if !a.weak && a.dtype.is_int() => (a, i, op),
            (Repr::Lit(Lit::Int(i)), _) if !b.weak && b.dtype.is_int() => {
                let flipped = match op {
                    BinaryOp::Lt => BinaryOp::Gt,
                    BinaryOp::Le => BinaryOp::Ge,
                    BinaryOp::Gt => BinaryOp::Lt,
                    BinaryOp::Ge => BinaryOp::Le,
                    o => o,
                };
                (b, i, flipped)
            }
            _ => return Ok(None),
        };
        let t = arr.dtype;
        let (lo, hi) = int_range(t);
        if lit >= lo && lit <= hi {
            return Ok(None);
        }
        let above = lit > hi;
        // Is `arr op lit` true for every `arr` in range?
        let always = match op {
            BinaryOp::Lt | BinaryOp::Le => above,
            BinaryOp::Gt | BinaryOp::Ge => !above,
            BinaryOp::Ne => true,
            _ => false,
        };
        // `x <= hi` and `x >= lo` are always true, `x > hi` and `x < lo` never.
        let (ir, bound) = match (always, above) {
            (true, true) => (IrBin::Le, hi),
            (false, true) => (IrBin::Gt, hi),
            (true, false) => (IrBin::Ge, lo),
            (false, false) => (IrBin::Lt, lo),
        };
        let x = self.materialize(arr, t)?;
        // Truncating to i64 then casting gives the right bits for every bound, `u64::MAX` too.
        let c = self.emit(Op::Const(Scalar::I64(bound as i64).cast(t)), t, span)?;
        let id = self.emit(Op::Binary(ir, x, c), DType::Bool, span)?;
        Ok(Some(self.strong(id, span)))
    }
}
