//! Machine code for a covered program on a host with AVX2 (and FMA) but not AVX-512: the
//! loop of `emit` in 32-byte ymm vectors (4 `float64`s, 8 `float32`s, 2 `complex128`s or
//! 32 `bool`s), for the AMD and older
//! Intel hosts whose only other choice is Cranelift's 128-bit vectors.
//!
//! Registers are `emit`'s ([`POINTERS`], rdi, rsi, rax), with what AVX2 lacks done
//! otherwise:
//! - a `bool` value is a vector of all-ones or zero lanes (`vcmppd`), combined with
//!   `vandpd`/`vorpd`/`vxorpd` (`~` against the plan's all-ones register) and read by
//!   `vblendvpd`;
//! - the last partial vector (and the alignment peel) loads and stores under a lane mask
//!   (`vmaskmovpd`, which neither reads nor writes masked-off lanes) kept in the plan's
//!   `tail` register; the mask is read from a table of 32 all-ones bytes then 32 zero bytes
//!   placed after the code (RIP-relative, so the code still runs wherever it is copied);
//! - a `bool` output is the lane signs (`vmovmskpd`) spread to one byte each by a
//!   multiplication: four bits `b` times `0x0020_4081` puts bit `i` at bit `8i` with no
//!   carries (the four shifted copies do not overlap); a tail stores only its `count`
//!   bytes, in pieces of 4, 2 and 1 by the bits of the count;
//! - a program of `bool` values only runs 32 bytes a vector: each input byte clamped to 0
//!   or 1 (`vpminub` against the plan's `byte_ones`), `~` as `^ 1`, outputs stored as they
//!   are; its last bytes (fewer than 32) one at a time through lane 0.

use super::cover::{predicate, Elem, Hoist, Plan};
use super::emit::{
    align_first_output, complex_product, prologue, vector_loop, EmitError, POINTERS,
};
use super::regs::{Allocation, Loc};
use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::types::DType;
use iced_x86::code_asm::*;

pub(super) const YMM: [AsmRegisterYmm; 16] = [
    ymm0, ymm1, ymm2, ymm3, ymm4, ymm5, ymm6, ymm7, ymm8, ymm9, ymm10, ymm11, ymm12, ymm13, ymm14,
    ymm15,
];

pub(super) const XMM: [AsmRegisterXmm; 16] = [
    xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14,
    xmm15,
];

/// Bytes a vector.
pub(super) const VECTOR: i32 = 32;

/// Four lane bits times this: bit `i` moved to bit `8i` (copies shifted by 0, 7, 14, 21).
const SPREAD: i32 = 0x0020_4081;

/// The low bit of each of four bytes.
const LOW_BITS: i32 = 0x0101_0101;

/// The ymm register at `l`.
pub(super) fn ymm(l: Loc) -> Result<AsmRegisterYmm, EmitError> {
    Ok(YMM[reg_of(l)?])
}

/// The plan's `tail` register.
pub(super) fn tail_mask(plan: &Plan) -> Result<AsmRegisterYmm, EmitError> {
    Ok(YMM[plan.tail.ok_or(EmitError::Plan("no tail register"))?])
}

/// The register number at `l`.
fn reg_of(l: Loc) -> Result<usize, EmitError> {
    match l {
        Loc::Vector(r) => Ok(r),
        Loc::Mask(_) => Err(EmitError::Plan("a mask register in an AVX2 kernel")),
    }
}

/// Elements a vector.
fn lanes(plan: &Plan) -> usize {
    VECTOR as usize / plan.elem.size()
}

/// The kernel's machine code: `wide` allocates `unroll` copies of the program for the main
/// loop, `one` a single copy for the one-vector loop, the alignment peel and the tail.
pub(super) fn emit(
    program: &Program,
    plan: &Plan,
    (unroll, wide): (usize, &Allocation),
    one: &Allocation,
) -> Result<Vec<u8>, EmitError> {
    let mut a = CodeAssembler::new(64)?;
    let mut done = a.create_label();
    let mut ones_end = a.create_label();
    prologue(&mut a, plan, done, |a| load_hoists(a, plan, rsi))?;
    // A `bool` output's masked store takes its count in rdi: such programs run unpeeled.
    if !plan.bool_output.contains(&true) {
        align_first_output(&mut a, plan, VECTOR as usize, |a| {
            first_elements(a, plan, rsi, rax, ones_end)?;
            a.xor(eax, eax)?;
            body(a, program, plan, one, 1, true)
        })?;
    }
    if unroll > 1 {
        vector_loop(&mut a, plan, VECTOR as usize, unroll, |a| {
            body(a, program, plan, wide, unroll, false)
        })?;
    }
    vector_loop(&mut a, plan, VECTOR as usize, 1, |a| {
        body(a, program, plan, one, 1, false)
    })?;
    a.test(rdi, rdi)?;
    a.jz(done)?;
    if plan.elem == Elem::Bool {
        // A `bool` program's last bytes, one at a time through lane 0.
        let mut top = a.create_label();
        a.set_label(&mut top)?;
        body(&mut a, program, plan, one, 1, true)?;
        a.inc(rax)?;
        for &s in &plan.output_slot {
            a.inc(POINTERS[s])?;
        }
        a.dec(rdi)?;
        a.jnz(top)?;
    } else {
        first_elements(&mut a, plan, rdi, rsi, ones_end)?;
        body(&mut a, program, plan, one, 1, true)?;
    }
    a.set_label(&mut done)?;
    a.vzeroupper()?;
    a.ret()?;
    // The mask table: the 32 bytes before `ones_end` all ones, the 32 after it zero.
    a.db(&[0xFF; VECTOR as usize])?;
    a.set_label(&mut ones_end)?;
    a.db(&[0; VECTOR as usize])?;
    Ok(a.assemble(0)?)
}

