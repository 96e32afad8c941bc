//! The loop skeleton of a kernel: argument loads, hoisted broadcasts and constants, the
//! vector loop (two vectors per iteration) when the program has a [`VectorPlan`], and a
//! scalar loop for the tail or for the whole range.

use super::calls::Callees;
use super::complex::{self, Val};
use super::complex_lanes::{self, Lanes};
use super::lanes::{self, VectorPlan};
use super::masks;
use super::pool::ConstPool;
use super::scalar::clif_type;
use super::strings;
use super::{Access, Layout};
use crate::error::Result;
use crate::ir::{Op, Program};
use crate::types::DType;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// Vectors processed per vector-loop iteration. 8 (measured against 2 and 4 with `jitex
/// bench`) makes in-cache rows 5-10% faster than 4, enough to match rustc's loops at N=1e3.
pub(crate) const UNROLL: u32 = 8;

/// Data may be unaligned and is never proven non-trapping: plain flags.
fn data() -> MemFlagsData {
    MemFlagsData::new()
}

/// Where one operand lives, read in the entry block.
#[derive(Clone, Copy)]
pub(super) struct Operand {
    /// Element 0's address.
    pub ptr: Value,
    /// The byte stride, for [`Access::Strided`] only.
    pub stride: Option<Value>,
    /// How the loops walk it.
    pub access: Access,
}

/// Each operand's pointer (and stride, when strided) loaded from the ABI's arrays `ptrs`
/// and `strides`, one per entry of `accesses`.
fn operands(
    b: &mut FunctionBuilder,
    accesses: &[Access],
    ptrs: Value,
    strides: Value,
    ptr_ty: Type,
) -> Vec<Operand> {
    let word = ptr_ty.bytes() as i32;
    accesses
        .iter()
        .enumerate()
        .map(|(k, &access)| {
            // The pointer arrays come from Rust slices: aligned, but keep plain flags anyway.
            let ptr = b.ins().load(ptr_ty, data(), ptrs, k as i32 * word);
            let stride = (access == Access::Strided)
                .then(|| b.ins().load(ptr_ty, data(), strides, k as i32 * word));
            Operand {
                ptr,
                stride,
                access,
            }
        })
        .collect()
}

/// `ops` (the inputs of `program`) advanced to element `lo`: a broadcast input stays put.
pub(super) fn operands_from(
    b: &mut FunctionBuilder,
    program: &Program,
    ops: &[Operand],
    lo: Value,
) -> Vec<Operand> {
    ops.iter()
        .zip(&program.inputs)
        .map(|(op, decl)| {
            let off = match (op.access, op.stride) {
                (Access::Broadcast, _) => return *op,
                (_, Some(stride)) => b.ins().imul(lo, stride),
                (_, None) => b.ins().imul_imm_s(lo, decl.dtype.size() as i64),
            };
            Operand {
                ptr: b.ins().iadd(op.ptr, off),
                ..*op
            }
        })
        .collect()
}

/// The start of a function of five pointer-sized parameters whose first is a count (the
/// kernel ABI and [`super::LeafSumFn`]'s): what [`entry`] emitted.
pub(super) struct Entry {
    /// The function's parameters.
    pub params: Vec<Value>,
    /// The inputs, walked as the layout says.
    pub ops: Vec<Operand>,
    /// The block that returns, reached at once when the count is zero (a count of 0 must
    /// not touch memory, not even a broadcast element).
    pub exit: Block,
    /// The program's hoisted values.
    pub hoisted: Hoisted,
    /// The strided inputs' lane offsets ([`lane_offsets`]).
    pub lane_offsets: Vec<Vec<Value>>,
}

