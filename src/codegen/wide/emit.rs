//! Machine code for a covered program: the loop `super` describes, with iced-x86's code
//! assembler.
//!
//! Registers (System V): the ABI's `n` arrives in rdi, which counts the elements left;
//! rsi, rdx, rcx and r8 bring the input pointers, their strides, the output pointers and
//! theirs. The pointers the loop walks are loaded into r9, r10, r11, r8, rdx and rcx
//! ([`POINTERS`], in that order, inputs first; rcx, which holds the output array until
//! then, is loaded last). rax is the byte offset of the current vector, and rsi a scratch
//! register once the pointers are loaded. Only caller-saved registers are written (a loop
//! with calls also sets up a stack frame in rbp, restored before the return, see
//! [`call`]), and `vzeroupper` precedes the return.

use super::cover::{predicate, Elem, Hoist, Plan, MAX_POINTERS};
use super::regs::{Allocation, Loc};
use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::types::DType;
use iced_x86::code_asm::asm_traits::{
    CodeAsmVfmaddsub231pd, CodeAsmVmovapd, CodeAsmVmovddup, CodeAsmVmulpd, CodeAsmVpermilpd,
};
use iced_x86::code_asm::*;

/// Why no code came out: the assembler refused it, or the plan and allocation disagree
/// (which `cover` and `regs` rule out; the caller then uses Cranelift either way).
#[derive(Debug)]
pub(super) enum EmitError {
    /// iced-x86's error.
    Asm(IcedError),
    /// An inconsistency between plan, allocation and program.
    Plan(&'static str),
}

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmitError::Asm(e) => write!(f, "the assembler refused the wide kernel: {e}"),
            EmitError::Plan(m) => write!(f, "wide kernel: {m}"),
        }
    }
}

impl From<IcedError> for EmitError {
    fn from(e: IcedError) -> Self {
        EmitError::Asm(e)
    }
}

/// The pointer registers, in slot order.
pub(super) const POINTERS: [AsmRegister64; MAX_POINTERS] = [r9, r10, r11, r8, rdx, rcx];

pub(super) const ZMM: [AsmRegisterZmm; 32] = [
    zmm0, zmm1, zmm2, zmm3, zmm4, zmm5, zmm6, zmm7, zmm8, zmm9, zmm10, zmm11, zmm12, zmm13, zmm14,
    zmm15, zmm16, zmm17, zmm18, zmm19, zmm20, zmm21, zmm22, zmm23, zmm24, zmm25, zmm26, zmm27,
    zmm28, zmm29, zmm30, zmm31,
];

/// The low 128 bits of the first sixteen vector registers (VEX-encodable).
const XMM: [AsmRegisterXmm; 16] = [
    xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14,
    xmm15,
];

/// Mask register `n` of the allocation (k2 + n).
fn mask(n: usize) -> AsmRegisterK {
    [k2, k3, k4, k5, k6, k7][n]
}

/// `z` merge-masked by mask register `n` of the allocation.
fn merged(z: AsmRegisterZmm, n: usize) -> AsmRegisterZmm {
    match n {
        0 => z.k2(),
        1 => z.k3(),
        2 => z.k4(),
        3 => z.k5(),
        4 => z.k6(),
        _ => z.k7(),
    }
}

/// The vector register at `l`; an allocation puts masks only where `bool` values are,
/// and those are only `where` conditions (`cover::plan`).
pub(super) fn vector(l: Loc) -> Result<AsmRegisterZmm, EmitError> {
    match l {
        Loc::Vector(r) => Ok(ZMM[r]),
        Loc::Mask(_) => Err(EmitError::Plan("a mask where a vector belongs")),
    }
}

/// The mask index at `l`.
fn mask_at(l: Loc) -> Result<usize, EmitError> {
    match l {
        Loc::Mask(k) => Ok(k),
        Loc::Vector(_) => Err(EmitError::Plan("a vector where a mask belongs")),
    }
}

