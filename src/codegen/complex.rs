//! Complex values in the scalar loop.
//!
//! A complex SSA value is two Cranelift values of its part type (`f32` for `complex64`,
//! `f64` for `complex128`); in memory the real part comes first and the imaginary part
//! follows at the part size. Addition, subtraction, multiplication, negation, `conj`,
//! `real`, `imag`, `round`, `complex(re, im)`, comparisons, casts, `where` and the
//! predicates are inline; everything else calls [`crate::math::complex`] through stack slots. Programs
//! of `+ - *`, parts, casts, comparisons and `where` get a vector loop instead (see
//! `complex_lanes`), which runs this module's `binary` on vectors of parts; under vector math the
//! phases instead run `+ - * /`, `abs`, `exp` and `sqrt` as block kernels of
//! `math::vector` (see `phases`), and this module computes what lies between them.

use super::calls::{internal, Callees};
use super::scalar::{self, clif_type};
use super::{cast, ops_float};
use crate::error::Result;
use crate::ir::{BinaryOp, Op, UnaryOp};
use crate::math;
use crate::types::{DType, Scalar};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// One SSA value of the scalar loop: a real value, or a complex value's two parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Val {
    /// A value of a real dtype (`bool`, integers, floats).
    Real(Value),
    /// A complex value: real part, imaginary part.
    Complex(Value, Value),
}

impl Val {
    /// The value of a real dtype, or a complex value's real part.
    pub(crate) fn scalar(self) -> Value {
        match self {
            Val::Real(v) | Val::Complex(v, _) => v,
        }
    }

    /// The parts of a complex value; an error for a real one (a codegen bug, since
    /// validation checked every operand's dtype).
    fn parts(self) -> Result<(Value, Value)> {
        match self {
            Val::Complex(re, im) => Ok((re, im)),
            Val::Real(_) => Err(internal("a complex operand holds a real value")),
        }
    }
}

/// Data may be unaligned: plain flags.
fn data() -> MemFlagsData {
    MemFlagsData::new()
}

/// Loads one element of `dt` at `addr`.
pub(crate) fn load(b: &mut FunctionBuilder, dt: DType, addr: Value) -> Val {
    let ty = clif_type(dt);
    if dt.is_complex() {
        let re = b.ins().load(ty, data(), addr, 0);
        let im = b.ins().load(ty, data(), addr, ty.bytes() as i32);
        Val::Complex(re, im)
    } else {
        Val::Real(b.ins().load(ty, data(), addr, 0))
    }
}

/// Stores `v` as one element at `addr`.
pub(crate) fn store(b: &mut FunctionBuilder, v: Val, addr: Value) {
    match v {
        Val::Real(x) => {
            b.ins().store(data(), x, addr, 0);
        }
        Val::Complex(re, im) => {
            let part = b.func.dfg.value_type(re).bytes() as i32;
            b.ins().store(data(), re, addr, 0);
            b.ins().store(data(), im, addr, part);
        }
    }
}

/// Materialises a constant (complex ones as two float constants).
pub(crate) fn constant(b: &mut FunctionBuilder, c: Scalar) -> Val {
    match c {
        Scalar::C64(z) => Val::Complex(
            scalar::constant(b, Scalar::F32(z.re)),
            scalar::constant(b, Scalar::F32(z.im)),
        ),
        Scalar::C128(z) => Val::Complex(
            scalar::constant(b, Scalar::F64(z.re)),
            scalar::constant(b, Scalar::F64(z.im)),
        ),
        _ => Val::Real(scalar::constant(b, c)),
    }
}

/// Whether an instruction with these dtypes goes through this module rather than
/// straight to [`scalar::emit`] (and through `complex_lanes` rather than `lanes::emit` in
/// a vector loop): a complex result or operand, or a part accessor.
pub(crate) fn involved(op: &Op, dt: DType, arg_dtypes: &[DType]) -> bool {
    dt.is_complex()
        || arg_dtypes.iter().any(|d| d.is_complex())
        || matches!(
            op,
            Op::Unary(UnaryOp::Real | UnaryOp::Imag | UnaryOp::Conj, _)
                | Op::Binary(BinaryOp::Complex, ..)
        )
}

/// Whether complex unary `op` on `dt` compiles (inline or as a call).
pub(crate) fn unary_compiles(op: UnaryOp, dt: DType) -> bool {
    use UnaryOp::*;
    matches!(
        op,
        Neg | Conj | Real | Imag | Abs | Round | IsNan | IsFinite | IsInf
    ) || (math::complex::CALLED_UNARY.contains(&op) && math::complex::unary_fn(op, dt).is_some())
}

