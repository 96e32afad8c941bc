//! Leaf sums: a second entry point for a program whose one output is `float64` or
//! `float32`, computing the pairwise leaves of a sum of that output straight from the
//! inputs, so that a fused `sum`/`mean` never stores its argument.
//!
//! The function has the [`LeafSumFn`] ABI. For each leaf `(lo, n)` (`1 <= n <= 128`,
//! elements `lo..lo+n` of a one-axis iteration) it gives exactly what
//! `runtime::reduce`'s leaf gives for the stored elements: eight accumulators
//! `r_j = ((x_j + x_(j+8)) + …)` over the first `n - n % 8` elements, then
//! `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, then the last `n % 8` elements
//! left to right. The accumulators are the lanes of `8 / lanes` vectors that start at
//! `-0.0`, the identity of `+` that keeps every bit (`-0.0 + x == x` for every `x`, `-0.0`
//! itself included), so a leaf under 8 elements, whose accumulators stay `-0.0`, is the
//! plain left-to-right sum.

use super::calls::Callees;
use super::complex::Val;
use super::kernel::{self, Entry, VectorCtx};
use super::lanes::VectorPlan;
use super::pool::ConstPool;
use super::scalar::clif_type;
use super::Access;
use crate::error::Result;
use crate::ir::Program;
use crate::types::DType;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{BlockArg, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// Computes `count` leaf sums: leaf `j` is `(leaves[2j], leaves[2j+1])` = `(lo, n)`, and
/// its sum (of the output's dtype) goes to element `j` of `sums`. `inputs`/`strides` are
/// each input's element 0 and byte stride along the one axis, as for a kernel.
pub type LeafSumFn = unsafe extern "C" fn(
    count: usize,
    leaves: *const usize,
    inputs: *const *const u8,
    strides: *const isize,
    sums: *mut u8,
);

/// Elements per accumulator step: the eight accumulators of a leaf.
const STEP: u32 = 8;

/// Builds the body of a function with the [`LeafSumFn`] signature for `program` (its one
/// output of `plan.dtype`, `float32` or `float64`) over `inputs`.
pub(crate) fn build(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    program: &Program,
    inputs: &[Access],
    plan: VectorPlan,
    pool: &ConstPool,
    ptr_ty: Type,
) -> Result<()> {
    // `(count, leaves, inputs, strides, sums)`.
    let start = kernel::entry(b, program, (inputs, 2), Some(plan), pool, ptr_ty);
    let (count, leaves, sums) = (start.params[0], start.params[1], start.params[4]);
    let zero = b.ins().iconst(ptr_ty, 0);
    let head = b.create_block();
    b.append_block_param(head, ptr_ty);
    b.ins().jump(head, &[BlockArg::Value(zero)]);

    // Leaf `j`. (Two leaves interleaved would keep twice the additions in flight, but
    // Cranelift places every pure instruction just before its first use, so the loop's
    // loads would all come first and, for two leaves, spill.)
    b.switch_to_block(head);
    let j = b.block_params(head)[0];
    let word = ptr_ty.bytes() as i64;
    let at = b.ins().imul_imm_s(j, 2 * word);
    let at = b.ins().iadd(leaves, at);
    let plain = MemFlagsData::new();
    let lo = b.ins().load(ptr_ty, plain, at, 0);
    let n = b.ins().load(ptr_ty, plain, at, word as i32);

    let frame = Frame {
        program,
        plan,
        start: &start,
        pool,
        ptr_ty,
    };
    let s = frame.leaf(b, calls, lo, n)?;
    let at = b.ins().imul_imm_s(j, frame.plan.dtype.size() as i64);
    let at = b.ins().iadd(sums, at);
    b.ins().store(plain, s, at, 0);
    let j = b.ins().iadd_imm_s(j, 1);
    let more = b.ins().icmp(IntCC::UnsignedLessThan, j, count);
    b.ins()
        .brif(more, head, &[BlockArg::Value(j)], start.exit, &[]);

    b.switch_to_block(start.exit);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    Ok(())
}

/// What a leaf's code reads: the program, its plan and constants, and the function's
/// entry (inputs, hoisted values, lane offsets).
struct Frame<'a> {
    program: &'a Program,
    plan: VectorPlan,
    start: &'a Entry,
    pool: &'a ConstPool,
    ptr_ty: Type,
}