/// Emits the entry block (the inputs' pointers and strides loaded from the arrays that
/// parameters `at` and `at + 1` point to, then a branch to `exit` when parameter 0 is
/// zero) and, in the block that follows, the hoisted values and lane offsets; leaves the
/// builder in that block.
pub(super) fn entry(
    b: &mut FunctionBuilder,
    program: &Program,
    (inputs, at): (&[Access], usize),
    plan: Option<VectorPlan>,
    pool: &ConstPool,
    ptr_ty: Type,
) -> Entry {
    let first = b.create_block();
    b.append_block_params_for_function_params(first);
    b.switch_to_block(first);
    let params = b.block_params(first).to_vec();
    let ops = operands(b, inputs, params[at], params[at + 1], ptr_ty);
    let pre = b.create_block();
    let exit = b.create_block();
    b.ins().brif(params[0], pre, &[], exit, &[]);
    b.switch_to_block(pre);
    let hoisted = hoist(b, program, &ops, plan, pool, ptr_ty);
    let lane_offsets = lane_offsets(b, &ops, plan);
    Entry {
        params,
        ops,
        exit,
        hoisted,
        lane_offsets,
    }
}

/// The values computed once, before the loops: broadcast inputs and constants, as scalars
/// and (with a plan) as vectors, by instruction.
pub(super) struct Hoisted {
    /// For the scalar loop (and the uniform operands of vector ops).
    pub scalar: Vec<Option<Val>>,
    /// For the vector loop.
    pub vector: Vec<Option<Lanes>>,
}

/// Emits the hoisted values of `program` over `ops` (see [`Hoisted`]).
fn hoist(
    b: &mut FunctionBuilder,
    program: &Program,
    ops: &[Operand],
    plan: Option<VectorPlan>,
    pool: &ConstPool,
    ptr_ty: Type,
) -> Hoisted {
    let count = program.insts.len();
    let mut hoisted: Vec<Option<Val>> = vec![None; count];
    let mut hoisted_vec: Vec<Option<Lanes>> = vec![None; count];
    for (id, inst) in program.insts.iter().enumerate() {
        let v = match inst.op {
            // Float and complex constants load from the pool: see `pool` for why.
            Op::Const(_)
                if (inst.dtype.is_float() || inst.dtype.is_complex())
                    && pool.addr(id).is_some() =>
            {
                let addr = pool.addr(id).expect("checked");
                let addr = b.ins().iconst(ptr_ty, addr);
                complex::load(b, inst.dtype, addr)
            }
            Op::Const(c) => complex::constant(b, c),
            Op::Input(k) if ops[k].access == Access::Broadcast => {
                complex::load(b, inst.dtype, ops[k].ptr)
            }
            _ => continue,
        };
        hoisted[id] = Some(v);
        if let (Some(p), Val::Complex(re, im)) = (plan, v) {
            hoisted_vec[id] = Some(complex_lanes::hoist(b, p, re, im));
        } else if let Some(p) = plan {
            let ty = p.value_type(inst.dtype);
            hoisted_vec[id] = Some(Lanes::Real(match pool.addr(id) {
                // A load (not pure) stays here; see `pool` for why not `splat`.
                Some(addr) => {
                    let addr = b.ins().iconst(ptr_ty, addr);
                    b.ins().load(ty, data(), addr, 0)
                }
                None => {
                    let v = v.scalar();
                    let lane = if inst.dtype == DType::Bool && p.masks() {
                        masks::scalar_mask(b, p, v)
                    } else {
                        v
                    };
                    b.ins().splat(ty, lane)
                }
            }));
        }
    }
    Hoisted {
        scalar: hoisted,
        vector: hoisted_vec,
    }
}

/// Byte offsets of the lanes of one unrolled vector-loop iteration, per strided operand
/// (empty for the others, and without a plan).
fn lane_offsets(
    b: &mut FunctionBuilder,
    ops: &[Operand],
    plan: Option<VectorPlan>,
) -> Vec<Vec<Value>> {
    match plan {
        Some(p) => ops
            .iter()
            .map(|op| match op.stride {
                Some(stride) => (0..(p.lanes * UNROLL) as i64)
                    .map(|j| b.ins().imul_imm_s(stride, j))
                    .collect(),
                None => Vec::new(),
            })
            .collect(),
        None => Vec::new(),
    }
}