/// Whether complex binary `op` on operands of `dt` compiles (inline or as a call).
pub(crate) fn binary_compiles(op: BinaryOp, dt: DType) -> bool {
    use BinaryOp::*;
    matches!(op, Add | Sub | Mul | Lt | Le | Eq | Ne | Ge | Gt)
        || math::complex::binary_fn(op, dt).is_some()
}

/// Emits a computing instruction (`Cast`, `Unary`, `Binary`, `Select`) with result dtype
/// `dt` on operands of `arg_dtypes`; instructions without complex values go to
/// [`scalar::emit`].
pub(crate) fn emit(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    op: &Op,
    dt: DType,
    arg_dtypes: &[DType],
    args: &[Val],
) -> Result<Val> {
    if !involved(op, dt, arg_dtypes) {
        let xs: Vec<Value> = args.iter().map(|v| v.scalar()).collect();
        return scalar::emit(b, calls, op, dt, arg_dtypes, &xs).map(Val::Real);
    }
    let arg = |k: usize| -> Result<(Val, DType)> {
        match (args.get(k), arg_dtypes.get(k)) {
            (Some(&v), Some(&d)) => Ok((v, d)),
            _ => Err(internal("missing operand")),
        }
    };
    match *op {
        Op::Cast(_) => {
            let (x, from) = arg(0)?;
            cast_val(b, from, dt, x)
        }
        Op::Select(..) => {
            let c = arg(0)?.0.scalar();
            let ((t_re, t_im), (e_re, e_im)) = (arg(1)?.0.parts()?, arg(2)?.0.parts()?);
            Ok(Val::Complex(
                b.ins().select(c, t_re, e_re),
                b.ins().select(c, t_im, e_im),
            ))
        }
        Op::Unary(u, _) => {
            let (x, from) = arg(0)?;
            unary(b, calls, u, from, dt, x)
        }
        Op::Binary(BinaryOp::Complex, ..) => {
            let (re, im) = (arg(0)?.0.scalar(), arg(1)?.0.scalar());
            Ok(Val::Complex(re, im))
        }
        Op::Binary(bop, ..) => {
            let ((x, from), (y, _)) = (arg(0)?, arg(1)?);
            binary(b, calls, bop, from, x.parts()?, y.parts()?)
        }
        Op::Input(_)
        | Op::Const(_)
        | Op::StrCompare { .. }
        | Op::StrContains { .. }
        | Op::StrCopy(_) => Err(internal(format!("`{op:?}` is not a complex computation"))),
    }
}

/// Converts `x` of dtype `from` to `to`, where either may be complex.
fn cast_val(b: &mut FunctionBuilder, from: DType, to: DType, x: Val) -> Result<Val> {
    match (from.is_complex(), to.is_complex()) {
        (false, false) => cast::cast(b, from, to, x.scalar()).map(Val::Real),
        // Real → complex: a zero imaginary part.
        (false, true) => {
            let part = to.real_part();
            let re = cast::cast(b, from, part, x.scalar())?;
            let im = zero(b, part);
            Ok(Val::Complex(re, im))
        }
        (true, true) => {
            let (re, im) = x.parts()?;
            let (f, t) = (from.real_part(), to.real_part());
            Ok(Val::Complex(
                cast::cast(b, f, t, re)?,
                cast::cast(b, f, t, im)?,
            ))
        }
        // Complex → bool is `z != 0` (NaN parts are nonzero).
        (true, false) if to == DType::Bool => {
            let (re, im) = x.parts()?;
            let part = from.real_part();
            let r = cast::cast(b, part, to, re)?;
            let i = cast::cast(b, part, to, im)?;
            Ok(Val::Real(b.ins().bor(r, i)))
        }
        // Complex → other reals keep the real part, as NumPy does (with a warning).
        (true, false) => {
            let (re, _) = x.parts()?;
            cast::cast(b, from.real_part(), to, re).map(Val::Real)
        }
    }
}

/// Zero of real dtype `dt`.
fn zero(b: &mut FunctionBuilder, dt: DType) -> Value {
    scalar::constant(b, Scalar::Bool(false).cast(dt))
}

