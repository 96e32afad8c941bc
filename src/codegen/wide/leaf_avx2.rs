//! Leaf sums ([`LeafSumFn`]) of a covered `float64` or `float32` program in AVX2, for hosts
//! with AVX2 but not AVX-512 (`leaf.rs` has the AVX-512 loop): the same additions in the
//! same order as `codegen::leaves` (and `runtime::reduce`'s stored leaves) make, with
//! 32-byte loads, which stream faster than Cranelift's 16-byte ones.
//!
//! Per leaf `(lo, n)`: the eight accumulators `r0..r7` are the lanes of ymm15 and ymm14 for
//! `float64` (`r0..r3`, `r4..r7`) or of ymm15 for `float32`, starting at `-0.0` (the
//! identity of `+` that keeps every bit); each step of 8 elements is computed (two
//! vectors, or one) and added to them; they are combined as
//! `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))` by horizontal adds; the last
//! `n % 8` elements are computed a masked vector at a time, stored below the stack pointer
//! (the System V red zone) and added to the sum one by one, left to right.
//!
//! Registers: as `leaf.rs` (rdi counts the leaves left, rbp walks `leaves`, rbx walks
//! `sums`, both pushed and popped; rax is the byte offset of the current vector, rsi the
//! elements left in the leaf; the input pointers in r9, r10, r11, r8), with rcx and rdx
//! (once the broadcast inputs are loaded) as scratch. ymm13 is scratch, above every
//! register the program's allocation uses.

use super::avx2::{self, VECTOR, XMM, YMM};
use super::cover::{Elem, Isa, Plan};
use super::emit::EmitError;
use super::regs::{self, Allocation};
use super::WideFunction;
use crate::codegen::calls::internal;
use crate::codegen::leaves::LeafSumFn;
use crate::codegen::Access;
use crate::error::Result;
use crate::ir::Program;
use iced_x86::code_asm::*;

/// The accumulators' registers (the second for `float64` only) and the scratch register.
const ACC0: usize = 15;
const ACC1: usize = 14;
const T: usize = 13;

/// Elements per accumulator step: the eight accumulators of a leaf.
const STEP: i32 = 8;

/// The leaf sums of `program` (one `float64` or `float32` output) over inputs walked as
/// `inputs` on an AVX2 host, or `None` where the generator does not cover the program or
/// its layout.
pub(super) fn compile(
    program: &Program,
    inputs: &[Access],
) -> Result<Option<WideFunction<LeafSumFn>>> {
    let Some(plan) = super::reducer_plan(program, inputs, Isa::Avx2) else {
        return Ok(None);
    };
    if !matches!(plan.elem, Elem::F64 | Elem::F32) {
        return Ok(None);
    }
    // A step is two vectors of `float64`s, one of `float32`s.
    let copies = (STEP as usize * plan.elem.size()) / VECTOR as usize;
    let (Some(step), Some(one)) = (
        regs::allocate(program, &plan, copies),
        regs::allocate(program, &plan, 1),
    ) else {
        return Ok(None);
    };
    if regs::highest(&step, &plan) >= T || regs::highest(&one, &plan) >= T {
        return Ok(None);
    }
    let bytes = emit(program, &plan, (copies, &step), &one).map_err(|e| internal(e.to_string()))?;
    // SAFETY: `emit` produced a function with the `LeafSumFn` ABI at the code's start.
    unsafe { WideFunction::<LeafSumFn>::map(&bytes, "wide leaf sums") }.map(Some)
}

