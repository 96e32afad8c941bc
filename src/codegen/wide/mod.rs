//! The wide code generator: straight-line `float64`, `float32`, `complex128` or `bool`
//! programs as AVX-512 loops (or, on a host with AVX2 and FMA only, as AVX2 loops,
//! `avx2.rs`), emitted as machine code with iced-x86's code assembler instead
//! of through Cranelift, whose x86-64 backend lowers only 128-bit vectors.
//!
//! It covers what [`cover::plan`] accepts: programs whose values are all of one float dtype
//! or `bool` (in mask registers), contiguous or broadcast float inputs, contiguous float or
//! `bool` outputs, `+ - * /`, `neg`, `abs`, `sqrt`, the six comparisons, `& | ^ ~` on their
//! masks, `where`, and constants; at most six pointers. Under vector math, a `float64`
//! program on an AVX-512 host may also call the functions with a one-vector entry (`log`,
//! `log2`, `log10`, `sin`, `cos`, `tan`, `arcsin`, `arccos`, `tanh`) besides other operations: each call
//! goes to that entry from inside the loop (`emit::call`), instead of the program running
//! in phases block by block. A program of `bool` values only
//! (contiguous `bool` inputs and outputs, `& | ^ ~`) runs 64 bytes a vector: each input
//! vector tested into a 64-bit mask (`vptestmb`), each output stored from its mask. A
//! `complex128` program (contiguous or broadcast inputs, `+ - *`, `neg`, constants) runs
//! four elements a vector, each as its two `float64` lanes; a product is NumPy's fused one
//! (`vfmaddsub231pd`, as the interpreter computes it).
//! Everything else, and every host without AVX2 and FMA, goes to Cranelift, which stays the
//! portable reference generator. The kernel has the [`super::KernelFn`]
//! ABI; its results are the interpreter's bit for bit (each operation is the IEEE one,
//! never contracted to FMA). For a covered `float64` program on an AVX-512 host it also
//! compiles the leaf sums of a fused `sum` ([`compile_leaf_sums`], `leaf.rs`); for a covered
//! `float64` or `float32` program on any host with AVX2, the running extremes of a fused
//! `min` or `max` ([`compile_extremes`], `extremes.rs`).
//!
//! The loop: the program's constants and broadcast inputs are put into the lowest zmm
//! registers before it; then `unroll` vectors (of 8 `float64`s, 16 `float32`s or 64
//! `bool`s) an iteration (4, 2 or 1, the widest whose live values fit the registers,
//! [`regs::allocate`]), one vector an iteration, and the last partial vector under a
//! `bzhi`-built mask in k1 (masked-off lanes are neither read nor written). Every input of
//! a vector is loaded before any output of it is stored, so an output may be an input's
//! very same elements. The AVX2 loop is the same in ymm registers, with lane masks where
//! AVX-512 has mask registers.

mod avx2;
mod cover;
mod emit;
mod extremes;
mod leaf;
mod leaf_avx2;
mod memory;
mod regs;

pub(crate) use extremes::compile_extremes;
pub(crate) use leaf::compile_leaf_sums;
pub(crate) use memory::Mapping;

use super::calls::internal;
use super::{Access, KernelFn, Layout};
use crate::error::Result;
use crate::ir::Program;
use crate::math::vector::MathImpl;
use cover::Isa;

/// A compiled wide function (a kernel, leaf sums or running extremes): its entry point
/// and the mapping that holds it.
pub(crate) struct WideFunction<F> {
    /// The entry point, inside `mapping`.
    pub func: F,
    /// Bytes of machine code.
    pub code_size: usize,
    /// The executable memory.
    pub mapping: Mapping,
}

impl<F: Copy> WideFunction<F> {
    /// `bytes` copied into executable memory and entered as an `F`; `what` names the
    /// function in the error a refused mapping gives.
    ///
    /// # Safety
    /// `F` is a function-pointer type, and `bytes` is the machine code of a function with
    /// `F`'s ABI starting at its first byte.
    unsafe fn map(bytes: &[u8], what: &str) -> Result<Self> {
        assert_eq!(
            size_of::<F>(),
            size_of::<*const u8>(),
            "F is a function pointer"
        );
        let mapping = Mapping::new(bytes)
            .ok_or_else(|| internal(format!("no executable memory for {what}")))?;
        let entry = mapping.ptr();
        // SAFETY: the caller's contract: `F` is a function pointer (of the size checked
        // above) to code with its ABI at the mapping's start.
        let func = unsafe { std::mem::transmute_copy::<*const u8, F>(&entry) };
        Ok(WideFunction {
            func,
            code_size: bytes.len(),
            mapping,
        })
    }
}

/// Input pointers a function that reduces straight from the inputs keeps in registers:
/// r9, r10, r11 and r8 (`emit::POINTERS`' first four), so that rdx, the input array, is
/// never overwritten.
const REDUCER_POINTERS: usize = 4;

/// The plan of `program` over inputs walked as `inputs` in `isa` for a function that
/// reduces its one output straight from the inputs (leaf sums, running extremes), or
/// `None` where it does not qualify: one output, not `bool`, at most
/// [`REDUCER_POINTERS`] streamed inputs, and the plan covers it.
fn reducer_plan(program: &Program, inputs: &[Access], isa: Isa) -> Option<cover::Plan> {
    if program.outputs.len() != 1 {
        return None;
    }
    let layout = Layout {
        inputs: inputs.to_vec(),
        outputs: vec![Access::Contiguous],
    };
    let plan = cover::plan(program, &layout, isa, false)?;
    let streams = plan.input_slot.iter().flatten().count();
    (!plan.bool_output[0] && streams <= REDUCER_POINTERS).then_some(plan)
}

/// `program` compiled for `layout` by the wide generator, or `None` where it does not cover
/// the program or the host (the caller then uses Cranelift). An error is an inconsistency
/// of the generator's own, or a mapping the system refused.
pub(crate) fn compile(
    program: &Program,
    layout: &Layout,
    math: MathImpl,
) -> Result<Option<WideFunction<KernelFn>>> {
    let Some(isa) = Isa::host() else {
        return Ok(None);
    };
    let Some(plan) = cover::plan(program, layout, isa, math == MathImpl::Vector) else {
        return Ok(None);
    };
    let Some(one) = regs::allocate(program, &plan, 1) else {
        return Ok(None);
    };
    // A loop with calls runs one vector an iteration: the call dominates it.
    let unrolls: &[usize] = if plan.has_calls() { &[] } else { &[4, 2] };
    let wide = unrolls
        .iter()
        .find_map(|&unroll| Some((unroll, regs::allocate(program, &plan, unroll)?)));
    let (unroll, wide) = match &wide {
        Some((unroll, alloc)) => (*unroll, alloc),
        None => (1, &one),
    };
    let bytes = match isa {
        Isa::Avx512 => emit::emit(program, &plan, (unroll, wide), &one),
        Isa::Avx2 => avx2::emit(program, &plan, (unroll, wide), &one),
    }
    .map_err(|e| internal(e.to_string()))?;
    // SAFETY: `emit` produced a function with the `KernelFn` ABI at the code's start.
    unsafe { WideFunction::map(&bytes, "a wide kernel") }.map(Some)
}

#[cfg(test)]
mod tests;