/// A unary op on `x` of dtype `from`, giving dtype `to`.
fn unary(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    op: UnaryOp,
    from: DType,
    to: DType,
    x: Val,
) -> Result<Val> {
    use UnaryOp::*;
    if !from.is_complex() {
        // A real number is its own real part and conjugate; its imaginary part is zero.
        return Ok(Val::Real(match op {
            Real | Conj => x.scalar(),
            Imag => zero(b, to),
            _ => return Err(internal(format!("`{}` on {from}", op.name()))),
        }));
    }
    let part = from.real_part();
    let (re, im) = x.parts()?;
    Ok(match op {
        Neg => Val::Complex(b.ins().fneg(re), b.ins().fneg(im)),
        Conj => Val::Complex(re, b.ins().fneg(im)),
        Real => Val::Real(re),
        Imag => Val::Real(im),
        Abs => Val::Real(abs(b, part, re, im)),
        // Each part half to even, as NumPy's `round` of a complex array.
        Round => Val::Complex(b.ins().nearest(re), b.ins().nearest(im)),
        // NumPy: isnan and isinf if either part is; isfinite if both are.
        IsNan | IsInf => {
            let r = ops_float::unary(b, op, part, re)?;
            let i = ops_float::unary(b, op, part, im)?;
            Val::Real(b.ins().bor(r, i))
        }
        IsFinite => {
            let r = ops_float::unary(b, op, part, re)?;
            let i = ops_float::unary(b, op, part, im)?;
            Val::Real(b.ins().band(r, i))
        }
        _ => match math::complex::unary_fn(op, from) {
            Some(f) => {
                // A function with a real result (`abs`) writes one part-dtype element.
                let (r, i) = call(b, calls, f as usize, part, &[(re, im)], to.is_complex())?;
                match i {
                    Some(i) => Val::Complex(r, i),
                    None => Val::Real(r),
                }
            }
            // NumPy's `abs` of a complex number is `hypot(re, im)`.
            None if op == Abs => {
                let entry = math::binary(BinaryOp::Hypot, part)
                    .ok_or_else(|| internal(format!("no hypot for {part}")))?;
                Val::Real(calls.call(b, entry, &[re, im])?)
            }
            None => {
                return Err(internal(format!(
                    "`{}` is not compiled on {from}",
                    op.name()
                )))
            }
        },
    })
}

/// NumPy's vectorised `absolute` of a complex number, inline and branch-free, exactly as
/// `math::complex::abs` computes it: an infinite part wins over NaN, then NaN, else
/// `larger * sqrt(fma(r, r, 1))` with `r = smaller / larger` (0 when `larger` is 0 or
/// `smaller` is infinite).
fn abs(b: &mut FunctionBuilder, part: DType, re: Value, im: Value) -> Value {
    let c = |b: &mut FunctionBuilder, v: f64| scalar::constant(b, Scalar::F64(v).cast(part));
    let (inf, zero, one, nan) = (c(b, f64::INFINITY), c(b, 0.0), c(b, 1.0), c(b, f64::NAN));
    let re = b.ins().fabs(re);
    let im = b.ins().fabs(im);
    let re_inf = b.ins().fcmp(FloatCC::Equal, re, inf);
    let im = b.ins().select(re_inf, inf, im);
    let im_inf = b.ins().fcmp(FloatCC::Equal, im, inf);
    let re = b.ins().select(im_inf, inf, re);
    let either_nan = b.ins().fcmp(FloatCC::Unordered, re, im);
    let re_bigger = b.ins().fcmp(FloatCC::GreaterThan, re, im);
    let larger = b.ins().select(re_bigger, re, im);
    let smaller = b.ins().select(re_bigger, im, re);
    let larger_zero = b.ins().fcmp(FloatCC::Equal, larger, zero);
    let smaller_inf = b.ins().fcmp(FloatCC::Equal, smaller, inf);
    let no_ratio = b.ins().bor(larger_zero, smaller_inf);
    let q = b.ins().fdiv(smaller, larger);
    let ratio = b.ins().select(no_ratio, zero, q);
    let s = b.ins().fma(ratio, ratio, one);
    let s = b.ins().sqrt(s);
    let r = b.ins().fmul(s, larger);
    b.ins().select(either_nan, nan, r)
}

/// A binary op on two complex operands of dtype `dt`. Everything inline here is a lane
/// op, so `complex_lanes` runs it on vectors of parts too.
pub(crate) fn binary(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    op: BinaryOp,
    dt: DType,
    (xr, xi): (Value, Value),
    (yr, yi): (Value, Value),
) -> Result<Val> {
    use BinaryOp::*;
    let cmp = |b: &mut FunctionBuilder, cc, x, y| b.ins().fcmp(cc, x, y);
    Ok(match op {
        Add => Val::Complex(b.ins().fadd(xr, yr), b.ins().fadd(xi, yi)),
        Sub => Val::Complex(b.ins().fsub(xr, yr), b.ins().fsub(xi, yi)),
        Mul => {
            let (re, im) = mul(b, (xr, xi), (yr, yi));
            Val::Complex(re, im)
        }
        // Both parts equal (NaN is unequal to everything).
        Eq => {
            let r = cmp(b, FloatCC::Equal, xr, yr);
            let i = cmp(b, FloatCC::Equal, xi, yi);
            Val::Real(b.ins().band(r, i))
        }
        // Cranelift's `ne` is "unordered or not equal", as NumPy's `!=`.
        Ne => {
            let r = cmp(b, FloatCC::NotEqual, xr, yr);
            let i = cmp(b, FloatCC::NotEqual, xi, yi);
            Val::Real(b.ins().bor(r, i))
        }
        Lt | Le | Gt | Ge => Val::Real(order(b, op, (xr, xi), (yr, yi))),
        _ => match math::complex::binary_fn(op, dt) {
            Some(f) => {
                let operands = [(xr, xi), (yr, yi)];
                let (r, i) = call(b, calls, f as usize, dt.real_part(), &operands, true)?;
                Val::Complex(r, i.ok_or_else(|| internal("no imaginary part"))?)
            }
            None => return Err(internal(format!("`{}` is not compiled on {dt}", op.name()))),
        },
    })
}