/// The kernel's machine code: `wide` allocates `unroll` copies of the program for the main
/// loop, `one` a single copy for the one-vector loop and the masked tail.
pub(super) fn emit(
    program: &Program,
    plan: &Plan,
    (unroll, wide): (usize, &Allocation),
    one: &Allocation,
) -> Result<Vec<u8>, EmitError> {
    let mut a = CodeAssembler::new(64)?;
    let mut done = a.create_label();
    if plan.has_calls() {
        enter_frame(&mut a)?;
    }
    prologue(&mut a, plan, done, |a| load_hoists(a, plan, rsi))?;
    align_first_output(&mut a, plan, VECTOR, |a| {
        first_elements(a, plan.elem, rsi, rax)?;
        a.xor(eax, eax)?;
        body(a, program, plan, one, 1, true)
    })?;
    if unroll > 1 {
        vector_loop(&mut a, plan, VECTOR, unroll, |a| {
            body(a, program, plan, wide, unroll, false)
        })?;
    }
    vector_loop(&mut a, plan, VECTOR, 1, |a| {
        body(a, program, plan, one, 1, false)
    })?;
    a.test(rdi, rdi)?;
    a.jz(done)?;
    first_elements(&mut a, plan.elem, rdi, rsi)?;
    body(&mut a, program, plan, one, 1, true)?;
    a.set_label(&mut done)?;
    if plan.has_calls() {
        a.mov(rsp, rbp)?;
        a.pop(rbp)?;
    }
    a.vzeroupper()?;
    a.ret()?;
    // Only relative branches and no data (a call's target is an absolute address in a
    // register): the code runs wherever it is copied.
    Ok(a.assemble(0)?)
}

/// The stack frame of a loop with calls: rbp keeps the caller's rsp, rsp is 64-byte
/// aligned (whole-line vector saves, and the ABI's 16 at each call), and below it lie the
/// save areas of [`call`]: 32 vector registers, then 8 mask registers, then
/// [`CALL_CLOBBERED`].
const FRAME: i32 = 2240;
/// Where [`call`] saves mask register `k` (at `8 k` from here).
const MASK_SAVES: i32 = 32 * 64;
/// Where [`call`] saves the general registers.
const GPR_SAVES: i32 = MASK_SAVES + 8 * 8;
/// The most caller-saved general registers the loop uses: the offset, the count, rsi
/// (the count of the first, masked, vector, see [`align_first_output`]) and the pointers.
const CALL_CLOBBERED: usize = 3 + MAX_POINTERS;

/// Sets up [`FRAME`] before anything else of the function (rbp is the only callee-saved
/// register written, and is restored before the return).
fn enter_frame(a: &mut CodeAssembler) -> Result<(), EmitError> {
    const _: () = assert!(GPR_SAVES + 8 * CALL_CLOBBERED as i32 <= FRAME && FRAME % 64 == 0);
    a.push(rbp)?;
    a.mov(rbp, rsp)?;
    a.and(rsp, -64)?;
    a.sub(rsp, FRAME)?;
    Ok(())
}

