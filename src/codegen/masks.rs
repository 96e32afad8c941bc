//! `bool` values in vector loops over a wider dtype: each `bool` is a lane mask (all ones or
//! all zeros) as wide as the program's number lanes, e.g. `i64x2` next to `f64x2`. Masks
//! come from comparisons, casts and `bool` arrays (widened from 0/1 bytes when loaded),
//! combine with bitwise ops, drive `where` via `bitselect`, and are narrowed to 0/1 bytes
//! only when stored.

use super::lanes::VectorPlan;
use crate::error::Result;
use crate::ir::{BinaryOp, Op, UnaryOp};
use crate::types::DType;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, ConstantData, Endianness, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::FunctionBuilder;

/// Whether an instruction that touches `bool` values (`dt` is its result dtype,
/// `arg_dtypes` its operands') has a mask form on vectors of `base`.
pub(crate) fn native(op: &Op, dt: DType, arg_dtypes: &[DType], base: DType) -> bool {
    use DType::Bool;
    let all_bool = arg_dtypes.iter().all(|&d| d == Bool);
    match *op {
        // Number → bool (`x != 0`) and bool → number (0 or 1).
        Op::Cast(_) => true,
        Op::Select(..) => arg_dtypes[1] == dt && arg_dtypes[2] == dt,
        Op::Unary(UnaryOp::Not, _) => all_bool,
        Op::Unary(UnaryOp::IsNan, _) => base.is_float() && arg_dtypes[0] == base,
        Op::Binary(op, _, _) if all_bool => matches!(
            op,
            BinaryOp::And
                | BinaryOp::Or
                | BinaryOp::Xor
                | BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Eq
                | BinaryOp::Ne
        ),
        Op::Binary(op, _, _) => op.is_comparison() && dt == Bool,
        _ => false,
    }
}

/// The all-ones/all-zeros lane value for a 0/1 `bool` scalar (a hoisted constant or a
/// broadcast input), to be splatted.
pub(crate) fn scalar_mask(b: &mut FunctionBuilder, plan: VectorPlan, v: Value) -> Value {
    let lane = plan.mask_type().lane_type();
    let one = b.ins().band_imm_s(v, 1);
    let wide = if lane == types::I8 {
        one
    } else {
        b.ins().uextend(lane, one)
    };
    b.ins().ineg(wide)
}

/// Emits an instruction admitted by [`native`]; bool operands and results are masks.
pub(crate) fn emit(
    b: &mut FunctionBuilder,
    plan: VectorPlan,
    op: &Op,
    dt: DType,
    arg_dtypes: &[DType],
    args: &[Value],
) -> Result<Value> {
    let base = plan.dtype;
    let mask_ty = plan.mask_type();
    let flags = MemFlagsData::new;
    Ok(match *op {
        Op::StrCompare { .. } | Op::StrContains { .. } | Op::StrCopy(_) => {
            return Err(super::calls::internal("string ops have no vector form"))
        }
        Op::Cast(_) if dt == DType::Bool && arg_dtypes[0] == DType::Bool => args[0],
        Op::Cast(_) if dt == DType::Bool => {
            // `x != 0`: NaN is true, and Cranelift's `ne` is "unordered or not equal".
            if base.is_float() {
                let zero = b.ins().f64const(0.0);
                let zero = if base == DType::F32 {
                    b.ins().fdemote(types::F32, zero)
                } else {
                    zero
                };
                let zeros = b.ins().splat(plan.vec_type(), zero);
                b.ins().fcmp(FloatCC::NotEqual, args[0], zeros)
            } else {
                let zeros = b.ins().iconst(mask_ty.lane_type(), 0);
                let zeros = b.ins().splat(mask_ty, zeros);
                b.ins().icmp(IntCC::NotEqual, args[0], zeros)
            }
        }
        Op::Cast(_) => {
            // mask & bits(1): 1.0 (or integer 1) where true, 0 where false.
            let one_bits = match base {
                DType::F64 => 1.0f64.to_bits() as i64,
                DType::F32 => 1.0f32.to_bits() as i64,
                _ => 1,
            };
            let one = super::scalar::iconst(b, mask_ty.lane_type(), one_bits);
            let ones = b.ins().splat(mask_ty, one);
            let v = b.ins().band(args[0], ones);
            if base.is_float() {
                b.ins().bitcast(plan.vec_type(), flags(), v)
            } else {
                v
            }
        }
        Op::Select(..) => {
            let ty = b.func.dfg.value_type(args[1]);
            let c = if ty == mask_ty {
                args[0]
            } else {
                b.ins().bitcast(ty, flags(), args[0])
            };
            b.ins().bitselect(c, args[1], args[2])
        }
        Op::Unary(UnaryOp::Not, _) => b.ins().bnot(args[0]),
        Op::Unary(_, _) => b.ins().fcmp(FloatCC::Unordered, args[0], args[0]),
        Op::Binary(bop, _, _) if arg_dtypes[0] == DType::Bool => {
            let (x, y) = (args[0], args[1]);
            match bop {
                BinaryOp::And | BinaryOp::Mul => b.ins().band(x, y),
                BinaryOp::Or | BinaryOp::Add => b.ins().bor(x, y),
                BinaryOp::Eq => {
                    let d = b.ins().bxor(x, y);
                    b.ins().bnot(d)
                }
                _ => b.ins().bxor(x, y),
            }
        }
        Op::Binary(bop, _, _) => compare(b, bop, base, args[0], args[1]),
        Op::Input(_) | Op::Const(_) => unreachable!("inputs and constants are not computed"),
    })
}

