//! Which programs the wide generator takes, and where their values and pointers go.

use crate::codegen::{Access, Layout};
use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::types::{DType, Scalar};

/// The most pointers the loop keeps in registers: the ABI's argument registers that are
/// free once the pointer arrays have been read (see `emit`).
pub(super) const MAX_POINTERS: usize = 6;

/// A value computed once, before the loop, into a register of its own.
#[derive(Clone, Copy, Debug)]
pub(super) enum Hoist {
    /// A constant's bits.
    Const(u64),
    /// A broadcast input's one element.
    Broadcast(usize),
    /// The sign bit of every lane (for `neg` and `abs`).
    SignBit,
}

/// How the wide generator lays out a program it covers.
pub(super) struct Plan {
    /// The hoisted values in register order: hoist `r` lives in zmm `r`.
    pub hoists: Vec<Hoist>,
    /// Per instruction, its hoisted register (constants and broadcast inputs).
    pub hoisted: Vec<Option<usize>>,
    /// Per program input, its pointer slot when it streams (`None`: broadcast or unread).
    pub input_slot: Vec<Option<usize>>,
    /// Per program output, its pointer slot.
    pub output_slot: Vec<usize>,
    /// The sign-bit register, when the program negates or takes an absolute value.
    pub sign: Option<usize>,
}

/// The comparison predicate of `op` for `vcmppd`: ordered and false with a NaN operand,
/// except `!=`, which NaN makes true (NumPy's semantics).
pub(super) fn predicate(op: BinaryOp) -> Option<i32> {
    Some(match op {
        BinaryOp::Eq => 0x00, // EQ_OQ
        BinaryOp::Ne => 0x04, // NEQ_UQ
        BinaryOp::Lt => 0x11, // LT_OQ
        BinaryOp::Le => 0x12, // LE_OQ
        BinaryOp::Gt => 0x1e, // GT_OQ
        BinaryOp::Ge => 0x1d, // GE_OQ
        _ => return None,
    })
}

/// The plan for `program` over `layout`, or `None` where the generator does not cover it.
pub(super) fn plan(program: &Program, layout: &Layout) -> Option<Plan> {
    let f64_at = |v: u32| program.insts.get(v as usize).map(|i| i.dtype) == Some(DType::F64);
    let mut hoists = Vec::new();
    let mut hoisted = vec![None; program.insts.len()];
    let mut input_slot = vec![None; program.inputs.len()];
    let mut pointers = 0;
    let mut sign = None;
    for (i, inst) in program.insts.iter().enumerate() {
        let covered = match &inst.op {
            Op::Input(j) => {
                let j = *j;
                if program.inputs.get(j)?.dtype != DType::F64 || inst.dtype != DType::F64 {
                    return None;
                }
                match layout.inputs.get(j)? {
                    Access::Contiguous => {
                        if input_slot[j].is_none() {
                            input_slot[j] = Some(pointers);
                            pointers += 1;
                        }
                    }
                    Access::Broadcast => {
                        hoisted[i] = Some(hoists.len());
                        hoists.push(Hoist::Broadcast(j));
                    }
                    Access::Strided => return None,
                }
                true
            }
            Op::Const(Scalar::F64(x)) if inst.dtype == DType::F64 => {
                hoisted[i] = Some(hoists.len());
                hoists.push(Hoist::Const(x.to_bits()));
                true
            }
            Op::Binary(op, x, y) => {
                let arith = matches!(
                    op,
                    BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div
                );
                let operands = f64_at(*x) && f64_at(*y);
                operands
                    && ((arith && inst.dtype == DType::F64)
                        || (predicate(*op).is_some() && inst.dtype == DType::Bool))
            }
            Op::Unary(op, x) => {
                let sign_op = matches!(op, UnaryOp::Neg | UnaryOp::Abs);
                if sign_op && sign.is_none() {
                    sign = Some(hoists.len());
                    hoists.push(Hoist::SignBit);
                }
                f64_at(*x) && inst.dtype == DType::F64 && (sign_op || *op == UnaryOp::Sqrt)
            }
            Op::Select(c, t, e) => {
                let cond = program.insts.get(*c as usize).map(|i| i.dtype) == Some(DType::Bool);
                cond && f64_at(*t) && f64_at(*e) && inst.dtype == DType::F64
            }
            _ => false,
        };
        if !covered {
            return None;
        }
    }
    // A `bool` value is only ever a `where` condition (everything else reads `float64`);
    // it must not be an output either.
    if !program.outputs.iter().all(|&o| f64_at(o)) {
        return None;
    }
    if layout.outputs.len() != program.outputs.len()
        || layout.outputs.iter().any(|&a| a != Access::Contiguous)
    {
        return None;
    }
    let output_slot: Vec<usize> = (pointers..pointers + program.outputs.len()).collect();
    if pointers + output_slot.len() > MAX_POINTERS {
        return None;
    }
    Some(Plan {
        hoists,
        hoisted,
        input_slot,
        output_slot,
        sign,
    })
}