/// Instruction `i` of `program`, `dst = f(x)` by the one-vector math function at `addr`
/// (System V: `x` in zmm0, the result in zmm0, every vector and mask register and the
/// caller-saved general registers clobbered). Saved around it into [`FRAME`]: every
/// hoisted register, the registers of values made before `i` and read after it, the
/// offset rax, the count rdi and the pointers in use, and in the tail k1 and rsi.
#[allow(clippy::too_many_arguments)]
fn call(
    a: &mut CodeAssembler,
    plan: &Plan,
    loc: &Allocation,
    last: &[usize],
    i: usize,
    addr: usize,
    (x, dst): (Loc, Loc),
    tail: bool,
) -> Result<(), EmitError> {
    // Every hoisted register (the next vector reads them again), and the values made
    // before `i` and read after it.
    let mut vectors: Vec<usize> = (0..plan.hoists.len()).collect();
    let mut masks: Vec<usize> = Vec::new();
    for v in 0..i {
        if last[v] <= i {
            continue;
        }
        match loc[v].first() {
            Some(&Loc::Vector(r)) if !vectors.contains(&r) => vectors.push(r),
            Some(&Loc::Mask(k)) if !masks.contains(&k) => masks.push(k),
            _ => {}
        }
    }
    let pointers = plan.input_slot.iter().flatten().count() + plan.output_slot.len();
    let mut gprs = vec![rax, rdi];
    gprs.extend_from_slice(&POINTERS[..pointers]);
    if tail {
        gprs.push(rsi);
    }
    for (j, &g) in gprs.iter().enumerate() {
        a.mov(qword_ptr(rsp + GPR_SAVES + 8 * j as i32), g)?;
    }
    for &r in &vectors {
        a.vmovapd(zmmword_ptr(rsp + 64 * r as i32), ZMM[r])?;
    }
    for &k in &masks {
        a.kmovq(qword_ptr(rsp + MASK_SAVES + 8 * (k as i32 + 2)), mask(k))?;
    }
    if tail {
        a.kmovq(qword_ptr(rsp + MASK_SAVES + 8), k1)?;
    }
    if x != Loc::Vector(0) {
        a.vmovapd(zmm0, vector(x)?)?;
    }
    a.mov(rax, addr as u64)?;
    a.call(rax)?;
    if dst != Loc::Vector(0) {
        a.vmovapd(vector(dst)?, zmm0)?;
    }
    if tail {
        a.kmovq(k1, qword_ptr(rsp + MASK_SAVES + 8))?;
    }
    for &k in &masks {
        a.kmovq(mask(k), qword_ptr(rsp + MASK_SAVES + 8 * (k as i32 + 2)))?;
    }
    for &r in &vectors {
        a.vmovapd(ZMM[r], zmmword_ptr(rsp + 64 * r as i32))?;
    }
    for (j, &g) in gprs.iter().enumerate() {
        a.mov(g, qword_ptr(rsp + GPR_SAVES + 8 * j as i32))?;
    }
    Ok(())
}

/// What both loops (this and `avx2`'s) start with: a count of 0 jumps to `done` and
/// touches no memory, not even a broadcast element; then each streamed input's pointer,
/// the hoisted values (`hoists`, which may read the input pointer array in rsi), the output
/// pointers (last: the last may overwrite rcx, the array they come from), and rax = 0.
pub(super) fn prologue(
    a: &mut CodeAssembler,
    plan: &Plan,
    done: CodeLabel,
    hoists: impl FnOnce(&mut CodeAssembler) -> Result<(), EmitError>,
) -> Result<(), EmitError> {
    a.test(rdi, rdi)?;
    a.jz(done)?;
    for (j, slot) in plan.input_slot.iter().enumerate() {
        if let Some(s) = *slot {
            a.mov(POINTERS[s], qword_ptr(rsi + (8 * j) as i32))?;
        }
    }
    hoists(a)?;
    for (k, &s) in plan.output_slot.iter().enumerate() {
        a.mov(POINTERS[s], qword_ptr(rcx + (8 * k) as i32))?;
    }
    a.xor(eax, eax)?;
    Ok(())
}

/// k1 = the lanes of the first `count` elements, fewer than a vector's (two lanes an
/// element for `complex128`, a bit a byte for `bool`). Writes `scratch`; `count` is kept.
pub(super) fn first_elements(
    a: &mut CodeAssembler,
    elem: Elem,
    count: AsmRegister64,
    scratch: AsmRegister64,
) -> Result<(), EmitError> {
    if elem == Elem::C128 {
        a.add(count, count)?;
    }
    a.mov(scratch, -1i64)?;
    a.bzhi(scratch, scratch, count)?;
    // (All 64 bits: masked lanes beyond the vector's are zero either way.)
    a.kmovq(k1, scratch)?;
    if elem == Elem::C128 {
        a.shr(count, 1)?;
    }
    Ok(())
}

/// Bytes of a zmm vector.
const VECTOR: usize = 64;

