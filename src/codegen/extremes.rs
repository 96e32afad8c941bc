//! Running extremes: a second entry point for a program whose one output is `float64` or
//! `float32`, giving the `min` or `max` of a range of that output straight from the
//! inputs, so that a fused `min`/`max` never stores its argument.
//!
//! jitex's `min`/`max` is the first NaN if there is one, else the first of the smallest
//! (largest) elements (`runtime::reduce`). Without NaNs the extreme's *value* does not
//! depend on the order, and two equal floats differ in bits only when they are zeros of
//! opposite sign. So the function keeps running extremes in vector lanes (`minpd`/`maxpd`
//! on x86-64), notes whether it met a NaN, and says the result is exact only when it met
//! none and the extreme is not a zero; otherwise the caller reduces the range in order.
//!
//! The function has the [`ExtremeFn`] ABI.

use super::calls::Callees;
use super::complex::Val;
use super::kernel::{self, VectorCtx};
use super::lanes::VectorPlan;
use super::pool::ConstPool;
use super::scalar::clif_type;
use super::Access;
use crate::error::Result;
use crate::ir::Program;
use crate::types::DType;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, BlockArg, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// Writes the `min` (or `max`, as compiled) of elements `lo..lo+n` (`n >= 1`, a one-axis
/// iteration) of the program's output to `out` (one element of its dtype), and gives 1
/// when that is the exact answer, 0 when the range holds a NaN or its extreme is a zero
/// (then what `out` holds is unspecified, and the caller reduces the range in order).
/// `inputs`/`strides` are each input's element 0 and byte stride along the one axis, as
/// for a kernel.
pub type ExtremeFn = unsafe extern "C" fn(
    n: usize,
    lo: usize,
    inputs: *const *const u8,
    strides: *const isize,
    out: *mut u8,
) -> u32;

/// Vectors per loop step: each has its own running extreme, so the compares of a step
/// do not wait on each other.
const VECS: u32 = 4;

