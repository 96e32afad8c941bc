//! Vector shapes and vector instructions for the contiguous fast path.
//!
//! Cranelift's x86-64 backend has 128-bit vectors only. A program gets a vector loop when
//! every value in it has one dtype (so every value is exactly one vector of `16 / size`
//! lanes; a `bool` program's logic, comparisons and `where` work on 0/1 bytes, 16 per
//! vector), or one dtype of 4 or 8 bytes plus `bool` values that are lane masks (see
//! [`super::masks`]; `bool` arrays are widened to masks when loaded); its outputs are
//! contiguous, and strided inputs are gathered with scalar loads. Ops that x64 lowers natively
//! are emitted as vector instructions; the rest are computed lane by lane with the scalar
//! emitter (extract, compute, insert), so a vector kernel never fails to lower.
//! Complex programs get a plan over their part type from [`super::complex_lanes`].

use super::calls::Callees;
use super::scalar::{self, clif_type};
use super::{Access, Layout};
use crate::error::Result;
use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::types::DType;
use cranelift_codegen::ir::condcodes::IntCC;
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
    /// The integer vector type of a lane mask (`i64x2` for `f64x2`).
    pub(crate) fn mask_type(self) -> Type {
        Type::int(self.dtype.bits() as u16)
            .and_then(|t| t.by(self.lanes))
            .expect("integer lanes exist for every width")
    }
    /// Whether `bool` values are lane masks (the plan's dtype is not `bool` itself).
    pub(crate) fn masks(self) -> bool {
        self.dtype != DType::Bool
    }
    /// The vector type holding values of dtype `dt`.
    pub(crate) fn value_type(self, dt: DType) -> Type {
        if dt == DType::Bool && self.masks() {
            self.mask_type()
        } else {
            self.vec_type()
        }
    }
}

/// Picks a vector plan when one is possible and worthwhile (at least as many native
/// vector ops as lane-by-lane ones), else `None` for a scalar loop.
pub(crate) fn plan(program: &Program, layout: &Layout) -> Option<VectorPlan> {
    use DType::Bool;
    // Outputs of other widths than the plan's (only `bool` masks qualify) are stored per
    // output below; any other mix of dtypes falls back to the scalar loop like any mixed
    // program, and so does a strided output (no scatter).
    if program.outputs.is_empty()
        || program
            .outputs
            .iter()
            .any(|&o| program.insts.get(o as usize).is_none())
        || layout.outputs.iter().any(|&a| a != Access::Contiguous)
    {
        return None;
    }
    // String ops (copies too) are helper calls on addresses: only the scalar loop computes
    // them. Complex values are two vectors each: see `complex_lanes`.
    if program.insts.iter().any(|i| {
        matches!(
            i.op,
            Op::StrCompare { .. } | Op::StrContains { .. } | Op::StrCopy(_)
        )
    }) {
        return None;
    }
    if program.insts.iter().any(|i| i.dtype.is_complex())
        || program.inputs.iter().any(|i| i.dtype.is_complex())
    {
        return super::complex_lanes::plan(program, layout);
    }
    // The one non-`bool` dtype (or `bool` when every value is one).
    let dt = program
        .insts
        .iter()
        .map(|i| i.dtype)
        .find(|&d| d != Bool)
        .unwrap_or(Bool);
    if program
        .insts
        .iter()
        .any(|i| i.dtype != dt && i.dtype != Bool)
    {
        return None;
    }
    let masks = dt != Bool && program.insts.iter().any(|i| i.dtype == Bool);
    // Masks narrow to bytes (and `bool` arrays widen from them) for 2- or 4-lane vectors
    // only: see `masks::store_bools` and `masks::load_bools`.
    if masks && dt.size() < 4 {
        return None;
    }
    let (mut native_ops, mut lane_ops) = (0usize, 0usize);
    for inst in &program.insts {
        let arg_dtypes = program.operand_dtypes(&inst.op);
        match inst.op {
            Op::Input(_) | Op::Const(_) => {}
            ref op if masks && (inst.dtype == Bool || arg_dtypes.contains(&Bool)) => {
                // Masks never go lane by lane.
                if !super::masks::native(op, inst.dtype, &arg_dtypes, dt) {
                    return None;
                }
                native_ops += 1;
            }
            Op::Cast(_) => {}
            ref op if is_native(op, dt) => native_ops += 1,
            _ => lane_ops += 1,
        }
    }
    // A gathered input costs about one native op's worth of extra work per vector.
    let gathered = program
        .insts
        .iter()
        .filter(|i| matches!(i.op, Op::Input(k) if layout.inputs[k] == Access::Strided))
        .count();
    (native_ops >= lane_ops && native_ops >= gathered).then(|| VectorPlan {
        dtype: dt,
        lanes: 16 / dt.size() as u32,
    })
}