/// Runs the elements before the first output's next `bytes`-byte (vector) boundary, at
/// most `n`, as one masked vector, so that the loops' stores of that output are whole
/// vectors within cache lines: a store that spans two lines costs more once the result
/// streams from or to L3 (a plain AVX-512 loop of the polynomial over 1e6 `float64`s, one
/// core: 0.46 ns per element with its output 64-byte aligned, 0.48-0.51 with NumPy's
/// 16-byte offset). `masked` emits that vector, given its count in rsi, with rax free as
/// scratch and to be left 0 (the vector's offset). Only for a float (or `complex128`)
/// first output; `bool` outputs' pointers move on by the elements done. Shared by both
/// loops (`avx2`'s with its own mask).
pub(super) fn align_first_output(
    a: &mut CodeAssembler,
    plan: &Plan,
    bytes: usize,
    masked: impl FnOnce(&mut CodeAssembler) -> Result<(), EmitError>,
) -> Result<(), EmitError> {
    if plan.elem == Elem::Bool || plan.bool_output.first() != Some(&false) {
        return Ok(());
    }
    let shift = plan.elem.size().trailing_zeros();
    let mut aligned = a.create_label();
    // rsi = min(n, elements to the boundary).
    a.mov(rsi, POINTERS[plan.output_slot[0]])?;
    a.neg(rsi)?;
    a.and(esi, bytes as i32 - 1)?;
    a.shr(esi, shift)?;
    a.cmp(rsi, rdi)?;
    a.cmova(rsi, rdi)?;
    a.test(rsi, rsi)?;
    a.jz(aligned)?;
    masked(a)?;
    a.sub(rdi, rsi)?;
    for (k, &is_bool) in plan.bool_output.iter().enumerate() {
        if is_bool {
            a.add(POINTERS[plan.output_slot[k]], rsi)?;
        }
    }
    a.shl(rsi, shift)?;
    a.mov(rax, rsi)?;
    a.set_label(&mut aligned)?;
    Ok(())
}

/// Puts each hoisted value into its register: constants, the sign bit, ones, and each
/// broadcast input's one element read through `inputs`, the array of input pointers.
/// Writes rax.
pub(super) fn load_hoists(
    a: &mut CodeAssembler,
    plan: &Plan,
    inputs: AsmRegister64,
) -> Result<(), EmitError> {
    let f64s = plan.elem.f64_lanes();
    // Constants are broadcast as dwords for `float32`, else as qwords.
    let qwords = plan.elem != Elem::F32;
    for (r, &h) in plan.hoists.iter().enumerate() {
        let bits = match h {
            Hoist::Pair(re, im) => {
                // [re, im] in the low 128 bits, then in all four (VEX: `cover` keeps pairs
                // below xmm16).
                let x = XMM[r];
                a.mov(rax, re as i64)?;
                a.vmovq(x, rax)?;
                a.mov(rax, im as i64)?;
                a.vpinsrq(x, x, rax, 1)?;
                a.vshuff64x2(ZMM[r], ZMM[r], ZMM[r], 0)?;
                continue;
            }
            Hoist::Broadcast(j) => {
                a.mov(rax, qword_ptr(inputs + (8 * j) as i32))?;
                if plan.elem == Elem::C128 {
                    a.vbroadcastf32x4(ZMM[r], xmmword_ptr(rax))?;
                } else if f64s {
                    a.vbroadcastsd(ZMM[r], qword_ptr(rax))?;
                } else {
                    a.vbroadcastss(ZMM[r], dword_ptr(rax))?;
                }
                continue;
            }
            _ => match plan.lane_bits(h) {
                Some(bits) => bits,
                None => continue,
            },
        };
        a.mov(rax, bits)?;
        if qwords {
            a.vpbroadcastq(ZMM[r], rax)?;
        } else {
            a.vpbroadcastd(ZMM[r], eax)?;
        }
    }
    Ok(())
}

