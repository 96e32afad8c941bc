//! The reference evaluator: runs a typed [`Program`] on one element, in plain Rust.
//!
//! It is the oracle of the differential tests, so it shares nothing with the code
//! generator; it is also what constant folding ([`crate::ir::fold`]) computes with, so
//! that folding never changes a result. Semantics are NumPy 2's, with the choices
//! documented on [`crate::ir::BinaryOp`] and [`crate::ir::UnaryOp`] where NumPy warns,
//! raises, or is platform-defined.
//!
//! Every function is total: a malformed program (operands of mismatched dtypes, a
//! float-only op on integers, an out-of-range operand id) gives *some* value, never a
//! panic. Well-formed programs, as lowering produces them, never meet those fallbacks.

mod complex;
mod float;
mod int;
mod strings;

use crate::ir::{BinaryOp, Op, Program, StrOperand, UnaryOp, ValueId};
use crate::types::{DType, Scalar};
use float::FloatOps;
use int::IntOps;
pub use strings::{str_compare, str_contains, str_order};

/// NumPy's result of one-operand `op` on `x` (`x.dtype()` is the IR operand dtype; `dtype`
/// the result dtype).
pub fn unary(op: UnaryOp, x: Scalar, dtype: DType) -> Scalar {
    let r = match x {
        Scalar::C64(_) | Scalar::C128(_) => complex::unary(op, x),
        // `bool` is computed as `uint8` 0/1, except logical not.
        Scalar::Bool(v) => match op {
            UnaryOp::Not => Scalar::Bool(!v),
            _ => unary(op, Scalar::U8(v as u8), DType::U8),
        },
        Scalar::I8(v) => from_int(<i8 as IntOps>::unary(op, v), Scalar::I8, || {
            unary_f64(op, x)
        }),
        Scalar::I16(v) => from_int(<i16 as IntOps>::unary(op, v), Scalar::I16, || {
            unary_f64(op, x)
        }),
        Scalar::I32(v) => from_int(<i32 as IntOps>::unary(op, v), Scalar::I32, || {
            unary_f64(op, x)
        }),
        Scalar::I64(v) => from_int(<i64 as IntOps>::unary(op, v), Scalar::I64, || {
            unary_f64(op, x)
        }),
        Scalar::U8(v) => from_int(<u8 as IntOps>::unary(op, v), Scalar::U8, || {
            unary_f64(op, x)
        }),
        Scalar::U16(v) => from_int(<u16 as IntOps>::unary(op, v), Scalar::U16, || {
            unary_f64(op, x)
        }),
        Scalar::U32(v) => from_int(<u32 as IntOps>::unary(op, v), Scalar::U32, || {
            unary_f64(op, x)
        }),
        Scalar::U64(v) => from_int(<u64 as IntOps>::unary(op, v), Scalar::U64, || {
            unary_f64(op, x)
        }),
        Scalar::F32(v) => from_float(<f32 as FloatOps>::unary(op, v), Scalar::F32, || {
            unary_i64(op, x)
        }),
        Scalar::F64(v) => from_float(<f64 as FloatOps>::unary(op, v), Scalar::F64, || {
            unary_i64(op, x)
        }),
    };
    r.cast(dtype)
}

