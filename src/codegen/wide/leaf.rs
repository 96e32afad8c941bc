//! Leaf sums ([`LeafSumFn`]) of a covered `float64` program in AVX-512: the eight
//! accumulators of a leaf are the eight lanes of one zmm register, so each vector of the
//! program's output is added to them with one `vaddpd`, the same additions in the same
//! order as `codegen::leaves` (and `runtime::reduce`'s stored leaves) make.
//!
//! Per leaf `(lo, n)`: the accumulators start at `-0.0` (the identity of `+` that keeps
//! every bit); each full vector of 8 elements is computed ([`emit::compute`]) and added;
//! the lanes are combined as `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))` by
//! in-register shuffles; the last `n % 8` elements are computed as one vector under k1 and
//! added to the sum lane by lane, left to right. The wider loads are what matters: a leaf
//! is one chain of additions either way, but out of the caches a core reads faster with
//! 64-byte loads than with Cranelift's 16-byte ones.
//!
//! Registers: rdi counts the leaves left, rbp walks `leaves`, rbx walks `sums` (both
//! callee-saved, pushed and popped), rax is the byte offset of the current vector, rsi the
//! elements left in the leaf, rcx a scratch register (the strides are not read: inputs are
//! contiguous or broadcast); the input pointers go to [`emit::POINTERS`]' first four
//! (r9, r10, r11, r8), so that rdx, the input array, is never overwritten. zmm29 holds the
//! accumulators and zmm30, zmm31 are scratch, above every register the program's
//! allocation uses.

use super::cover::{self, Elem, Isa};
use super::emit::{self, EmitError, POINTERS, ZMM};
use super::regs;
use super::WideFunction;
use crate::codegen::calls::internal;
use crate::codegen::leaves::LeafSumFn;
use crate::codegen::Access;
use crate::error::Result;
use crate::ir::Program;
use iced_x86::code_asm::*;

/// The accumulators' register and the two scratch registers above the program's.
const ACC: usize = 29;
const T0: usize = 30;
const T1: usize = 31;

/// The leaf sums of `program` (one `float64` output, or on any AVX2 host one `float32`
/// or `float64` output, `leaf_avx2.rs`) over inputs walked as `inputs`, or `None` where
/// the wide generator does not cover the program, its layout or the host.
pub(crate) fn compile_leaf_sums(
    program: &Program,
    inputs: &[Access],
) -> Result<Option<WideFunction<LeafSumFn>>> {
    // AVX2 code where the AVX-512 loop does not cover the program (`float32`) or the host.
    let avx2 = || super::leaf_avx2::compile(program, inputs);
    match Isa::host() {
        Some(Isa::Avx512) => {}
        Some(Isa::Avx2) => return avx2(),
        None => return Ok(None),
    }
    let Some(plan) = super::reducer_plan(program, inputs, Isa::Avx512) else {
        return Ok(None);
    };
    if plan.elem != Elem::F64 {
        return avx2();
    }
    let Some(loc) = regs::allocate(program, &plan, 1) else {
        return Ok(None);
    };
    if regs::highest(&loc, &plan) >= ACC {
        return Ok(None);
    }
    let bytes = emit_leaf_sums(program, &plan, &loc).map_err(|e| internal(e.to_string()))?;
    // SAFETY: `emit_leaf_sums` produced a function with the `LeafSumFn` ABI at the code's
    // start.
    unsafe { WideFunction::<LeafSumFn>::map(&bytes, "wide leaf sums") }.map(Some)
}

