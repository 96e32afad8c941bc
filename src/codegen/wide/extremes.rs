//! Running extremes ([`ExtremeFn`], see `codegen::extremes`) of a covered `float64` or
//! `float32` program in AVX2 ymm vectors, on any host with AVX2 and FMA (AVX-512 hosts
//! included): streamed from beyond the caches, 32-byte loads keep more of a core's reads
//! in flight than Cranelift's 16-byte ones (`max(a + b)` over 1e7 `float64`s, one AMD Zen 3
//! core: a plain 16-byte loop 0.83-0.86 ns per element, a 32-byte one 0.71-0.74).
//!
//! Each of `unroll` copies of the program has its own running extreme, updated with
//! `vmaxpd acc, x, acc` (`x` where `x > acc`, else `acc`: a NaN `x` never replaces, so the
//! extremes never hold a NaN); `vcmppd` (unordered) of two copies' values at once, or'ed
//! into one register, notes the lanes that met a NaN. The last partial vector loads under
//! the tail mask, its masked-off lanes replaced by the worst value (`+inf` for `min`,
//! `-inf` for `max`) before they count. At the end the copies' extremes and then the lanes
//! are folded into one, stored at `out`; the result is exact (1 in eax) when no lane met a
//! NaN and the extreme is not a zero.
//!
//! Registers: rdi counts the elements left, rax is the byte offset of the current vector
//! (starting at `lo`'s), rsi a scratch register; the input pointers go to [`POINTERS`]'
//! first four (r9, r10, r11, r8), `out` (r8) being pushed first. The running extremes are
//! ymm15 down, then the NaN lanes and one scratch register, above every register the
//! program's allocation uses.

use super::avx2::{self, VECTOR, XMM, YMM};
use super::cover::{Elem, Isa, Plan};
use super::emit::{EmitError, POINTERS};
use super::regs::{self, Allocation};
use super::WideFunction;
use crate::codegen::extremes::ExtremeFn;
use crate::codegen::Access;
use crate::error::Result;
use crate::ir::Program;
use iced_x86::code_asm::*;

/// `vcmppd`/`vcmpps` predicate: unordered (either operand NaN), quiet.
const UNORD_Q: i32 = 3;

/// The running `min` (`is_min`) or `max` of `program` (one `float64` or `float32` output)
/// over inputs walked as `inputs`, or `None` where the generator does not cover the
/// program, its layout or the host.
pub(crate) fn compile_extremes(
    program: &Program,
    inputs: &[Access],
    is_min: bool,
) -> Result<Option<WideFunction<ExtremeFn>>> {
    if Isa::host().is_none() {
        return Ok(None);
    }
    // AVX2 code whatever the host: it runs on AVX-512 hosts as well.
    let Some(plan) = super::reducer_plan(program, inputs, Isa::Avx2) else {
        return Ok(None);
    };
    if !matches!(plan.elem, Elem::F64 | Elem::F32) {
        return Ok(None);
    }
    let Some(one) = regs::allocate(program, &plan, 1) else {
        return Ok(None);
    };
    // The widest unroll whose values stay below the extremes, the NaN lanes and scratch.
    let fits = |alloc: &Allocation, unroll: usize| {
        regs::highest(alloc, &plan) < Isa::Avx2.vectors() - unroll - 2
    };
    let Some((unroll, wide)) = [4, 2, 1].into_iter().find_map(|u| {
        let alloc = if u == 1 {
            one.clone()
        } else {
            regs::allocate(program, &plan, u)?
        };
        (fits(&alloc, u) && fits(&one, u)).then_some((u, alloc))
    }) else {
        return Ok(None);
    };
    let regs = Regs::new(unroll);
    let bytes = emit_extremes(program, &plan, (unroll, &wide), &one, regs, is_min)
        .map_err(|e| crate::codegen::calls::internal(e.to_string()))?;
    // SAFETY: `emit_extremes` produced a function with the `ExtremeFn` ABI at the code's
    // start.
    unsafe { WideFunction::<ExtremeFn>::map(&bytes, "wide extremes") }.map(Some)
}

/// The registers above the program's (see the module doc): copy `c`'s running extreme is
/// register `15 - c`, then come the NaN lanes and the scratch register.
#[derive(Clone, Copy)]
struct Regs {
    /// The lanes that met a NaN.
    nan: usize,
    /// Scratch.
    scratch: usize,
}