/// NumPy's result of `op` on two operands of the same dtype; `dtype` is the result dtype.
///
/// Should the operands' dtypes differ, `b` is first cast to `a`'s dtype.
pub fn binary(op: BinaryOp, a: Scalar, b: Scalar, dtype: DType) -> Scalar {
    // The one op whose operands (two floats) differ in kind from its result.
    if op == BinaryOp::Complex {
        return complex::from_parts(a, b.cast(a.dtype())).cast(dtype);
    }
    let b = b.cast(a.dtype());
    let r = match (a, b) {
        (Scalar::C64(_), _) | (Scalar::C128(_), _) => complex::binary(op, a, b),
        // `bool` is computed as `uint8` 0/1: `+` is or, `*` is and, `&|^` are logical.
        (Scalar::Bool(x), Scalar::Bool(y)) => {
            binary(op, Scalar::U8(x as u8), Scalar::U8(y as u8), DType::U8)
        }
        (Scalar::I8(x), Scalar::I8(y)) => {
            from_int(<i8 as IntOps>::binary(op, x, y), Scalar::I8, || {
                binary_f64(op, a, b)
            })
        }
        (Scalar::I16(x), Scalar::I16(y)) => {
            from_int(<i16 as IntOps>::binary(op, x, y), Scalar::I16, || {
                binary_f64(op, a, b)
            })
        }
        (Scalar::I32(x), Scalar::I32(y)) => {
            from_int(<i32 as IntOps>::binary(op, x, y), Scalar::I32, || {
                binary_f64(op, a, b)
            })
        }
        (Scalar::I64(x), Scalar::I64(y)) => {
            from_int(<i64 as IntOps>::binary(op, x, y), Scalar::I64, || {
                binary_f64(op, a, b)
            })
        }
        (Scalar::U8(x), Scalar::U8(y)) => {
            from_int(<u8 as IntOps>::binary(op, x, y), Scalar::U8, || {
                binary_f64(op, a, b)
            })
        }
        (Scalar::U16(x), Scalar::U16(y)) => {
            from_int(<u16 as IntOps>::binary(op, x, y), Scalar::U16, || {
                binary_f64(op, a, b)
            })
        }
        (Scalar::U32(x), Scalar::U32(y)) => {
            from_int(<u32 as IntOps>::binary(op, x, y), Scalar::U32, || {
                binary_f64(op, a, b)
            })
        }
        (Scalar::U64(x), Scalar::U64(y)) => {
            from_int(<u64 as IntOps>::binary(op, x, y), Scalar::U64, || {
                binary_f64(op, a, b)
            })
        }
        (Scalar::F32(x), Scalar::F32(y)) => {
            from_float(<f32 as FloatOps>::binary(op, x, y), Scalar::F32, || {
                binary_i64(op, a, b)
            })
        }
        (Scalar::F64(x), Scalar::F64(y)) => {
            from_float(<f64 as FloatOps>::binary(op, x, y), Scalar::F64, || {
                binary_i64(op, a, b)
            })
        }
        // Unreachable: `b` was cast to `a`'s dtype above.
        _ => a,
    };
    r.cast(dtype)
}

/// `where(cond, then, otherwise)`: `cond` is truthy as [`Scalar::cast`] to `bool` says.
pub fn select(cond: Scalar, then: Scalar, otherwise: Scalar, dtype: DType) -> Scalar {
    let chosen = if matches!(cond.cast(DType::Bool), Scalar::Bool(true)) {
        then
    } else {
        otherwise
    };
    chosen.cast(dtype)
}

/// Evaluates the program on one element: `inputs[i]` is the element of `program.inputs[i]`.
/// Returns the first output's value; [`eval_element_multi`] returns every output's.
///
/// A missing input or an operand id that is not an earlier instruction reads as zero.
/// String inputs read as empty strings; [`eval_element_with_strs`] passes their bytes.
pub fn eval_element(program: &Program, inputs: &[Scalar]) -> Scalar {
    eval_element_with_strs(program, inputs, &[])
}