/// Whether x64 lowers `op` on vectors of `dt` directly.
pub(crate) fn is_native(op: &Op, dt: DType) -> bool {
    use BinaryOp as B;
    use UnaryOp as U;
    match *op {
        _ if dt == DType::Bool => bool_native(op),
        Op::Unary(u, _) if dt.is_float() => {
            matches!(
                u,
                U::Neg | U::Abs | U::Sqrt | U::Ceil | U::Floor | U::Trunc | U::Round
            )
        }
        Op::Binary(b, _, _) if dt.is_float() => matches!(b, B::Add | B::Sub | B::Mul | B::Div),
        Op::Unary(u, _) if dt.is_int() => matches!(u, U::Neg | U::Not),
        // x64 has no 8-bit lane multiply, and its 64-bit one (AVX-512 `vpmullq`, or a
        // `pmuludq` sequence) is slower than two scalar `imul`s.
        Op::Binary(B::Mul, _, _) if dt.is_int() => dt.size() >= 2 && dt.size() < 8,
        Op::Binary(b, _, _) => {
            matches!(b, B::Add | B::Sub | B::And | B::Or | B::Xor) && (dt.is_int() || b != B::Sub)
        }
        _ => false,
    }
}

/// Whether a `bool` plan (16 bools of 0/1 bytes per vector) computes `op` with byte-lane
/// instructions: logic, NumPy's logical bool arithmetic, comparisons and `where`.
fn bool_native(op: &Op) -> bool {
    match *op {
        Op::Unary(UnaryOp::Not, _) | Op::Select(..) => true,
        Op::Binary(b, _, _) => {
            b.is_comparison()
                || matches!(
                    b,
                    BinaryOp::Add
                        | BinaryOp::Sub
                        | BinaryOp::Mul
                        | BinaryOp::And
                        | BinaryOp::Or
                        | BinaryOp::Xor
                )
        }
        _ => false,
    }
}

/// Emits an op admitted by [`bool_native`] on `i8x16` vectors of 0/1 bytes, as the scalar
/// emitter computes it per byte (`ops_int`): `~` flips bit 0, `+ * -` are `| & ^`,
/// a comparison's all-ones lanes become 1, and `where` tests its condition against zero.
fn emit_bool(b: &mut FunctionBuilder, op: &Op, args: &[Value]) -> Value {
    use cranelift_codegen::ir::types::{I8, I8X16};
    use BinaryOp as B;
    let splat = |b: &mut FunctionBuilder, x: i64| {
        let c = b.ins().iconst(I8, x);
        b.ins().splat(I8X16, c)
    };
    match *op {
        Op::Unary(..) => {
            let one = splat(b, 1);
            b.ins().bxor(args[0], one)
        }
        Op::Select(..) => {
            let zero = splat(b, 0);
            let cond = b.ins().icmp(IntCC::NotEqual, args[0], zero);
            b.ins().bitselect(cond, args[1], args[2])
        }
        Op::Binary(bop, _, _) => {
            let (x, y) = (args[0], args[1]);
            let cc = match bop {
                B::And | B::Mul => return b.ins().band(x, y),
                B::Or | B::Add => return b.ins().bor(x, y),
                B::Xor | B::Sub => return b.ins().bxor(x, y),
                B::Lt => IntCC::UnsignedLessThan,
                B::Le => IntCC::UnsignedLessThanOrEqual,
                B::Eq => IntCC::Equal,
                B::Ne => IntCC::NotEqual,
                B::Ge => IntCC::UnsignedGreaterThanOrEqual,
                _ => IntCC::UnsignedGreaterThan,
            };
            let m = b.ins().icmp(cc, x, y);
            let one = splat(b, 1);
            b.ins().band(m, one)
        }
        _ => unreachable!("bool_native admits only these ops"),
    }
}

/// Emits a computing instruction with result dtype `result` on operands of `arg_dtypes`.
/// `uniform[k]` is the scalar behind operand `k` when it is a hoisted constant or
/// broadcast input: the lane-by-lane fallback uses it directly, so e.g. a division sees
/// its `iconst` divisor.
pub(crate) fn emit(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    plan: VectorPlan,
    op: &Op,
    (result, arg_dtypes): (DType, &[DType]),
    args: &[Value],
    uniform: &[Option<Value>],
) -> Result<Value> {
    let dt = plan.dtype;
    if plan.masks() && (result == DType::Bool || arg_dtypes.contains(&DType::Bool)) {
        return super::masks::emit(b, plan, op, result, arg_dtypes, args);
    }
    if let Op::Cast(_) = op {
        // A uniform program only casts to its own dtype.
        return Ok(args[0]);
    }
    if dt == DType::Bool && is_native(op, dt) {
        return Ok(emit_bool(b, op, args));
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