/// A comparison of two vectors of `base`, as a mask.
fn compare(b: &mut FunctionBuilder, op: BinaryOp, base: DType, x: Value, y: Value) -> Value {
    use BinaryOp::*;
    if base.is_float() {
        let cc = match op {
            Lt => FloatCC::LessThan,
            Le => FloatCC::LessThanOrEqual,
            Eq => FloatCC::Equal,
            Ne => FloatCC::NotEqual,
            Ge => FloatCC::GreaterThanOrEqual,
            _ => FloatCC::GreaterThan,
        };
        return b.ins().fcmp(cc, x, y);
    }
    let s = base.is_signed_int();
    let cc = match op {
        Lt if s => IntCC::SignedLessThan,
        Lt => IntCC::UnsignedLessThan,
        Le if s => IntCC::SignedLessThanOrEqual,
        Le => IntCC::UnsignedLessThanOrEqual,
        Eq => IntCC::Equal,
        Ne => IntCC::NotEqual,
        Ge if s => IntCC::SignedGreaterThanOrEqual,
        Ge => IntCC::UnsignedGreaterThanOrEqual,
        Gt if s => IntCC::SignedGreaterThan,
        _ => IntCC::UnsignedGreaterThan,
    };
    b.ins().icmp(cc, x, y)
}

/// Stores the masks of consecutive vectors (a whole unrolled group: 16 or 32 lanes) as
/// 0/1 bytes at `addr + offset`, 16 bytes per store, with vector packs: 64-bit lanes are
/// first compacted pairwise to 32-bit ones by a shuffle (x64 has no 64-to-32 pack), then
/// `packssdw` and `packsswb` narrow them (saturation keeps all-ones and zero lanes exact),
/// and a negation turns -1 into 1. `masks` must fill whole stores ([`packs_whole`]).
pub(crate) fn store_bool_group(
    b: &mut FunctionBuilder,
    plan: VectorPlan,
    masks: &[Value],
    addr: Value,
    offset: i32,
) {
    debug_assert!(packs_whole(plan, masks.len() as u32));
    let le = MemFlagsData::new().with_endianness(Endianness::Little);
    let words: Vec<Value> = if plan.lanes == 2 {
        // The low 32 bits of each 64-bit lane of two masks: one `shufps`.
        let pick: Vec<u8> = [0u8, 8, 16, 24].iter().flat_map(|&s| s..s + 4).collect();
        let pick = b
            .func
            .dfg
            .immediates
            .push(ConstantData::from(pick.as_slice()));
        masks
            .chunks(2)
            .map(|pair| {
                let x = b.ins().bitcast(types::I8X16, le, pair[0]);
                let y = b.ins().bitcast(types::I8X16, le, pair[1]);
                let s = b.ins().shuffle(x, y, pick);
                b.ins().bitcast(types::I32X4, le, s)
            })
            .collect()
    } else {
        masks.to_vec()
    };
    let halves: Vec<Value> = words
        .chunks(2)
        .map(|p| b.ins().snarrow(p[0], p[1]))
        .collect();
    let flags = MemFlagsData::new();
    for (k, quads) in halves.chunks(2).enumerate() {
        let bytes = b.ins().snarrow(quads[0], quads[1]);
        let ones = b.ins().ineg(bytes);
        b.ins().store(flags, ones, addr, offset + 16 * k as i32);
    }
}