/// Builds the body of a function with the [`super::KernelFn`] signature.
pub(crate) fn build(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    program: &Program,
    layout: &Layout,
    plan: Option<VectorPlan>,
    pool: &ConstPool,
    ptr_ty: Type,
) -> Result<()> {
    let Entry {
        params,
        ops,
        exit,
        hoisted: Hoisted {
            scalar: hoisted,
            vector: hoisted_vec,
        },
        lane_offsets,
    } = entry(b, program, (&layout.inputs, 1), plan, pool, ptr_ty);
    let n = params[0];
    // One load per output and call, outside every loop: a single output costs what the
    // old by-value argument did inside the loop.
    let outs = operands(b, &layout.outputs, params[3], params[4], ptr_ty);
    let zero = b.ins().iconst(ptr_ty, 0);

    let tail_head = b.create_block();
    b.append_block_param(tail_head, ptr_ty);

    if let Some(p) = plan {
        let group = (p.lanes * UNROLL) as i64;
        let vbody = b.create_block();
        b.append_block_param(vbody, ptr_ty);
        // Rotated loop: one test on entry, then one fused compare-and-branch per
        // iteration at the bottom (no second jump back to a header). `i + group <= n` is
        // tested as `i <= n - group`, computed once; it only matters when `n >= group`.
        let last = b.ins().iadd_imm_s(n, -group);
        let enter = b
            .ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, n, group);
        // The rest (fewer than `group` elements) one vector at a time, then scalars.
        let vone_head = b.create_block();
        b.append_block_param(vone_head, ptr_ty);
        let vone = b.create_block();
        b.append_block_param(vone, ptr_ty);
        b.ins().brif(
            enter,
            vbody,
            &[BlockArg::Value(zero)],
            vone_head,
            &[BlockArg::Value(zero)],
        );

        let vc = VectorCtx {
            program,
            plan: p,
            ops: &ops,
            outs: &outs,
            hoisted: &hoisted,
            hoisted_vec: &hoisted_vec,
            lane_offsets: &lane_offsets,
        };
        b.switch_to_block(vbody);
        let i = b.block_params(vbody)[0];
        vectors(b, calls, &vc, i, UNROLL, None)?;
        let next = b.ins().iadd_imm_s(i, group);
        let again = b.ins().icmp(IntCC::UnsignedLessThanOrEqual, next, last);
        b.ins().brif(
            again,
            vbody,
            &[BlockArg::Value(next)],
            vone_head,
            &[BlockArg::Value(next)],
        );

        b.switch_to_block(vone_head);
        let i = b.block_params(vone_head)[0];
        let lanes = i64::from(p.lanes);
        // `i <= n` here, so `i + lanes` cannot wrap for any real array.
        let end = b.ins().iadd_imm_s(i, lanes);
        let fits = b.ins().icmp(IntCC::UnsignedLessThanOrEqual, end, n);
        b.ins().brif(
            fits,
            vone,
            &[BlockArg::Value(i)],
            tail_head,
            &[BlockArg::Value(i)],
        );
        b.switch_to_block(vone);
        let i = b.block_params(vone)[0];
        vectors(b, calls, &vc, i, 1, None)?;
        let next = b.ins().iadd_imm_s(i, lanes);
        b.ins().jump(vone_head, &[BlockArg::Value(next)]);
    } else {
        b.ins().jump(tail_head, &[BlockArg::Value(zero)]);
    }

    // Scalar loop: the tail after the vector loop, or everything.
    // Rotated like the vector loop: test on entry, then at the bottom.
    let tbody = b.create_block();
    b.append_block_param(tbody, ptr_ty);
    b.switch_to_block(tail_head);
    let i = b.block_params(tail_head)[0];
    let more = b.ins().icmp(IntCC::UnsignedLessThan, i, n);
    b.ins().brif(more, tbody, &[BlockArg::Value(i)], exit, &[]);

    b.switch_to_block(tbody);
    let i = b.block_params(tbody)[0];
    let vals = scalar_values(b, calls, program, &ops, &hoisted, pool, ptr_ty, i)?;
    let dtypes: Vec<_> = program.insts.iter().map(|inst| inst.dtype).collect();
    // Element `i` of string input `k`, for the string copies below.
    let mut str_input = |b: &mut FunctionBuilder, k: usize| {
        string_addr(b, &ops[k], i, program.inputs[k].dtype.size())
    };
    // Every value is computed before the first store: in-place is safe for each output. A
    // string copy reads its input when stored, so the runtime gives several outputs with
    // a string among them temporaries when any overlaps an input.
    for (out, &o) in outs.iter().zip(&program.outputs) {
        let size = dtypes[o as usize].size();
        if let Op::StrCopy(_) = program.insts[o as usize].op {
            let dst = string_addr(b, out, i, size);
            strings::emit_copy(b, program, o as usize, dst, pool, ptr_ty, &mut str_input)?;
            continue;
        }
        let addr = element_addr(b, out, i, size);
        complex::store(b, vals[o as usize], addr);
    }
    let next = b.ins().iadd_imm_s(i, 1);
    let more = b.ins().icmp(IntCC::UnsignedLessThan, next, n);
    b.ins()
        .brif(more, tbody, &[BlockArg::Value(next)], exit, &[]);

    b.switch_to_block(exit);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    Ok(())
}

