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

mod float;
mod int;

use crate::ir::{BinaryOp, Op, Program, UnaryOp, ValueId};
use crate::types::{DType, Scalar};
use float::FloatOps;
use int::IntOps;

/// NumPy's result of one-operand `op` on `x` (`x.dtype()` is the IR operand dtype; `dtype`
/// the result dtype).
pub fn unary(op: UnaryOp, x: Scalar, dtype: DType) -> Scalar {
    let r = match x {
        // Complex: not yet evaluated (helper fills `complex.rs`).
        Scalar::C64(_) | Scalar::C128(_) => x,
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
    let b = b.cast(a.dtype());
    let r = match (a, b) {
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
pub fn eval_element(program: &Program, inputs: &[Scalar]) -> Scalar {
    // No outputs (malformed) reads as a missing instruction, not a panic.
    let first = program.outputs.first().copied().unwrap_or(ValueId::MAX);
    output(program, &eval_values(program, inputs), first)
}

/// Evaluates the program on one element, as [`eval_element`], and writes the value of every
/// [`Program::outputs`] entry, in order, to `out` (cleared first; a reused buffer saves the
/// allocation per element).
pub fn eval_element_multi(program: &Program, inputs: &[Scalar], out: &mut Vec<Scalar>) {
    let values = eval_values(program, inputs);
    out.clear();
    out.extend(program.outputs.iter().map(|&o| output(program, &values, o)));
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
fn eval_values(program: &Program, inputs: &[Scalar]) -> Vec<Scalar> {
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
            // Strings are not scalars; `eval_element_str` evaluates these.
            Op::StrCompare { .. } | Op::StrContains { .. } => Scalar::Bool(false),
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