/// A loop of `vectors` vectors of `bytes` bytes an iteration, `body` emitting one
/// iteration's work, while at least that many elements are left; it falls through to what
/// follows. Each iteration moves rax on by the vectors' bytes, and each `bool` output's own
/// pointer by as many bytes as elements. Shared by both loops.
pub(super) fn vector_loop(
    a: &mut CodeAssembler,
    plan: &Plan,
    bytes: usize,
    vectors: usize,
    body: impl FnOnce(&mut CodeAssembler) -> Result<(), EmitError>,
) -> Result<(), EmitError> {
    let step = (bytes / plan.elem.size() * vectors) as i32;
    let mut top = a.create_label();
    let mut exit = a.create_label();
    a.cmp(rdi, step)?;
    a.jb(exit)?;
    a.set_label(&mut top)?;
    body(a)?;
    a.add(rax, (bytes * vectors) as i32)?;
    for (k, &is_bool) in plan.bool_output.iter().enumerate() {
        if is_bool {
            a.add(POINTERS[plan.output_slot[k]], step)?;
        }
    }
    a.sub(rdi, step)?;
    a.cmp(rdi, step)?;
    a.jae(top)?;
    a.set_label(&mut exit)?;
    Ok(())
}

/// `lanes` interleaved copies of the program over the vectors at rax + 64·l, then their
/// stores; `tail` loads and stores only k1's lanes (zeroing the rest of each load). A
/// `bool` output is narrowed from its mask: 1 in each set lane's integer (`one`), then
/// each lane's low byte stored (`vpmovqb`/`vpmovdb`) at its pointer + l·(lanes a vector).
fn body(
    a: &mut CodeAssembler,
    program: &Program,
    plan: &Plan,
    loc: &Allocation,
    lanes: usize,
    tail: bool,
) -> Result<(), EmitError> {
    compute(a, program, plan, loc, lanes, tail)?;
    store(a, program, plan, loc, lanes, tail)
}