/// Whether `count` masks of `plan` fill whole 16-byte stores of bools, as
/// [`store_bool_group`] needs: 2- or 4-lane masks, 16 bools per store.
pub(crate) fn packs_whole(plan: VectorPlan, count: u32) -> bool {
    matches!(plan.lanes, 2 | 4) && count > 0 && count.is_multiple_of(16 / plan.lanes)
}

/// Stores a mask's lanes as 0/1 bytes at `addr + offset`: the lanes' sign bits
/// (`vhigh_bits`) are spread one per byte by a multiply (bit k moves to bit 8k; the
/// shifted copies never overlap, so nothing carries), then stored in one narrow store.
pub(crate) fn store_bools(
    b: &mut FunctionBuilder,
    plan: VectorPlan,
    mask: Value,
    addr: Value,
    offset: i32,
) {
    let lanes = plan.lanes;
    debug_assert!(lanes <= 4, "the plan admits masks of at most 4 lanes");
    let (spread, keep) = (0..lanes).fold((0i64, 0i64), |(m, k), j| {
        (m | 1 << (7 * j), k | 1 << (8 * j))
    });
    let bits = b.ins().vhigh_bits(types::I32, mask);
    let spread = b.ins().imul_imm_s(bits, spread);
    let bytes = b.ins().band_imm_s(spread, keep);
    let flags = MemFlagsData::new();
    match lanes {
        2 => {
            b.ins().istore16(flags, bytes, addr, offset);
        }
        _ => {
            b.ins().store(flags, bytes, addr, offset);
        }
    }
}

/// Loads `count` consecutive vectors' worth of `bool` bytes (0 or 1) at `addr` as lane
/// masks. Negating a byte gives its all-ones/all-zeros value, and one byte shuffle
/// (`pshufb`) per mask copies byte `l` into every byte of lane `l`. A whole unrolled group
/// ([`packs_whole`]) is read 16 bytes per load; a single vector's 2 or 4 bytes by one
/// narrow load.
pub(crate) fn load_bools(
    b: &mut FunctionBuilder,
    plan: VectorPlan,
    addr: Value,
    count: u32,
) -> Vec<Value> {
    let lanes = plan.lanes as usize;
    debug_assert!(
        matches!(lanes, 2 | 4),
        "the plan admits masks of 2 or 4 lanes"
    );
    let width = 16 / lanes;
    let le = MemFlagsData::new().with_endianness(Endianness::Little);
    let flags = MemFlagsData::new();
    // The mask of the `lanes` bools starting at byte `first` of `bytes`.
    let spread = |b: &mut FunctionBuilder, bytes: Value, first: usize| {
        let pick: Vec<u8> = (0..16).map(|j| (first + j / width) as u8).collect();
        let pick = b
            .func
            .dfg
            .immediates
            .push(ConstantData::from(pick.as_slice()));
        let s = b.ins().shuffle(bytes, bytes, pick);
        b.ins().bitcast(plan.mask_type(), le, s)
    };
    let mut masks = Vec::with_capacity(count as usize);
    if packs_whole(plan, count) {
        for k in 0..count as usize * lanes / 16 {
            let raw = b.ins().load(types::I8X16, flags, addr, 16 * k as i32);
            let bytes = b.ins().ineg(raw);
            for j in 0..16 / lanes {
                masks.push(spread(b, bytes, j * lanes));
            }
        }
    } else {
        for u in 0..count as usize {
            let offset = (u * lanes) as i32;
            let raw = if lanes == 2 {
                b.ins().uload16(types::I32, flags, addr, offset)
            } else {
                b.ins().load(types::I32, flags, addr, offset)
            };
            let v = b.ins().scalar_to_vector(types::I32X4, raw);
            let v = b.ins().bitcast(types::I8X16, le, v);
            let bytes = b.ins().ineg(v);
            masks.push(spread(b, bytes, 0));
        }
    }
    masks
}