/// The plan's `tail` register = all-ones lanes for the first `count` elements (fewer than
/// a vector's), zero lanes after: 32 bytes read from `count` elements' bytes before the
/// table's middle. Writes `scratch`; `count` is kept.
pub(super) fn first_elements(
    a: &mut CodeAssembler,
    plan: &Plan,
    count: AsmRegister64,
    scratch: AsmRegister64,
    ones_end: CodeLabel,
) -> Result<(), EmitError> {
    let tail = tail_mask(plan)?;
    a.lea(scratch, ptr(ones_end))?;
    // (A `complex128` element is two qword lanes.)
    if plan.elem == Elem::C128 {
        a.add(count, count)?;
    }
    a.neg(count)?;
    let at = match plan.elem {
        Elem::F32 => scratch + count * 4,
        _ => scratch + count * 8,
    };
    a.vmovdqu(tail, ymmword_ptr(at))?;
    a.neg(count)?;
    if plan.elem == Elem::C128 {
        a.shr(count, 1)?;
    }
    Ok(())
}

/// Puts each hoisted value into its register, as `emit::load_hoists` does with VEX
/// broadcasts. Writes rax.
pub(super) fn load_hoists(
    a: &mut CodeAssembler,
    plan: &Plan,
    inputs: AsmRegister64,
) -> Result<(), EmitError> {
    let f64s = plan.elem.f64_lanes();
    for (r, &h) in plan.hoists.iter().enumerate() {
        if let Hoist::Pair(re, im) = h {
            // [re, im] in the low 128 bits, then in both halves.
            a.mov(rax, re as i64)?;
            a.vmovq(XMM[r], rax)?;
            a.mov(rax, im as i64)?;
            a.vpinsrq(XMM[r], XMM[r], rax, 1)?;
            a.vinsertf128(YMM[r], YMM[r], XMM[r], 1)?;
            continue;
        }
        if let Hoist::Broadcast(j) = h {
            a.mov(rax, qword_ptr(inputs + (8 * j) as i32))?;
            if plan.elem == Elem::C128 {
                a.vbroadcastf128(YMM[r], xmmword_ptr(rax))?;
            } else if f64s {
                a.vbroadcastsd(YMM[r], qword_ptr(rax))?;
            } else {
                a.vbroadcastss(YMM[r], dword_ptr(rax))?;
            }
            continue;
        }
        let Some(bits) = plan.lane_bits(h) else {
            continue;
        };
        a.mov(rax, bits)?;
        a.vmovq(XMM[r], rax)?;
        if f64s {
            a.vpbroadcastq(YMM[r], XMM[r])?;
        } else {
            a.vpbroadcastd(YMM[r], XMM[r])?;
        }
    }
    Ok(())
}

/// `copies` interleaved copies of the program over the vectors at rax + 32·l, then their
/// stores; `tail` loads and stores only the `tail` register's lanes (loads zero the rest).
fn body(
    a: &mut CodeAssembler,
    program: &Program,
    plan: &Plan,
    loc: &Allocation,
    copies: usize,
    tail: bool,
) -> Result<(), EmitError> {
    compute(a, program, plan, loc, copies, tail)?;
    store(a, program, plan, loc, copies, tail)
}