/// The values of `lanes` interleaved copies of the program over the vectors at rax + 64·l
/// (k1's lanes only when `tail`), each where `loc` puts it.
pub(super) fn compute(
    a: &mut CodeAssembler,
    program: &Program,
    plan: &Plan,
    loc: &Allocation,
    lanes: usize,
    tail: bool,
) -> Result<(), EmitError> {
    let f64s = plan.elem.f64_lanes();
    // What `call` saves: only a loop with calls needs the values' last readers.
    let last = if plan.has_calls() {
        super::regs::last_reads(program)
    } else {
        Vec::new()
    };
    for (i, inst) in program.insts.iter().enumerate() {
        if plan.hoisted[i].is_some() {
            continue;
        }
        let ops = inst.op.operands();
        for (l, &dst) in loc[i].iter().enumerate().take(lanes) {
            let src = |k: usize| loc[ops[k] as usize][l];
            if let Some(addr) = plan.calls.get(i).copied().flatten() {
                // (A loop with calls runs one vector an iteration: `lanes` is 1.)
                call(a, plan, loc, &last, i, addr, (src(0), dst), tail)?;
                continue;
            }
            match &inst.op {
                Op::Input(j) if plan.elem == Elem::Bool => {
                    // A mask bit per nonzero byte.
                    let slot = plan.input_slot[*j].ok_or(EmitError::Plan("no input slot"))?;
                    let m = zmmword_ptr(POINTERS[slot] + rax + (64 * l) as i32);
                    let ones = ZMM[plan.all_ones.ok_or(EmitError::Plan("no test register"))?];
                    let k = mask(mask_at(dst)?);
                    if tail {
                        a.vptestmb(k.k1(), ones, m)?
                    } else {
                        a.vptestmb(k, ones, m)?
                    }
                }
                Op::Input(j) => {
                    let slot = plan.input_slot[*j].ok_or(EmitError::Plan("no input slot"))?;
                    let m = zmmword_ptr(POINTERS[slot] + rax + (64 * l) as i32);
                    let d = vector(dst)?;
                    match (tail, f64s) {
                        (true, true) => a.vmovupd(d.k1().z(), m)?,
                        (true, false) => a.vmovups(d.k1().z(), m)?,
                        (false, true) => a.vmovupd(d, m)?,
                        (false, false) => a.vmovups(d, m)?,
                    }
                }
                Op::Binary(op @ (BinaryOp::And | BinaryOp::Or | BinaryOp::Xor), _, _)
                    if inst.dtype == DType::Bool =>
                {
                    let (d, x, y) = (mask(mask_at(dst)?), mask_at(src(0))?, mask_at(src(1))?);
                    let (x, y) = (mask(x), mask(y));
                    match (op, plan.elem == Elem::Bool) {
                        (BinaryOp::And, false) => a.kandw(d, x, y)?,
                        (BinaryOp::Or, false) => a.korw(d, x, y)?,
                        (_, false) => a.kxorw(d, x, y)?,
                        (BinaryOp::And, true) => a.kandq(d, x, y)?,
                        (BinaryOp::Or, true) => a.korq(d, x, y)?,
                        (_, true) => a.kxorq(d, x, y)?,
                    }
                }
                Op::Unary(UnaryOp::Not, _) if inst.dtype == DType::Bool => {
                    let (d, x) = (mask(mask_at(dst)?), mask(mask_at(src(0))?));
                    if plan.elem == Elem::Bool {
                        a.knotq(d, x)?
                    } else {
                        a.knotw(d, x)?
                    }
                }
                Op::Binary(op, _, _) => {
                    let (x, y) = (vector(src(0))?, vector(src(1))?);
                    if let Some(p) = predicate(*op) {
                        let k = mask(mask_at(dst)?);
                        if f64s {
                            a.vcmppd(k, x, y, p)?
                        } else {
                            a.vcmpps(k, x, y, p)?
                        }
                    } else if plan.elem == Elem::C128 && *op == BinaryOp::Mul {
                        let (s, t) = plan
                            .product
                            .ok_or(EmitError::Plan("no scratch for a complex product"))?;
                        complex_product(a, (ZMM[s], ZMM[t]), vector(dst)?, x, y)?;
                    } else {
                        let d = vector(dst)?;
                        match (op, f64s) {
                            (BinaryOp::Add, true) => a.vaddpd(d, x, y)?,
                            (BinaryOp::Sub, true) => a.vsubpd(d, x, y)?,
                            (BinaryOp::Mul, true) => a.vmulpd(d, x, y)?,
                            (BinaryOp::Div, true) => a.vdivpd(d, x, y)?,
                            (BinaryOp::Add, false) => a.vaddps(d, x, y)?,
                            (BinaryOp::Sub, false) => a.vsubps(d, x, y)?,
                            (BinaryOp::Mul, false) => a.vmulps(d, x, y)?,
                            (BinaryOp::Div, false) => a.vdivps(d, x, y)?,
                            _ => return Err(EmitError::Plan("an operation the plan refuses")),
                        }
                    }
                }
                Op::Unary(op, _) => {
                    let x = vector(src(0))?;
                    let sign = || -> Result<AsmRegisterZmm, EmitError> {
                        Ok(ZMM[plan.sign.ok_or(EmitError::Plan("no sign register"))?])
                    };
                    match op {
                        // The sign bit flipped or cleared, NaN's included, as `-x` and
                        // `x.abs()` do.
                        UnaryOp::Neg => a.vpxorq(vector(dst)?, x, sign()?)?,
                        UnaryOp::Abs => a.vpandnq(vector(dst)?, sign()?, x)?,
                        UnaryOp::Sqrt if f64s => a.vsqrtpd(vector(dst)?, x)?,
                        UnaryOp::Sqrt => a.vsqrtps(vector(dst)?, x)?,
                        _ => return Err(EmitError::Plan("an operation the plan refuses")),
                    }
                }
                // where(c, t, e): e's lanes, with t's where c is set.
                Op::Select(..) => {
                    let d = merged(vector(dst)?, mask_at(src(0))?);
                    if f64s {
                        a.vblendmpd(d, vector(src(2))?, vector(src(1))?)?
                    } else {
                        a.vblendmps(d, vector(src(2))?, vector(src(1))?)?
                    }
                }
                _ => return Err(EmitError::Plan("an operation the plan refuses")),
            }
        }
    }
    Ok(())
}