/// The machine code (see the module doc): `step` allocates the `copies` vectors of one
/// step of 8 elements, `one` a single vector for the tail.
fn emit(
    program: &Program,
    plan: &Plan,
    (copies, step): (usize, &Allocation),
    one: &Allocation,
) -> Result<Vec<u8>, EmitError> {
    let f64s = plan.elem == Elem::F64;
    let size = plan.elem.size() as i32;
    let lanes = VECTOR / size;
    let out = program.outputs[0] as usize;
    let (acc0, acc1) = (YMM[ACC0], YMM[ACC1]);
    let (acc0_x, t_x) = (XMM[ACC0], XMM[T]);
    let mut a = CodeAssembler::new(64)?;
    let mut done = a.create_label();
    let mut leaf = a.create_label();
    let mut steps = a.create_label();
    let mut combine = a.create_label();
    let mut tail = a.create_label();
    let mut add = a.create_label();
    let mut put = a.create_label();
    let mut ones_end = a.create_label();

    let shift = size.trailing_zeros();
    super::leaf::start(&mut a, plan, (done, &mut leaf), shift, |a| {
        avx2::load_hoists(a, plan, rdx)
    })?;
    // Leaf by leaf: the accumulators at -0.0.
    if f64s {
        a.mov(rcx, i64::MIN)?;
        a.vmovq(acc0_x, rcx)?;
        a.vpbroadcastq(acc0, acc0_x)?;
        a.vmovapd(acc1, acc0)?;
    } else {
        a.mov(ecx, i32::MIN)?;
        a.vmovd(acc0_x, ecx)?;
        a.vpbroadcastd(acc0, acc0_x)?;
    }
    a.cmp(rsi, STEP)?;
    a.jb(combine)?;
    a.set_label(&mut steps)?;
    avx2::compute(&mut a, program, plan, step, copies, false)?;
    let v = |c: usize| avx2::ymm(step[out][c]);
    if f64s {
        a.vaddpd(acc0, acc0, v(0)?)?;
        a.vaddpd(acc1, acc1, v(1)?)?;
    } else {
        a.vaddps(acc0, acc0, v(0)?)?;
    }
    a.add(rax, STEP * size)?;
    a.sub(rsi, STEP)?;
    a.cmp(rsi, STEP)?;
    a.jae(steps)?;

    // ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) into lane 0 of acc0.
    a.set_label(&mut combine)?;
    if f64s {
        // [r0+r1, r4+r5, r2+r3, r6+r7], then [low, high], then low + high.
        a.vhaddpd(acc0, acc0, acc1)?;
        a.vextractf128(t_x, acc0, 1)?;
        a.vaddpd(acc0_x, acc0_x, t_x)?;
        a.vpermilpd(t_x, acc0_x, 1)?;
        a.vaddsd(acc0_x, acc0_x, t_x)?;
    } else {
        // [r0+r1, r2+r3, r4+r5, r6+r7], then [low, high, ..], then low + high.
        a.vextractf128(t_x, acc0, 1)?;
        a.vhaddps(acc0_x, acc0_x, t_x)?;
        a.vhaddps(acc0_x, acc0_x, acc0_x)?;
        a.vmovshdup(t_x, acc0_x)?;
        a.vaddss(acc0_x, acc0_x, t_x)?;
    }

    // The last n % 8 elements, a vector at a time (rcx of them), each stored below the
    // stack pointer and added one by one.
    a.set_label(&mut tail)?;
    a.test(rsi, rsi)?;
    a.jz(put)?;
    a.mov(rcx, rsi)?;
    a.cmp(rcx, lanes)?;
    a.mov(rdx, i64::from(lanes))?;
    a.cmova(rcx, rdx)?;
    avx2::first_elements(&mut a, plan, rcx, rdx, ones_end)?;
    avx2::compute(&mut a, program, plan, one, 1, true)?;
    let v = avx2::ymm(one[out][0])?;
    a.vmovupd(ymmword_ptr(rsp - VECTOR), v)?;
    a.sub(rsi, rcx)?;
    a.lea(rdx, ptr(rsp - VECTOR))?;
    a.set_label(&mut add)?;
    if f64s {
        a.vaddsd(acc0_x, acc0_x, qword_ptr(rdx))?;
    } else {
        a.vaddss(acc0_x, acc0_x, dword_ptr(rdx))?;
    }
    a.add(rdx, size)?;
    a.add(rax, size)?;
    a.dec(rcx)?;
    a.jnz(add)?;
    a.jmp(tail)?;

    a.set_label(&mut put)?;
    if f64s {
        a.vmovsd(qword_ptr(rbx), acc0_x)?;
    } else {
        a.vmovss(dword_ptr(rbx), acc0_x)?;
    }
    a.add(rbx, size)?;
    a.add(rbp, 16)?;
    a.dec(rdi)?;
    a.jnz(leaf)?;

    a.set_label(&mut done)?;
    a.vzeroupper()?;
    a.pop(rbp)?;
    a.pop(rbx)?;
    a.ret()?;
    // The tail-mask table `avx2::first_elements` reads: 32 bytes of ones, then 32 of zeros.
    a.db(&[0xFF; VECTOR as usize])?;
    a.set_label(&mut ones_end)?;
    a.db(&[0; VECTOR as usize])?;
    Ok(a.assemble(0)?)
}