impl Regs {
    /// For `unroll` running extremes.
    fn new(unroll: usize) -> Regs {
        let top = Isa::Avx2.vectors() - 1;
        Regs {
            nan: top - unroll,
            scratch: top - unroll - 1,
        }
    }

    /// Copy `c`'s running extreme.
    fn acc(self, c: usize) -> usize {
        Isa::Avx2.vectors() - 1 - c
    }
}

/// The machine code (see the module doc): `wide` allocates `unroll` copies of the program
/// for the main loop, `one` a single copy for the one-vector loop and the tail.
fn emit_extremes(
    program: &Program,
    plan: &Plan,
    (unroll, wide): (usize, &Allocation),
    one: &Allocation,
    r: Regs,
    is_min: bool,
) -> Result<Vec<u8>, EmitError> {
    let f64s = plan.elem == Elem::F64;
    let lanes = VECTOR / plan.elem.size() as i32;
    let shift = plan.elem.size().trailing_zeros();
    let out = program.outputs[0] as usize;
    let (nan, s) = (YMM[r.nan], YMM[r.scratch]);
    let (acc0, acc0_x, s_x) = (YMM[r.acc(0)], XMM[r.acc(0)], XMM[r.scratch]);
    let mut a = CodeAssembler::new(64)?;
    let mut empty = a.create_label();
    let mut ones_end = a.create_label();
    let mut main = a.create_label();
    let mut single = a.create_label();
    let mut single_loop = a.create_label();
    let mut tail = a.create_label();
    let mut fold = a.create_label();
    let mut done = a.create_label();

    // `better(d, x, acc)`: d = x where strictly better than acc, else acc.
    let better = |a: &mut CodeAssembler,
                  d: AsmRegisterYmm,
                  x: AsmRegisterYmm,
                  acc: AsmRegisterYmm|
     -> Result<(), EmitError> {
        match (is_min, f64s) {
            (true, true) => a.vminpd(d, x, acc)?,
            (true, false) => a.vminps(d, x, acc)?,
            (false, true) => a.vmaxpd(d, x, acc)?,
            (false, false) => a.vmaxps(d, x, acc)?,
        }
        Ok(())
    };
    let unordered = |a: &mut CodeAssembler,
                     d: AsmRegisterYmm,
                     x: AsmRegisterYmm,
                     y: AsmRegisterYmm|
     -> Result<(), EmitError> {
        if f64s {
            a.vcmppd(d, x, y, UNORD_Q)?;
        } else {
            a.vcmpps(d, x, y, UNORD_Q)?;
        }
        Ok(())
    };
    // rsi = the worst value's bits, broadcast into `d`.
    let worst = |a: &mut CodeAssembler, d: usize| -> Result<(), EmitError> {
        let bits = match (is_min, f64s) {
            (true, true) => f64::INFINITY.to_bits(),
            (false, true) => f64::NEG_INFINITY.to_bits(),
            (true, false) => u64::from(f32::INFINITY.to_bits()),
            (false, false) => u64::from(f32::NEG_INFINITY.to_bits()),
        };
        a.mov(rsi, bits as i64)?;
        a.vmovq(XMM[d], rsi)?;
        if f64s {
            a.vpbroadcastq(YMM[d], XMM[d])?;
        } else {
            a.vpbroadcastd(YMM[d], XMM[d])?;
        }
        Ok(())
    };
    // The extremes of `copies` computed copies, and their NaN lanes, two copies a compare.
    let update =
        |a: &mut CodeAssembler, loc: &Allocation, copies: usize| -> Result<(), EmitError> {
            let v = |c: usize| avx2::ymm(loc[out][c]);
            for c in 0..copies {
                better(a, YMM[r.acc(c)], v(c)?, YMM[r.acc(c)])?;
            }
            for c in (0..copies).step_by(2) {
                unordered(a, s, v(c)?, v((c + 1).min(copies - 1))?)?;
                a.vorpd(nan, nan, s)?;
            }
            Ok(())
        };

    a.push(r8)?;
    a.test(rdi, rdi)?;
    a.jz(empty)?;
    avx2::load_hoists(&mut a, plan, rdx)?;
    for (j, slot) in plan.input_slot.iter().enumerate() {
        if let Some(k) = *slot {
            a.mov(POINTERS[k], qword_ptr(rdx + (8 * j) as i32))?;
        }
    }
    a.mov(rax, rsi)?;
    a.shl(rax, shift)?;
    worst(&mut a, r.acc(0))?;
    for c in 1..unroll {
        a.vmovapd(YMM[r.acc(c)], acc0)?;
    }
    a.vxorpd(nan, nan, nan)?;

    // `unroll` vectors a step, then one, then the last partial vector.
    if unroll > 1 {
        let step = lanes * unroll as i32;
        a.cmp(rdi, step)?;
        a.jb(single)?;
        a.set_label(&mut main)?;
        avx2::compute(&mut a, program, plan, wide, unroll, false)?;
        update(&mut a, wide, unroll)?;
        a.add(rax, VECTOR * unroll as i32)?;
        a.sub(rdi, step)?;
        a.cmp(rdi, step)?;
        a.jae(main)?;
    }
    a.set_label(&mut single)?;
    a.cmp(rdi, lanes)?;
    a.jb(tail)?;
    a.set_label(&mut single_loop)?;
    avx2::compute(&mut a, program, plan, one, 1, false)?;
    update(&mut a, one, 1)?;
    a.add(rax, VECTOR)?;
    a.sub(rdi, lanes)?;
    a.cmp(rdi, lanes)?;
    a.jae(single_loop)?;

    a.set_label(&mut tail)?;
    a.test(rdi, rdi)?;
    a.jz(fold)?;
    avx2::first_elements(&mut a, plan, rdi, rsi, ones_end)?;
    avx2::compute(&mut a, program, plan, one, 1, true)?;
    // The masked-off lanes count as the worst value.
    worst(&mut a, r.scratch)?;
    let mask = avx2::tail_mask(plan)?;
    let v = avx2::ymm(one[out][0])?;
    if f64s {
        a.vblendvpd(s, s, v, mask)?;
    } else {
        a.vblendvps(s, s, v, mask)?;
    }
    better(&mut a, acc0, s, acc0)?;
    unordered(&mut a, s, s, s)?;
    a.vorpd(nan, nan, s)?;

    // The copies' extremes, then the lanes, into lane 0 of the first.
    a.set_label(&mut fold)?;
    for c in 1..unroll {
        better(&mut a, acc0, YMM[r.acc(c)], acc0)?;
    }
    a.vextractf128(s_x, acc0, 1)?;
    let better_x = |a: &mut CodeAssembler, scalar: bool| -> Result<(), EmitError> {
        match (is_min, f64s, scalar) {
            (true, true, false) => a.vminpd(acc0_x, s_x, acc0_x)?,
            (true, true, true) => a.vminsd(acc0_x, s_x, acc0_x)?,
            (true, false, false) => a.vminps(acc0_x, s_x, acc0_x)?,
            (true, false, true) => a.vminss(acc0_x, s_x, acc0_x)?,
            (false, true, false) => a.vmaxpd(acc0_x, s_x, acc0_x)?,
            (false, true, true) => a.vmaxsd(acc0_x, s_x, acc0_x)?,
            (false, false, false) => a.vmaxps(acc0_x, s_x, acc0_x)?,
            (false, false, true) => a.vmaxss(acc0_x, s_x, acc0_x)?,
        }
        Ok(())
    };
    better_x(&mut a, false)?;
    a.vpermilpd(s_x, acc0_x, 1)?;
    better_x(&mut a, f64s)?;
    if !f64s {
        a.vmovshdup(s_x, acc0_x)?;
        better_x(&mut a, true)?;
    }

    // Stored; exact when no lane met a NaN and the extreme is not a zero.
    a.pop(rcx)?;
    if f64s {
        a.vmovsd(qword_ptr(rcx), acc0_x)?;
    } else {
        a.vmovss(dword_ptr(rcx), acc0_x)?;
    }
    a.xor(eax, eax)?;
    a.vptest(nan, nan)?;
    a.jnz(done)?;
    a.vxorpd(s_x, s_x, s_x)?;
    if f64s {
        a.vucomisd(acc0_x, s_x)?;
    } else {
        a.vucomiss(acc0_x, s_x)?;
    }
    a.je(done)?;
    a.mov(eax, 1)?;
    a.set_label(&mut done)?;
    a.vzeroupper()?;
    a.ret()?;

    a.set_label(&mut empty)?;
    a.pop(rcx)?;
    a.xor(eax, eax)?;
    a.ret()?;
    // The tail-mask table `avx2::first_elements` reads: 32 bytes of ones, then 32 of zeros.
    a.db(&[0xFF; VECTOR as usize])?;
    a.set_label(&mut ones_end)?;
    a.db(&[0; VECTOR as usize])?;
    Ok(a.assemble(0)?)
}