/// `copies` interleaved copies of the program over the vectors at rax + 32·l, leaving
/// each value where `loc` puts it; `tail` loads only the `tail` register's lanes (and
/// zeroes the rest).
pub(super) fn compute(
    a: &mut CodeAssembler,
    program: &Program,
    plan: &Plan,
    loc: &Allocation,
    copies: usize,
    tail: bool,
) -> Result<(), EmitError> {
    let f64s = plan.elem.f64_lanes();
    let mask = || tail_mask(plan);
    let byte_ones = || -> Result<AsmRegisterYmm, EmitError> {
        Ok(YMM[plan
            .byte_ones
            .ok_or(EmitError::Plan("no register of ones"))?])
    };
    for (i, inst) in program.insts.iter().enumerate() {
        if plan.hoisted[i].is_some() {
            continue;
        }
        let ops = inst.op.operands();
        for (l, &dst) in loc[i].iter().enumerate().take(copies) {
            let src = |k: usize| ymm(loc[ops[k] as usize][l]);
            let d = ymm(dst)?;
            match &inst.op {
                Op::Input(j) if plan.elem == Elem::Bool => {
                    // Bytes clamped to 0 or 1; a tail's one byte into lane 0.
                    let slot = plan.input_slot[*j].ok_or(EmitError::Plan("no input slot"))?;
                    let at = POINTERS[slot] + rax + VECTOR * l as i32;
                    if tail {
                        a.movzx(esi, byte_ptr(at))?;
                        a.vmovd(XMM[reg_of(dst)?], esi)?;
                        a.vpminub(d, d, byte_ones()?)?;
                    } else {
                        a.vpminub(d, byte_ones()?, ymmword_ptr(at))?;
                    }
                }
                Op::Input(j) => {
                    let slot = plan.input_slot[*j].ok_or(EmitError::Plan("no input slot"))?;
                    let m = ymmword_ptr(POINTERS[slot] + rax + VECTOR * l as i32);
                    match (tail, f64s) {
                        (true, true) => a.vmaskmovpd(d, mask()?, m)?,
                        (true, false) => a.vmaskmovps(d, mask()?, m)?,
                        (false, true) => a.vmovupd(d, m)?,
                        (false, false) => a.vmovups(d, m)?,
                    }
                }
                // Lane masks are bits: the same instructions whatever the lane width.
                Op::Binary(op @ (BinaryOp::And | BinaryOp::Or | BinaryOp::Xor), _, _)
                    if inst.dtype == DType::Bool =>
                {
                    let (x, y) = (src(0)?, src(1)?);
                    match op {
                        BinaryOp::And => a.vandpd(d, x, y)?,
                        BinaryOp::Or => a.vorpd(d, x, y)?,
                        _ => a.vxorpd(d, x, y)?,
                    }
                }
                Op::Unary(UnaryOp::Not, _) if inst.dtype == DType::Bool => {
                    let ones = match plan.elem {
                        Elem::Bool => byte_ones()?,
                        _ => {
                            YMM[plan
                                .all_ones
                                .ok_or(EmitError::Plan("no all-ones register"))?]
                        }
                    };
                    a.vxorpd(d, src(0)?, ones)?
                }
                Op::Binary(op, _, _) => {
                    let (x, y) = (src(0)?, src(1)?);
                    match (predicate(*op), op, f64s) {
                        (Some(p), _, true) => a.vcmppd(d, x, y, p)?,
                        (Some(p), _, false) => a.vcmpps(d, x, y, p)?,
                        (None, BinaryOp::Mul, true) if plan.elem == Elem::C128 => {
                            let (s, t) = plan
                                .product
                                .ok_or(EmitError::Plan("no scratch for a complex product"))?;
                            complex_product(a, (YMM[s], YMM[t]), d, x, y)?
                        }
                        (None, BinaryOp::Add, true) => a.vaddpd(d, x, y)?,
                        (None, BinaryOp::Sub, true) => a.vsubpd(d, x, y)?,
                        (None, BinaryOp::Mul, true) => a.vmulpd(d, x, y)?,
                        (None, BinaryOp::Div, true) => a.vdivpd(d, x, y)?,
                        (None, BinaryOp::Add, false) => a.vaddps(d, x, y)?,
                        (None, BinaryOp::Sub, false) => a.vsubps(d, x, y)?,
                        (None, BinaryOp::Mul, false) => a.vmulps(d, x, y)?,
                        (None, BinaryOp::Div, false) => a.vdivps(d, x, y)?,
                        _ => return Err(EmitError::Plan("an operation the plan refuses")),
                    }
                }
                Op::Unary(op, _) => {
                    let x = src(0)?;
                    let sign = || -> Result<AsmRegisterYmm, EmitError> {
                        Ok(YMM[plan.sign.ok_or(EmitError::Plan("no sign register"))?])
                    };
                    match (op, f64s) {
                        // The sign bit flipped or cleared, NaN's included.
                        (UnaryOp::Neg, _) => a.vxorpd(d, x, sign()?)?,
                        (UnaryOp::Abs, _) => a.vandnpd(d, sign()?, x)?,
                        (UnaryOp::Sqrt, true) => a.vsqrtpd(d, x)?,
                        (UnaryOp::Sqrt, false) => a.vsqrtps(d, x)?,
                        _ => return Err(EmitError::Plan("an operation the plan refuses")),
                    }
                }
                // where(c, t, e): e's lanes, with t's where c's sign bit is set.
                Op::Select(..) => {
                    let (c, t, e) = (src(0)?, src(1)?, src(2)?);
                    if f64s {
                        a.vblendvpd(d, e, t, c)?
                    } else {
                        a.vblendvps(d, e, t, c)?
                    }
                }
                _ => return Err(EmitError::Plan("an operation the plan refuses")),
            }
        }
    }
    Ok(())
}

