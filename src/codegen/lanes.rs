//! Vector shapes and vector instructions for the contiguous fast path.
//!
//! Cranelift's x86-64 backend has 128-bit vectors only. A program gets a vector loop when
//! every value in it has one dtype (so every value is exactly one vector of `16 / size`
//! lanes), its output is contiguous and no input is strided. Ops that x64 lowers natively
//! are emitted as vector instructions; the rest are computed lane by lane with the scalar
//! emitter (extract, compute, insert), so a vector kernel never fails to lower.

use super::calls::Callees;
use super::scalar::{self, clif_type};
use super::{Access, Layout};
use crate::error::Result;
use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::types::DType;
use cranelift_codegen::ir::{InstBuilder, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// The vector shape chosen for a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VectorPlan {
    /// The one dtype of every value.
    pub dtype: DType,
    /// Elements per vector.
    pub lanes: u32,
}

impl VectorPlan {
    /// The Cranelift vector type (`f64x2`, `i8x16`, …).
    pub(crate) fn vec_type(self) -> Type {
        clif_type(self.dtype)
            .by(self.lanes)
            .expect("16-byte vectors exist for every dtype")
    }
}

/// Picks a vector plan when one is possible and worthwhile (at least as many native
/// vector ops as lane-by-lane ones), else `None` for a scalar loop.
pub(crate) fn plan(program: &Program, layout: &Layout) -> Option<VectorPlan> {
    let dt = program.insts.get(program.result as usize)?.dtype;
    if layout.output != Access::Contiguous || layout.inputs.contains(&Access::Strided) {
        return None;
    }
    if program.inputs.iter().any(|i| i.dtype != dt) || program.insts.iter().any(|i| i.dtype != dt) {
        return None;
    }
    let (mut native_ops, mut lane_ops) = (0usize, 0usize);
    for inst in &program.insts {
        match inst.op {
            Op::Input(_) | Op::Const(_) | Op::Cast(_) => {}
            ref op if is_native(op, dt) => native_ops += 1,
            _ => lane_ops += 1,
        }
    }
    (native_ops >= lane_ops).then(|| VectorPlan {
        dtype: dt,
        lanes: 16 / dt.size() as u32,
    })
}

/// Whether x64 lowers `op` on vectors of `dt` directly.
fn is_native(op: &Op, dt: DType) -> bool {
    use BinaryOp as B;
    use UnaryOp as U;
    match *op {
        Op::Unary(u, _) if dt.is_float() => {
            matches!(
                u,
                U::Neg | U::Abs | U::Sqrt | U::Ceil | U::Floor | U::Trunc | U::Round
            )
        }
        Op::Binary(b, _, _) if dt.is_float() => matches!(b, B::Add | B::Sub | B::Mul | B::Div),
        Op::Unary(u, _) if dt.is_int() => matches!(u, U::Neg | U::Not),
        // x64 has no 8-bit lane multiply.
        Op::Binary(B::Mul, _, _) if dt.is_int() => dt.size() >= 2 && dt.size() < 8,
        Op::Binary(b, _, _) => {
            matches!(b, B::Add | B::Sub | B::And | B::Or | B::Xor) && (dt.is_int() || b != B::Sub)
        }
        _ => false,
    }
}

/// Emits a computing instruction on vectors of the plan's dtype. `uniform[k]` is the
/// scalar behind operand `k` when it is a hoisted constant or broadcast input: the
/// lane-by-lane fallback uses it directly, so e.g. a division sees its `iconst` divisor.
pub(crate) fn emit(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    plan: VectorPlan,
    op: &Op,
    args: &[Value],
    uniform: &[Option<Value>],
) -> Result<Value> {
    let dt = plan.dtype;
    if let Op::Cast(_) = op {
        // A uniform program only casts to its own dtype.
        return Ok(args[0]);
    }
    if is_native(op, dt) {
        let v = match *op {
            Op::Unary(u, _) => match u {
                UnaryOp::Neg if dt.is_float() => b.ins().fneg(args[0]),
                UnaryOp::Neg => b.ins().ineg(args[0]),
                UnaryOp::Not => b.ins().bnot(args[0]),
                UnaryOp::Abs => b.ins().fabs(args[0]),
                UnaryOp::Sqrt => b.ins().sqrt(args[0]),
                UnaryOp::Ceil => b.ins().ceil(args[0]),
                UnaryOp::Floor => b.ins().floor(args[0]),
                UnaryOp::Trunc => b.ins().trunc(args[0]),
                _ => b.ins().nearest(args[0]),
            },
            Op::Binary(bop, _, _) => {
                let (x, y) = (args[0], args[1]);
                match bop {
                    BinaryOp::Add if dt.is_float() => b.ins().fadd(x, y),
                    BinaryOp::Sub if dt.is_float() => b.ins().fsub(x, y),
                    BinaryOp::Mul if dt.is_float() => b.ins().fmul(x, y),
                    BinaryOp::Div => b.ins().fdiv(x, y),
                    // NumPy's bool `+` is logical or.
                    BinaryOp::Add if dt == DType::Bool => b.ins().bor(x, y),
                    BinaryOp::Add => b.ins().iadd(x, y),
                    BinaryOp::Sub => b.ins().isub(x, y),
                    BinaryOp::Mul => b.ins().imul(x, y),
                    BinaryOp::And => b.ins().band(x, y),
                    BinaryOp::Or => b.ins().bor(x, y),
                    _ => b.ins().bxor(x, y),
                }
            }
            _ => unreachable!("is_native admits only unary and binary ops"),
        };
        return Ok(v);
    }
    // Lane by lane through the scalar emitter.
    let arg_dtypes = vec![dt; args.len()];
    let mut out: Option<Value> = None;
    for lane in 0..plan.lanes as u8 {
        let xs: Vec<Value> = args
            .iter()
            .zip(uniform)
            .map(|(&a, &u)| u.unwrap_or_else(|| b.ins().extractlane(a, lane)))
            .collect();
        let r = scalar::emit(b, calls, op, dt, &arg_dtypes, &xs)?;
        out = Some(match out {
            None => b.ins().splat(plan.vec_type(), r),
            Some(v) => b.ins().insertlane(v, r, lane),
        });
    }
    Ok(out.expect("a vector has at least one lane"))
}