/// Every instruction's value at element `i` (the scalar loop's body, before its stores).
#[allow(clippy::too_many_arguments)]
pub(super) fn scalar_values(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    program: &Program,
    ops: &[Operand],
    hoisted: &[Option<Val>],
    pool: &ConstPool,
    ptr_ty: Type,
    i: Value,
) -> Result<Vec<Val>> {
    let mut vals: Vec<Val> = Vec::with_capacity(program.insts.len());
    // Element `i` of string input `k`, for the string helpers' operands.
    let mut str_input = |b: &mut FunctionBuilder, k: usize| {
        string_addr(b, &ops[k], i, program.inputs[k].dtype.size())
    };
    for (id, inst) in program.insts.iter().enumerate() {
        let v = if let Some(h) = hoisted[id] {
            h
        } else if let Op::Input(k) = inst.op {
            let addr = element_addr(b, &ops[k], i, inst.dtype.size());
            complex::load(b, inst.dtype, addr)
        } else if let Op::StrCopy(_) = inst.op {
            // Nothing to compute: the copy happens when the output is stored. The
            // placeholder is never read (no instruction has a string operand).
            Val::Real(b.ins().iconst(cranelift_codegen::ir::types::I8, 0))
        } else if matches!(inst.op, Op::StrCompare { .. } | Op::StrContains { .. }) {
            Val::Real(strings::emit(b, program, id, pool, ptr_ty, &mut str_input)?)
        } else {
            let operands = inst.op.operands();
            let args: Vec<Val> = operands.iter().map(|&a| vals[a as usize]).collect();
            let arg_dtypes = program.operand_dtypes(&inst.op);
            complex::emit(b, calls, &inst.op, inst.dtype, &arg_dtypes, &args)?
        };
        vals.push(v);
    }
    Ok(vals)
}

/// What the vector loops share: the program, its plan, operands and hoisted values.
pub(super) struct VectorCtx<'a> {
    pub program: &'a Program,
    pub plan: VectorPlan,
    pub ops: &'a [Operand],
    pub outs: &'a [Operand],
    pub hoisted: &'a [Option<Val>],
    pub hoisted_vec: &'a [Option<Lanes>],
    pub lane_offsets: &'a [Vec<Value>],
}