/// Stores the outputs of `body`'s copies: a float output as its lanes, a `bool` output as
/// a byte per lane at its own pointer + l·(lanes a vector).
fn store(
    a: &mut CodeAssembler,
    program: &Program,
    plan: &Plan,
    loc: &Allocation,
    copies: usize,
    tail: bool,
) -> Result<(), EmitError> {
    let f64s = plan.elem.f64_lanes();
    let mask = || tail_mask(plan);
    for (k, &o) in program.outputs.iter().enumerate() {
        let ptr = POINTERS[plan.output_slot[k]];
        for (l, &r) in loc[o as usize].iter().enumerate().take(copies) {
            if plan.elem == Elem::Bool {
                // Bytes as they are; a tail's one byte from lane 0.
                if tail {
                    a.vpextrb(byte_ptr(ptr), XMM[reg_of(r)?], 0)?;
                } else {
                    a.vmovdqu(ymmword_ptr(ptr + VECTOR * l as i32), ymm(r)?)?;
                }
                continue;
            }
            let r = ymm(r)?;
            if !plan.bool_output[k] {
                let m = ymmword_ptr(ptr + rax + VECTOR * l as i32);
                match (tail, f64s) {
                    (true, true) => a.vmaskmovpd(m, mask()?, r)?,
                    (true, false) => a.vmaskmovps(m, mask()?, r)?,
                    (false, true) => a.vmovupd(m, r)?,
                    (false, false) => a.vmovups(m, r)?,
                }
                continue;
            }
            let at = ptr + (l * lanes(plan)) as i32;
            if f64s {
                bytes_of_signs(a, r, true, false)?;
                if !tail {
                    a.mov(dword_ptr(at), esi)?;
                }
            } else {
                // Eight lanes: two groups of four bytes.
                bytes_of_signs(a, r, false, false)?;
                if tail {
                    // Both halves into the red zone, then into rsi together.
                    a.mov(dword_ptr(rsp - 8), esi)?;
                    bytes_of_signs(a, r, false, true)?;
                    a.mov(dword_ptr(rsp - 4), esi)?;
                    a.mov(rsi, qword_ptr(rsp - 8))?;
                } else {
                    a.mov(dword_ptr(at), esi)?;
                    bytes_of_signs(a, r, false, true)?;
                    a.mov(dword_ptr(at + 4), esi)?;
                }
            }
            if tail {
                first_bytes(a, ptr)?;
            }
        }
    }
    Ok(())
}

/// esi = a byte 0 or 1 per lane of `r` (its sign bit): the four lanes of `float64`s, or
/// the low or `high` four of `float32`s.
fn bytes_of_signs(
    a: &mut CodeAssembler,
    r: AsmRegisterYmm,
    f64s: bool,
    high: bool,
) -> Result<(), EmitError> {
    if f64s {
        a.vmovmskpd(esi, r)?;
    } else {
        a.vmovmskps(esi, r)?;
        if high {
            a.shr(esi, 4)?;
        } else {
            a.and(esi, 15)?;
        }
    }
    a.imul_3(esi, esi, SPREAD)?;
    a.and(esi, LOW_BITS)?;
    Ok(())
}

/// Stores the low rdi bytes of rsi (rdi < 8) at `ptr`, which it moves on: four, two and
/// one by rdi's bits, each piece shifted out of rsi once stored.
fn first_bytes(a: &mut CodeAssembler, ptr: AsmRegister64) -> Result<(), EmitError> {
    let mut no4 = a.create_label();
    let mut no2 = a.create_label();
    let mut no1 = a.create_label();
    a.test(dil, 4)?;
    a.jz(no4)?;
    a.mov(dword_ptr(ptr), esi)?;
    a.shr(rsi, 32)?;
    a.add(ptr, 4)?;
    a.set_label(&mut no4)?;
    a.test(dil, 2)?;
    a.jz(no2)?;
    a.mov(word_ptr(ptr), si)?;
    a.shr(esi, 16)?;
    a.add(ptr, 2)?;
    a.set_label(&mut no2)?;
    a.test(dil, 1)?;
    a.jz(no1)?;
    a.mov(byte_ptr(ptr), sil)?;
    a.set_label(&mut no1)?;
    // What follows may carry a label of its own (the assembler takes one an instruction).
    a.nop()?;
    Ok(())
}