/// `x * y` as NumPy's array loops compute it on FMA hardware (checked with NumPy 2.4 on
/// x86-64 with AVX-512, contiguous, strided and broadcast): `re = fma(xr, yr, -(xi*yi))`,
/// `im = fma(xr, yi, xi*yr)`, each inner product rounded. Cranelift falls back to libm's
/// correctly rounded `fma` on CPUs without it, so the result does not depend on the CPU.
fn mul(
    b: &mut FunctionBuilder,
    (xr, xi): (Value, Value),
    (yr, yi): (Value, Value),
) -> (Value, Value) {
    let ii = b.ins().fmul(xi, yi);
    let neg_ii = b.ins().fneg(ii);
    let re = b.ins().fma(xr, yr, neg_ii);
    let ir = b.ins().fmul(xi, yr);
    let im = b.ins().fma(xr, yi, ir);
    (re, im)
}

/// NumPy's lexicographic order of complex numbers (its `CLT`, `CLE`, `CGT`, `CGE`):
/// `x < y` is `(xr < yr && !isnan(xi) && !isnan(yi)) || (xr == yr && xi < yi)`.
fn order(
    b: &mut FunctionBuilder,
    op: BinaryOp,
    (xr, xi): (Value, Value),
    (yr, yi): (Value, Value),
) -> Value {
    let (strict, tie) = match op {
        BinaryOp::Lt => (FloatCC::LessThan, FloatCC::LessThan),
        BinaryOp::Le => (FloatCC::LessThan, FloatCC::LessThanOrEqual),
        BinaryOp::Gt => (FloatCC::GreaterThan, FloatCC::GreaterThan),
        _ => (FloatCC::GreaterThan, FloatCC::GreaterThanOrEqual),
    };
    let before = b.ins().fcmp(strict, xr, yr);
    // Both imaginary parts are numbers: `ord(xi, yi)`.
    let ordered = b.ins().fcmp(FloatCC::Ordered, xi, yi);
    let before = b.ins().band(before, ordered);
    let same = b.ins().fcmp(FloatCC::Equal, xr, yr);
    let then = b.ins().fcmp(tie, xi, yi);
    let tied = b.ins().band(same, then);
    b.ins().bor(before, tied)
}

/// Calls the complex entry point at `addr` (a [`math::complex::UnaryFn`] or
/// [`math::complex::BinaryFn`], by operand count) on complex operands whose parts have
/// dtype `part`: the operands are spilled to one stack slot, followed by room for the
/// result, and the entry point gets pointers into it. The result is complex, or with
/// `complex_result` false one element of the part dtype.
fn call(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    addr: usize,
    part: DType,
    operands: &[(Value, Value)],
    complex_result: bool,
) -> Result<(Value, Option<Value>)> {
    let ty: Type = clif_type(part);
    let size = 2 * ty.bytes();
    let count = operands.len() as u32 + 1;
    let slot = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        size * count,
        size.trailing_zeros() as u8,
    ));
    let ptr = calls.pointer_type();
    let mut ptrs = Vec::with_capacity(count as usize);
    for (k, &(re, im)) in operands.iter().enumerate() {
        let at = (k as u32 * size) as i32;
        b.ins().stack_store(ptr, re, slot, at);
        b.ins().stack_store(ptr, im, slot, at + ty.bytes() as i32);
        ptrs.push(b.ins().stack_addr(ptr, slot, at));
    }
    let out = (operands.len() as u32 * size) as i32;
    ptrs.push(b.ins().stack_addr(ptr, slot, out));
    calls.call_address(b, addr, &ptrs)?;
    let re = b.ins().stack_load(ptr, ty, slot, out);
    let im = complex_result.then(|| b.ins().stack_load(ptr, ty, slot, out + ty.bytes() as i32));
    Ok((re, im))
}