/// Computes and stores `count` consecutive vectors starting at element `i`; with `sink`,
/// pushes the first output's vectors there instead of storing anything (that output is
/// real).
pub(super) fn vectors(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    vc: &VectorCtx,
    i: Value,
    count: u32,
    mut sink: Option<&mut Vec<Value>>,
) -> Result<()> {
    let VectorCtx {
        program,
        plan: p,
        ops,
        outs,
        hoisted,
        hoisted_vec,
        lane_offsets,
    } = *vc;
    let size = p.dtype.size() as i64;
    let insts = program.insts.len();
    let byte_off = b.ins().imul_imm_s(i, size);
    // Outputs are the plan's dtype, its complex dtype (twice the size) or `bool` masks
    // stored as bytes: the offset of each other element size is computed once.
    let mut other_offs: Vec<(i64, Value)> = Vec::new();
    let mut offset_of =
        |b: &mut FunctionBuilder, elem: i64| match other_offs.iter().find(|&&(sz, _)| sz == elem) {
            _ if elem == size => byte_off,
            Some(&(_, off)) => off,
            None => {
                let off = b.ins().imul_imm_s(i, elem);
                other_offs.push((elem, off));
                off
            }
        };
    let mut out_offs = Vec::with_capacity(outs.len());
    for &o in &program.outputs {
        let out_size = program.insts[o as usize].dtype.size() as i64;
        out_offs.push(offset_of(b, out_size));
    }
    // Contiguous complex inputs: two vectors per step, at twice the part's offset.
    let complex_off = program
        .insts
        .iter()
        .any(|inst| {
            matches!(inst.op, Op::Input(k) if ops[k].access == Access::Contiguous)
                && inst.dtype.is_complex()
        })
        .then(|| offset_of(b, 2 * size));
    let mut step = complex_lanes::Step::new(p);
    // With a whole unrolled group, `bool` outputs are stored once at its end, packed
    // (`masks::store_bool_group`): one 16-byte store instead of one per vector. Deferring
    // them is safe: contiguous `bool` inputs are all loaded first, just below.
    let group_bools = p.masks() && masks::packs_whole(p, count);
    // Contiguous `bool` arrays of a mask plan, as the masks of every vector of the group.
    let mut bool_masks: Vec<Option<Vec<Value>>> = vec![None; insts];
    if p.masks() {
        for (id, inst) in program.insts.iter().enumerate() {
            match inst.op {
                Op::Input(k)
                    if inst.dtype == DType::Bool
                        && hoisted_vec[id].is_none()
                        && ops[k].stride.is_none() =>
                {
                    // One byte per element: the byte offset is `i`.
                    let addr = b.ins().iadd(ops[k].ptr, i);
                    bool_masks[id] = Some(masks::load_bools(b, p, addr, count));
                }
                _ => {}
            }
        }
    }
    let mut pending: Vec<Vec<Value>> = vec![Vec::new(); outs.len()];
    for u in 0..count {
        // Each vector is read completely before it is written: in-place is safe.
        let imm = (u * p.lanes) as i32 * size as i32;
        let mut vals: Vec<Lanes> = Vec::with_capacity(insts);
        for (id, inst) in program.insts.iter().enumerate() {
            let v = if let Some(h) = hoisted_vec[id] {
                h
            } else if let Some(m) = &bool_masks[id] {
                Lanes::Real(m[u as usize])
            } else if let Op::Input(k) = inst.op {
                let first = (u * p.lanes) as usize;
                let offs = lane_offsets[k].get(first..first + p.lanes as usize);
                match (ops[k].stride, offs, complex_off) {
                    (Some(stride), Some(offs), _) if inst.dtype.is_complex() => {
                        let row = b.ins().imul(i, stride);
                        let row = b.ins().iadd(ops[k].ptr, row);
                        complex_lanes::gather(b, p, inst.dtype, row, offs)
                    }
                    (Some(stride), Some(offs), _) => {
                        Lanes::Real(gather(b, p, inst.dtype, ops[k].ptr, stride, i, offs))
                    }
                    (_, _, Some(off)) if inst.dtype.is_complex() => {
                        let addr = b.ins().iadd(ops[k].ptr, off);
                        complex_lanes::load(b, p, addr, 2 * imm)
                    }
                    _ => {
                        let addr = b.ins().iadd(ops[k].ptr, byte_off);
                        Lanes::Real(b.ins().load(p.value_type(inst.dtype), data(), addr, imm))
                    }
                }
            } else {
                let operands = inst.op.operands();
                let args: Vec<Lanes> = operands.iter().map(|&a| vals[a as usize]).collect();
                let uniform: Vec<Option<Value>> = operands
                    .iter()
                    .map(|&a| hoisted[a as usize].map(Val::scalar))
                    .collect();
                let arg_dtypes = program.operand_dtypes(&inst.op);
                let dtypes = (inst.dtype, arg_dtypes.as_slice());
                if complex::involved(&inst.op, inst.dtype, &arg_dtypes) {
                    complex_lanes::emit(b, calls, &mut step, &inst.op, dtypes, &args)?
                } else {
                    let args: Vec<Value> = args.iter().map(|a| a.real()).collect();
                    Lanes::Real(lanes::emit(b, calls, p, &inst.op, dtypes, &args, &uniform)?)
                }
            };
            vals.push(v);
        }
        if let Some(sink) = sink.as_deref_mut() {
            sink.push(vals[program.outputs[0] as usize].real());
            continue;
        }
        // All of this vector's values exist before its first store: in-place is safe.
        for (k, ((out, &out_off), &o)) in
            outs.iter().zip(&out_offs).zip(&program.outputs).enumerate()
        {
            let dt = program.insts[o as usize].dtype;
            let addr = b.ins().iadd(out.ptr, out_off);
            let out_imm = (u * p.lanes) as i32 * dt.size() as i32;
            let r = vals[o as usize];
            if dt.is_complex() {
                complex_lanes::store(b, &mut step, r, addr, out_imm)?;
                continue;
            }
            let r = r.real();
            if dt == DType::Bool && group_bools {
                pending[k].push(r);
            } else if dt == DType::Bool && p.masks() {
                masks::store_bools(b, p, r, addr, out_imm);
            } else {
                b.ins().store(data(), r, addr, out_imm);
            }
        }
    }
    for ((out, &out_off), group) in outs.iter().zip(&out_offs).zip(&pending) {
        if group.is_empty() {
            continue;
        }
        let addr = b.ins().iadd(out.ptr, out_off);
        masks::store_bool_group(b, p, group, addr, 0);
    }
    Ok(())
}