/// The machine code (see the module doc for the registers).
fn emit_leaf_sums(
    program: &Program,
    plan: &cover::Plan,
    loc: &regs::Allocation,
) -> Result<Vec<u8>, EmitError> {
    let out = program.outputs[0] as usize;
    let value = emit::vector(loc[out][0])?;
    let (acc, t0, t1) = (ZMM[ACC], ZMM[T0], ZMM[T1]);
    let (acc_x, t0_x, t1_x) = (xmm29, xmm30, xmm31);
    let mut a = CodeAssembler::new(64)?;
    // xmm29-31 exist only in EVEX encodings, which the assembler would not pick for the
    // scalar instructions on its own.
    a.set_prefer_vex(false);
    let mut done = a.create_label();
    let mut leaf = a.create_label();
    let mut vectors = a.create_label();
    let mut combine = a.create_label();
    let mut tail = a.create_label();
    let mut put = a.create_label();
    start(&mut a, plan, (done, &mut leaf), 3, |a| {
        emit::load_hoists(a, plan, rdx)
    })?;
    // The accumulators at -0.0.
    a.mov(rcx, i64::MIN)?;
    a.vpbroadcastq(acc, rcx)?;
    a.cmp(rsi, 8)?;
    a.jb(combine)?;
    a.set_label(&mut vectors)?;
    emit::compute(&mut a, program, plan, loc, 1, false)?;
    a.vaddpd(acc, acc, value)?;
    a.add(rax, 64)?;
    a.sub(rsi, 8)?;
    a.cmp(rsi, 8)?;
    a.jae(vectors)?;

    // Lane l of acc is r_l: pairs (swapped within each 128-bit lane and added), then
    // lanes 0 and 2 of each 256-bit half, then the halves.
    a.set_label(&mut combine)?;
    a.vpermilpd(t0, acc, 0b0101_0101)?;
    a.vaddpd(acc, acc, t0)?;
    a.vpermpd(t0, acc, 0b10)?;
    a.vaddpd(acc, acc, t0)?;
    a.vextractf64x4(ymm30, acc, 1)?;
    a.vaddsd(acc_x, acc_x, t0_x)?;

    // The last n % 8 elements, lane by lane (the value is copied: it may be a hoisted
    // register).
    a.test(rsi, rsi)?;
    a.jz(put)?;
    emit::first_elements(&mut a, Elem::F64, rsi, rcx)?;
    emit::compute(&mut a, program, plan, loc, 1, true)?;
    a.vmovapd(t1, value)?;
    a.set_label(&mut tail)?;
    a.vaddsd(acc_x, acc_x, t1_x)?;
    a.valignq(t1, t1, t1, 1)?;
    a.dec(rsi)?;
    a.jnz(tail)?;

    a.set_label(&mut put)?;
    a.vmovsd(qword_ptr(rbx), acc_x)?;
    a.add(rbx, 8)?;
    a.add(rbp, 16)?;
    a.dec(rdi)?;
    a.jnz(leaf)?;

    a.set_label(&mut done)?;
    a.vzeroupper()?;
    a.pop(rbp)?;
    a.pop(rbx)?;
    a.ret()?;
    // Only relative branches and no data: the code runs wherever it is copied.
    Ok(a.assemble(0)?)
}

/// The start shared by the leaf-sum loops (this file's and `leaf_avx2.rs`): rbx and rbp
/// pushed and set to `sums` and `leaves`, a count of 0 jumping to `done`, the hoisted
/// values (`hoists`, which may read the input array in rdx) and the streamed inputs'
/// pointers; then, at `leaf`, rax = the leaf's first byte offset (`lo << shift`) and
/// rsi = its length.
pub(super) fn start(
    a: &mut CodeAssembler,
    plan: &cover::Plan,
    (done, leaf): (CodeLabel, &mut CodeLabel),
    shift: u32,
    hoists: impl FnOnce(&mut CodeAssembler) -> Result<(), EmitError>,
) -> Result<(), EmitError> {
    a.push(rbx)?;
    a.push(rbp)?;
    a.mov(rbx, r8)?;
    a.mov(rbp, rsi)?;
    a.test(rdi, rdi)?;
    a.jz(done)?;
    hoists(a)?;
    for (j, slot) in plan.input_slot.iter().enumerate() {
        if let Some(s) = *slot {
            a.mov(POINTERS[s], qword_ptr(rdx + (8 * j) as i32))?;
        }
    }
    a.set_label(leaf)?;
    a.mov(rax, qword_ptr(rbp))?;
    a.shl(rax, shift)?;
    a.mov(rsi, qword_ptr(rbp + 8))?;
    Ok(())
}