impl Frame<'_> {
    /// The sum of the leaf of `n` elements from `lo`, in the leaf order. Ends in a new
    /// block.
    fn leaf(
        &self,
        b: &mut FunctionBuilder,
        calls: &mut Callees,
        lo: Value,
        n: Value,
    ) -> Result<Value> {
        let (plan, ptr_ty) = (self.plan, self.ptr_ty);
        let dt = plan.dtype;
        let vty = plan.vec_type();
        let accs = (STEP / plan.lanes) as usize;
        // The operands start at the leaf's first element.
        let ops = kernel::operands_from(b, self.program, &self.start.ops, lo);
        let full = b.ins().band_imm_s(n, !(i64::from(STEP) - 1));
        let neg_zero = match dt {
            DType::F32 => b.ins().f32const(-0.0),
            _ => b.ins().f64const(-0.0),
        };
        let start = b.ins().splat(vty, neg_zero);
        let zero = b.ins().iconst(ptr_ty, 0);

        // Steps of eight elements while a whole one is left.
        let step_head = b.create_block();
        let step = b.create_block();
        let after = b.create_block();
        b.append_block_param(step_head, ptr_ty);
        for _ in 0..accs {
            b.append_block_param(step_head, vty);
            b.append_block_param(after, vty);
        }
        let mut args = vec![BlockArg::Value(zero)];
        args.extend((0..accs).map(|_| BlockArg::Value(start)));
        b.ins().jump(step_head, &args);

        b.switch_to_block(step_head);
        let carried = b.block_params(step_head).to_vec();
        let (i, acc) = (carried[0], &carried[1..]);
        let more = b.ins().icmp(IntCC::UnsignedLessThan, i, full);
        let pass: Vec<BlockArg> = acc.iter().map(|&v| BlockArg::Value(v)).collect();
        b.ins().brif(more, step, &[], after, &pass);

        b.switch_to_block(step);
        let vc = VectorCtx {
            program: self.program,
            plan,
            ops: &ops,
            outs: &[],
            hoisted: &self.start.hoisted.scalar,
            hoisted_vec: &self.start.hoisted.vector,
            lane_offsets: &self.start.lane_offsets,
        };
        let mut xs = Vec::with_capacity(accs);
        kernel::vectors(b, calls, &vc, i, accs as u32, Some(&mut xs))?;
        let next = b.ins().iadd_imm_s(i, i64::from(STEP));
        let mut args = vec![BlockArg::Value(next)];
        for (&a, &x) in acc.iter().zip(&xs) {
            args.push(BlockArg::Value(b.ins().fadd(a, x)));
        }
        b.ins().jump(step_head, &args);

        // The eight accumulators summed in the leaf's order.
        b.switch_to_block(after);
        let acc = b.block_params(after).to_vec();
        let r: Vec<Value> = acc
            .iter()
            .flat_map(|&v| (0..plan.lanes as u8).map(move |l| (v, l)))
            .map(|(v, l)| b.ins().extractlane(v, l))
            .collect();
        let pair = |b: &mut FunctionBuilder, x: usize| b.ins().fadd(r[x], r[x + 1]);
        let (s01, s23, s45, s67) = (pair(b, 0), pair(b, 2), pair(b, 4), pair(b, 6));
        let low = b.ins().fadd(s01, s23);
        let high = b.ins().fadd(s45, s67);
        let sum = b.ins().fadd(low, high);

        // The last `n % 8` elements, left to right.
        let sty = clif_type(dt);
        let tail_head = b.create_block();
        let tail = b.create_block();
        let done = b.create_block();
        b.append_block_param(tail_head, ptr_ty);
        b.append_block_param(tail_head, sty);
        b.append_block_param(done, sty);
        b.ins()
            .jump(tail_head, &[BlockArg::Value(full), BlockArg::Value(sum)]);

        b.switch_to_block(tail_head);
        let (i, s) = (b.block_params(tail_head)[0], b.block_params(tail_head)[1]);
        let more = b.ins().icmp(IntCC::UnsignedLessThan, i, n);
        b.ins().brif(more, tail, &[], done, &[BlockArg::Value(s)]);

        b.switch_to_block(tail);
        let (program, hoisted) = (self.program, &self.start.hoisted.scalar);
        let vals = kernel::scalar_values(b, calls, program, &ops, hoisted, self.pool, ptr_ty, i)?;
        let x = match vals[program.outputs[0] as usize] {
            Val::Real(x) => x,
            Val::Complex(..) => unreachable!("a leaf sum's output is real"),
        };
        let s = b.ins().fadd(s, x);
        let next = b.ins().iadd_imm_s(i, 1);
        b.ins()
            .jump(tail_head, &[BlockArg::Value(next), BlockArg::Value(s)]);

        b.switch_to_block(done);
        Ok(b.block_params(done)[0])
    }
}