/// One vector of a strided input starting at element `i`: a scalar load per lane, at
/// `ptr + i * stride + offs[j]` (a `bool` of a mask plan becomes its lane mask).
fn gather(
    b: &mut FunctionBuilder,
    plan: VectorPlan,
    dt: DType,
    ptr: Value,
    stride: Value,
    i: Value,
    offs: &[Value],
) -> Value {
    let row = b.ins().imul(i, stride);
    let row = b.ins().iadd(ptr, row);
    let mut v: Option<Value> = None;
    for (j, &off) in offs.iter().enumerate() {
        let addr = b.ins().iadd(row, off);
        let x = b.ins().load(clif_type(dt), data(), addr, 0);
        let x = if dt == DType::Bool && plan.masks() {
            masks::scalar_mask(b, plan, x)
        } else {
            x
        };
        v = Some(match v {
            None => b.ins().splat(plan.value_type(dt), x),
            Some(v) => b.ins().insertlane(v, x, j as u8),
        });
    }
    v.expect("a vector has at least one lane")
}

/// The address of element `i` of a string operand: any size, and broadcast too.
fn string_addr(b: &mut FunctionBuilder, op: &Operand, i: Value, size: usize) -> Value {
    let off = match (op.access, op.stride) {
        (Access::Broadcast, _) => return op.ptr,
        (_, Some(stride)) => b.ins().imul(i, stride),
        // Contiguous: string sizes need not be powers of two.
        (_, None) => b.ins().imul_imm_s(i, size as i64),
    };
    b.ins().iadd(op.ptr, off)
}

/// Address of element `i` of a contiguous or strided operand.
fn element_addr(b: &mut FunctionBuilder, op: &Operand, i: Value, size: usize) -> Value {
    let off = match op.stride {
        Some(stride) => b.ins().imul(i, stride),
        None => b.ins().ishl_imm_s(i, size.trailing_zeros() as i64),
    };
    b.ins().iadd(op.ptr, off)
}