/// The bytes of a string operand: input `k`'s element from `strs` (empty when missing), or
/// the literal.
fn str_operand<'a>(o: &'a StrOperand, strs: &[&'a [u8]]) -> &'a [u8] {
    match o {
        StrOperand::Input(k) => strs.get(*k).copied().unwrap_or(&[]),
        StrOperand::Literal(bytes) => bytes,
    }
}

/// As [`eval_element`], with `strs[i]` the raw bytes of the element of `program.inputs[i]`
/// where that input is a string (`S<n>`: `n` bytes; `U<n>`: `4n` bytes of native-endian code
/// points); entries for numeric inputs are ignored.
pub fn eval_element_with_strs(program: &Program, inputs: &[Scalar], strs: &[&[u8]]) -> Scalar {
    // No outputs (malformed) reads as a missing instruction, not a panic.
    let first = program.outputs.first().copied().unwrap_or(ValueId::MAX);
    output(program, &eval_values(program, inputs, strs), first)
}

/// Evaluates the program on one element, as [`eval_element_with_strs`], and writes the value
/// of every [`Program::outputs`] entry, in order, to `out` (cleared first; a reused buffer
/// saves the allocation per element).
pub fn eval_element_multi(
    program: &Program,
    inputs: &[Scalar],
    strs: &[&[u8]],
    out: &mut Vec<Scalar>,
) {
    let values = eval_values(program, inputs, strs);
    out.clear();
    out.extend(program.outputs.iter().map(|&o| output(program, &values, o)));
}

/// Appends the bytes of output instruction `id` to `buf` when it is a string copy
/// ([`Op::StrCopy`]): its string, truncated or NUL-padded to the instruction dtype's size,
/// as [`eval_element_with_strs`] takes string inputs. Appends nothing (and returns
/// `false`) for any other instruction, whose value is a [`Scalar`].
pub fn write_str_output(program: &Program, id: ValueId, strs: &[&[u8]], buf: &mut Vec<u8>) -> bool {
    let Some(inst) = program.insts.get(id as usize) else {
        return false;
    };
    let Op::StrCopy(ref o) = inst.op else {
        return false;
    };
    let bytes = str_operand(o, strs);
    let size = inst.dtype.size();
    let n = bytes.len().min(size);
    buf.extend_from_slice(&bytes[..n]);
    buf.resize(buf.len() + (size - n), 0);
    true
}

/// The value of output instruction `id`; zero of `float64` when `id` is no instruction.
fn output(program: &Program, values: &[Scalar], id: ValueId) -> Scalar {
    let dtype = program
        .insts
        .get(id as usize)
        .map_or(DType::F64, |i| i.dtype);
    values
        .get(id as usize)
        .copied()
        .unwrap_or(Scalar::from_bits(dtype, 0))
}

/// The value of every instruction of `program` on one element.
fn eval_values(program: &Program, inputs: &[Scalar], strs: &[&[u8]]) -> Vec<Scalar> {
    let mut values: Vec<Scalar> = Vec::with_capacity(program.insts.len());
    for inst in &program.insts {
        let get = |id: u32| -> Scalar {
            values
                .get(id as usize)
                .copied()
                .unwrap_or(Scalar::from_bits(inst.dtype, 0))
        };
        let t = inst.dtype;
        let v = match inst.op {
            Op::Input(k) => inputs
                .get(k)
                .copied()
                .unwrap_or(Scalar::from_bits(t, 0))
                .cast(t),
            Op::Const(c) => c.cast(t),
            Op::Cast(a) => get(a).cast(t),
            Op::Unary(op, a) => unary(op, get(a), t),
            Op::Binary(op, a, b) => binary(op, get(a), get(b), t),
            Op::Select(c, a, b) => select(get(c), get(a), get(b), t),
            Op::StrCompare {
                op,
                unicode,
                ref lhs,
                ref rhs,
            } => Scalar::Bool(str_compare(
                op,
                unicode,
                str_operand(lhs, strs),
                str_operand(rhs, strs),
            )),
            Op::StrContains {
                unicode,
                ref haystack,
                ref needle,
            } => Scalar::Bool(str_contains(
                unicode,
                str_operand(haystack, strs),
                str_operand(needle, strs),
            )),
            // Strings are not scalars: `write_str_output` gives a copy's bytes.
            Op::StrCopy(_) => Scalar::from_bits(t, 0),
        };
        values.push(v);
    }
    values
}

/// Converts an integer op's outcome to a [`Scalar`]; `fallback` computes float-only ops.
fn from_int<T>(
    out: int::Out<T>,
    wrap: fn(T) -> Scalar,
    fallback: impl FnOnce() -> Scalar,
) -> Scalar {
    match out {
        int::Out::Val(v) => wrap(v),
        int::Out::Bool(v) => Scalar::Bool(v),
        int::Out::NotInt => fallback(),
    }
}

/// Converts a float op's outcome to a [`Scalar`]; `fallback` computes integer-only ops.
fn from_float<T>(
    out: float::Out<T>,
    wrap: fn(T) -> Scalar,
    fallback: impl FnOnce() -> Scalar,
) -> Scalar {
    match out {
        float::Out::Val(v) => wrap(v),
        float::Out::Bool(v) => Scalar::Bool(v),
        float::Out::NotFloat => fallback(),
    }
}

// Fallbacks for ops outside their dtype's domain (lowering never emits them): float-only
// ops on integers compute in float64, integer-only ops on floats compute in int64, and the
// result is cast back to the operand dtype by the caller's final cast.

fn unary_f64(op: UnaryOp, x: Scalar) -> Scalar {
    unary(op, x.cast(DType::F64), DType::F64)
}

fn binary_f64(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    binary(op, a.cast(DType::F64), b.cast(DType::F64), DType::F64)
}

fn unary_i64(op: UnaryOp, x: Scalar) -> Scalar {
    unary(op, x.cast(DType::I64), DType::I64)
}

fn binary_i64(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    binary(op, a.cast(DType::I64), b.cast(DType::I64), DType::I64)
}

#[cfg(test)]
mod tests;