/// Builds the body of a function with the [`ExtremeFn`] signature for `program` (its one
/// output of `plan.dtype`, `float32` or `float64`) over `inputs`: the `min` when
/// `is_min`, else the `max`.
pub(crate) fn build(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    (program, inputs): (&Program, &[Access]),
    plan: VectorPlan,
    pool: &ConstPool,
    ptr_ty: Type,
    is_min: bool,
) -> Result<()> {
    // `(n, lo, inputs, strides, out)`.
    let start = kernel::entry(b, program, (inputs, 2), Some(plan), pool, ptr_ty);
    let (n, lo, out) = (start.params[0], start.params[1], start.params[4]);
    let ops = kernel::operands_from(b, program, &start.ops, lo);
    let dt = plan.dtype;
    let (vty, sty) = (plan.vec_type(), clif_type(dt));
    let step = i64::from(VECS * plan.lanes);
    let full = b.ins().band_imm_s(n, !(step - 1));
    let worst = match (dt, is_min) {
        (DType::F32, true) => b.ins().f32const(f32::INFINITY),
        (DType::F32, false) => b.ins().f32const(f32::NEG_INFINITY),
        (_, true) => b.ins().f64const(f64::INFINITY),
        (_, false) => b.ins().f64const(f64::NEG_INFINITY),
    };
    let worst_v = b.ins().splat(vty, worst);
    let mask_ty = vty.as_int();
    let zero = b.ins().iconst(ptr_ty, 0);
    let no_nan = b.ins().iconst(mask_ty.lane_type(), 0);
    let no_nan = b.ins().splat(mask_ty, no_nan);
    let flags = MemFlagsData::new();

    // Steps of `VECS` vectors while a whole one is left: the running extremes and the
    // lanes that met a NaN.
    let head = b.create_block();
    let body = b.create_block();
    let after = b.create_block();
    b.append_block_param(head, ptr_ty);
    b.append_block_param(head, mask_ty);
    b.append_block_param(after, mask_ty);
    for _ in 0..VECS {
        b.append_block_param(head, vty);
        b.append_block_param(after, vty);
    }
    let mut args = vec![BlockArg::Value(zero), BlockArg::Value(no_nan)];
    args.extend((0..VECS).map(|_| BlockArg::Value(worst_v)));
    b.ins().jump(head, &args);

    b.switch_to_block(head);
    let carried = b.block_params(head).to_vec();
    let (i, nan, acc) = (carried[0], carried[1], &carried[2..]);
    let more = b.ins().icmp(IntCC::UnsignedLessThan, i, full);
    let pass: Vec<BlockArg> = carried[1..].iter().map(|&v| BlockArg::Value(v)).collect();
    b.ins().brif(more, body, &[], after, &pass);

    b.switch_to_block(body);
    let vc = VectorCtx {
        program,
        plan,
        ops: &ops,
        outs: &[],
        hoisted: &start.hoisted.scalar,
        hoisted_vec: &start.hoisted.vector,
        lane_offsets: &start.lane_offsets,
    };
    let mut xs = Vec::with_capacity(VECS as usize);
    kernel::vectors(b, calls, &vc, i, VECS, Some(&mut xs))?;
    // One unordered compare covers two vectors: a lane is set when either is NaN.
    let mut nan = nan;
    for pair in xs.chunks(2) {
        let u = b
            .ins()
            .fcmp(FloatCC::Unordered, pair[0], pair[pair.len() - 1]);
        nan = b.ins().bor(nan, u);
    }
    let next = b.ins().iadd_imm_s(i, step);
    let mut args = vec![BlockArg::Value(next), BlockArg::Value(nan)];
    for (&a, &x) in acc.iter().zip(&xs) {
        args.push(BlockArg::Value(better(b, is_min, x, a, flags)));
    }
    b.ins().jump(head, &args);

    // The vectors' extremes folded into one scalar.
    b.switch_to_block(after);
    let ended = b.block_params(after).to_vec();
    let (nan, acc) = (ended[0], &ended[1..]);
    let mut v = acc[0];
    for &a in &acc[1..] {
        v = better(b, is_min, a, v, flags);
    }
    let mut r = b.ins().extractlane(v, 0);
    for l in 1..plan.lanes as u8 {
        let x = b.ins().extractlane(v, l);
        r = better(b, is_min, x, r, flags);
    }
    let saw_nan = b.ins().vany_true(nan);

    // The last `n % step` elements.
    let tail_head = b.create_block();
    let tail = b.create_block();
    let done = b.create_block();
    b.append_block_param(tail_head, ptr_ty);
    b.append_block_param(tail_head, sty);
    b.append_block_param(tail_head, types::I8);
    b.append_block_param(done, sty);
    b.append_block_param(done, types::I8);
    b.ins().jump(
        tail_head,
        &[
            BlockArg::Value(full),
            BlockArg::Value(r),
            BlockArg::Value(saw_nan),
        ],
    );

    b.switch_to_block(tail_head);
    let (i, r, saw_nan) = (
        b.block_params(tail_head)[0],
        b.block_params(tail_head)[1],
        b.block_params(tail_head)[2],
    );
    let more = b.ins().icmp(IntCC::UnsignedLessThan, i, n);
    b.ins().brif(
        more,
        tail,
        &[],
        done,
        &[BlockArg::Value(r), BlockArg::Value(saw_nan)],
    );

    b.switch_to_block(tail);
    let hoisted = &start.hoisted.scalar;
    let vals = kernel::scalar_values(b, calls, program, &ops, hoisted, pool, ptr_ty, i)?;
    let x = match vals[program.outputs[0] as usize] {
        Val::Real(x) => x,
        Val::Complex(..) => unreachable!("an extreme's argument is real"),
    };
    let is_nan = b.ins().fcmp(FloatCC::Unordered, x, x);
    let saw_nan = b.ins().bor(saw_nan, is_nan);
    let r = better(b, is_min, x, r, flags);
    let next = b.ins().iadd_imm_s(i, 1);
    b.ins().jump(
        tail_head,
        &[
            BlockArg::Value(next),
            BlockArg::Value(r),
            BlockArg::Value(saw_nan),
        ],
    );

    // Exact when no NaN was met and the extreme is not a zero of either sign.
    b.switch_to_block(done);
    let (r, saw_nan) = (b.block_params(done)[0], b.block_params(done)[1]);
    b.ins().store(flags, r, out, 0);
    let zero_f = match dt {
        DType::F32 => b.ins().f32const(0.0),
        _ => b.ins().f64const(0.0),
    };
    let is_zero = b.ins().fcmp(FloatCC::Equal, r, zero_f);
    let inexact = b.ins().bor(saw_nan, is_zero);
    let exact = b.ins().bxor_imm_s(inexact, 1);
    let exact = b.ins().uextend(types::I32, exact);
    b.ins().return_(&[exact]);

    b.switch_to_block(start.exit);
    let none = b.ins().iconst(types::I32, 0);
    b.ins().return_(&[none]);
    b.seal_all_blocks();
    Ok(())
}

/// `x` where it is strictly better than `acc` (smaller for `min`, larger for `max`), else
/// `acc`: a NaN `x` never replaces. For vectors, the form Cranelift lowers to one
/// `minpd`/`maxpd` (`minps`/`maxps`) on x86-64.
fn better(
    b: &mut FunctionBuilder,
    is_min: bool,
    x: Value,
    acc: Value,
    flags: MemFlagsData,
) -> Value {
    let c = if is_min {
        b.ins().fcmp(FloatCC::LessThan, x, acc)
    } else {
        b.ins().fcmp(FloatCC::LessThan, acc, x)
    };
    let ty = b.func.dfg.value_type(x);
    if ty.is_vector() {
        let c = b.ins().bitcast(ty, flags, c);
        b.ins().bitselect(c, x, acc)
    } else {
        b.ins().select(c, x, acc)
    }
}