/// `d = x * y` in `complex128` as the interpreter computes it (NumPy's SIMD loop): per
/// element `re = fma(xr, yr, -(xi*yi))` (a fused multiply-subtract, which passes a NaN
/// `xi*yi` through with its sign) and `im = fma(xr, yi, xi*yr)`. In lanes: the rounded
/// products `[xi*yi, xi*yr]` (`x`'s imaginary parts duplicated, `y`'s pairs swapped), then
/// one `vfmaddsub231pd` of `[xr, xr]` and `y`, which subtracts in the even (real) lanes
/// and adds in the odd ones. `d` may be `x` or `y`: both are read before it is written.
/// Generic over the register width (zmm here, ymm in `avx2`); `(s, t)` are the plan's
/// `product` scratch registers.
pub(super) fn complex_product<R: Copy>(
    a: &mut CodeAssembler,
    (s, t): (R, R),
    d: R,
    x: R,
    y: R,
) -> Result<(), EmitError>
where
    CodeAssembler: CodeAsmVpermilpd<R, R, i32>
        + CodeAsmVmulpd<R, R, R>
        + CodeAsmVmovddup<R, R>
        + CodeAsmVfmaddsub231pd<R, R, R>
        + CodeAsmVmovapd<R, R>,
{
    // (Each lane pair's immediate bits: a 256-bit vector reads the low four.)
    a.vpermilpd(s, x, 0b1111_1111)?;
    a.vpermilpd(t, y, 0b0101_0101)?;
    a.vmulpd(s, s, t)?;
    a.vmovddup(t, x)?;
    a.vfmaddsub231pd(s, t, y)?;
    a.vmovapd(d, s)?;
    Ok(())
}

/// Stores the outputs of [`compute`]'s copies.
fn store(
    a: &mut CodeAssembler,
    program: &Program,
    plan: &Plan,
    loc: &Allocation,
    lanes: usize,
    tail: bool,
) -> Result<(), EmitError> {
    let f64s = plan.elem.f64_lanes();
    for (k, &o) in program.outputs.iter().enumerate() {
        let ptr = POINTERS[plan.output_slot[k]];
        if plan.bool_output[k] {
            let (one, scratch) = plan.one.ok_or(EmitError::Plan("no register of ones"))?;
            let (one, s) = (ZMM[one], ZMM[scratch]);
            let per = plan.elem.lanes();
            for (l, &m) in loc[o as usize].iter().enumerate().take(lanes) {
                let m = mask_at(m)?;
                let at = ptr + (l * per) as i32;
                if plan.elem == Elem::Bool {
                    a.vmovdqu8(merged(s, m).z(), one)?;
                    if tail {
                        a.vmovdqu8(zmmword_ptr(at).k1(), s)?
                    } else {
                        a.vmovdqu8(zmmword_ptr(at), s)?
                    }
                } else if f64s {
                    a.vmovdqa64(merged(s, m).z(), one)?;
                    if tail {
                        a.vpmovqb(qword_ptr(at).k1(), s)?
                    } else {
                        a.vpmovqb(qword_ptr(at), s)?
                    }
                } else {
                    a.vmovdqa32(merged(s, m).z(), one)?;
                    if tail {
                        a.vpmovdb(xmmword_ptr(at).k1(), s)?
                    } else {
                        a.vpmovdb(xmmword_ptr(at), s)?
                    }
                }
            }
            continue;
        }
        for (l, &r) in loc[o as usize].iter().enumerate().take(lanes) {
            let m = zmmword_ptr(ptr + rax + (64 * l) as i32);
            let r = vector(r)?;
            match (tail, f64s) {
                (true, true) => a.vmovupd(m.k1(), r)?,
                (true, false) => a.vmovups(m.k1(), r)?,
                (false, true) => a.vmovupd(m, r)?,
                (false, false) => a.vmovups(m, r)?,
            }
        }
    }
    Ok(())
}
