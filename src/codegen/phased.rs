//! Running a program divided into phases (see [`super::phases`]) block by block.
//!
//! The phases are ordinary kernels; a small JIT trampoline with the [`KernelFn`] ABI passes
//! the call on to [`run`] with the [`Phased`] program's address, so a phased kernel is used
//! exactly like a fused one. Scratch slots live on the stack of the calling thread, one block each.

use super::phases::{Dst, Phases, Src, Step};
use super::{module, Access, CodegenOptions, Kernel, KernelFn, Layout};
use crate::error::Result;
use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::math::vector::VectorFn;
use std::fmt::Write as _;
use std::mem::MaybeUninit;

/// Bytes of scratch per call: every slot of a block, in L1.
const SCRATCH: usize = 24 * 1024;
/// The largest block: past this a block no longer helps (measured at ~512 in the facts).
const MAX_BLOCK: usize = 512;
/// The block where a phase divides or takes square roots: the divider's work of one block
/// then overlaps the next block's vector-math kernel in the out-of-order window. One AMD
/// EPYC Zen 4 core, 1e4 elements, best of five runs, ns per element with blocks of 64,
/// 128 and 512: `tanh(a) + sqrt(b)` 1.90, 2.00, 2.07; `exp(a) + sqrt(b)` 1.29, 1.31, 1.45;
/// `exp(a) / b` 0.98, 0.99, 1.07. Programs without such phases lose 4-5% with blocks this
/// small (`log(1 + a) * b` 1.14 against 1.08), so they keep [`MAX_BLOCK`].
const DIVIDER_BLOCK: usize = MIN_BLOCK;
/// The smallest block: below it, per-block call overheads would dominate.
const MIN_BLOCK: usize = 64;
/// The most inputs or outputs one phase may have (pointer arrays live on the stack).
const MAX_OPERANDS: usize = 32;

/// A compiled step.
enum Compiled {
    Phase {
        kernel: Box<Kernel>,
        inputs: Vec<Src>,
        outputs: Vec<Dst>,
    },
    Call {
        func: VectorFn,
        args: Vec<Src>,
        out: Dst,
    },
}

/// A phased program, compiled.
pub(crate) struct Phased {
    steps: Vec<Compiled>,
    /// Elements per block.
    block: usize,
    /// Bytes between consecutive slots.
    slot_bytes: usize,
    /// Per original input: its element size (contiguous), `None` when strided (the
    /// runtime stride applies), `Some(0)` when broadcast.
    in_step: Vec<Option<usize>>,
    /// Per output: its element size (contiguous), `None` when strided.
    out_step: Vec<Option<usize>>,
}

/// Elements per block, at most `max`, for `slots` scratch slots of elements up to `size`
/// bytes, or `None` when they do not fit.
fn block_len(slots: usize, size: usize, max: usize) -> Option<usize> {
    let per_slot = SCRATCH / slots.max(1);
    // Keep blocks a multiple of every vector width.
    let block = (per_slot / size.max(1)).min(max) / MIN_BLOCK * MIN_BLOCK;
    (block >= MIN_BLOCK).then_some(block)
}

/// Whether a JIT phase of `steps` divides floats or takes square roots (the long-latency
/// divider's work, see [`DIVIDER_BLOCK`]).
fn divider_work(steps: &[Step]) -> bool {
    steps.iter().any(|step| match step {
        Step::Phase { program, .. } => program.insts.iter().any(|inst| {
            inst.dtype.is_float()
                && matches!(
                    inst.op,
                    Op::Unary(UnaryOp::Sqrt, _) | Op::Binary(BinaryOp::Div, _, _)
                )
        }),
        Step::Call { .. } => false,
    })
}

/// Compiles the `phases` of `program` into one kernel, or `None` when its slots or operands
/// exceed the stack budget (the caller then compiles the program fused).
pub(crate) fn compile(
    program: &Program,
    layout: &Layout,
    phases: Phases,
    opts: &CodegenOptions,
) -> Result<Option<Kernel>> {
    // Every slot gets room for the widest (a complex128 value is 16 bytes).
    let size = phases.slots.iter().map(|d| d.size()).max().unwrap_or(8);
    let max = if divider_work(&phases.steps) {
        DIVIDER_BLOCK
    } else {
        MAX_BLOCK
    };
    let Some(block) = block_len(phases.slots.len(), size, max) else {
        return Ok(None);
    };
    let step_of = |access: Access, size: usize| match access {
        Access::Contiguous => Some(size),
        Access::Strided => None,
        Access::Broadcast => Some(0),
    };
    let in_step = layout
        .inputs
        .iter()
        .zip(&program.inputs)
        .map(|(&a, d)| step_of(a, d.dtype.size()))
        .collect();
    let out_step = layout
        .outputs
        .iter()
        .zip(&program.outputs)
        .map(|(&a, &o)| step_of(a, program.insts[o as usize].dtype.size()))
        .collect();
    let mut steps = Vec::with_capacity(phases.steps.len());
    let mut code_size = 0;
    let mut listing = String::new();
    for step in phases.steps {
        match step {
            Step::Phase {
                program,
                layout,
                inputs,
                outputs,
            } => {
                if inputs.len() > MAX_OPERANDS || outputs.len() > MAX_OPERANDS {
                    return Ok(None);
                }
                let kernel = module::compile_program(&program, &layout, opts)?;
                code_size += kernel.code_size();
                if opts.keep_clif {
                    let _ = writeln!(listing, "; phase: {inputs:?} -> {outputs:?}\n{program}");
                    listing.push_str(kernel.clif().unwrap_or(""));
                    listing.push('\n');
                }
                steps.push(Compiled::Phase {
                    kernel: Box::new(kernel),
                    inputs,
                    outputs,
                });
            }
            Step::Call {
                name,
                func,
                args,
                out,
            } => {
                if opts.keep_clif {
                    let _ = writeln!(listing, "; vector kernel {name}: {args:?} -> {out:?}\n");
                }
                steps.push(Compiled::Call { func, args, out });
            }
        }
    }
    let phased = Box::new(Phased {
        steps,
        block,
        slot_bytes: block * size,
        in_step,
        out_step,
    });
    let clif = opts
        .keep_clif
        .then(|| format!("; phases run on blocks of {block} elements\n{listing}"));
    module::trampoline(phased, run as *const () as usize, code_size, clif).map(Some)
}

/// Scratch memory for every slot of one block.
#[repr(C, align(64))]
struct Scratch([MaybeUninit<u8>; SCRATCH]);

/// The trampoline's target: runs every step on each block of `n` elements.
///
/// # Safety
/// `this` is a live [`Phased`]; the other arguments keep the [`KernelFn`] contract for
/// the program it was divided from.
pub(crate) unsafe extern "C" fn run(
    this: *const Phased,
    n: usize,
    inputs: *const *const u8,
    strides: *const isize,
    outs: *const *mut u8,
    out_strides: *const isize,
) {
    // SAFETY: the trampoline passes the `Phased` its kernel owns.
    let st = unsafe { &*this };
    let mut scratch = Scratch([MaybeUninit::uninit(); SCRATCH]);
    let base = scratch.0.as_mut_ptr() as *mut u8;
    // Byte step per element of each operand.
    let in_step = |k: usize| -> isize {
        // SAFETY: the kernel contract gives one stride per input.
        st.in_step[k].map_or_else(|| unsafe { *strides.add(k) }, |s| s as isize)
    };
    let out_step = |k: usize| -> isize {
        // SAFETY: one stride per output.
        st.out_step[k].map_or_else(|| unsafe { *out_strides.add(k) }, |s| s as isize)
    };
    let mut start = 0;
    while start < n {
        let m = (n - start).min(st.block);
        let src = |s: Src| -> *const u8 {
            match s {
                // SAFETY: one pointer per input; the offset stays inside its `n` elements.
                Src::Input(k) => unsafe {
                    (*inputs.add(k)).wrapping_offset(start as isize * in_step(k))
                },
                // SAFETY: every slot lies inside `scratch`.
                Src::Slot(j) => unsafe { base.add(j * st.slot_bytes) },
            }
        };
        let dst = |d: Dst| -> *mut u8 {
            match d {
                // SAFETY: one pointer per output; the offset stays inside its `n` elements.
                Dst::Output(k) => unsafe {
                    (*outs.add(k)).wrapping_offset(start as isize * out_step(k))
                },
                // SAFETY: every slot lies inside `scratch`.
                Dst::Slot(j) => unsafe { base.add(j * st.slot_bytes) },
            }
        };
        for step in &st.steps {
            match step {
                Compiled::Phase {
                    kernel,
                    inputs: ins,
                    outputs: os,
                } => {
                    // Uninitialised: only the phase's own operands are written (zeroing
                    // all four arrays cost more than a 64-element block's arithmetic).
                    let mut p = [MaybeUninit::<*const u8>::uninit(); MAX_OPERANDS];
                    let mut ps = [MaybeUninit::<isize>::uninit(); MAX_OPERANDS];
                    let mut q = [MaybeUninit::<*mut u8>::uninit(); MAX_OPERANDS];
                    let mut qs = [MaybeUninit::<isize>::uninit(); MAX_OPERANDS];
                    for (j, &s) in ins.iter().enumerate() {
                        p[j].write(src(s));
                        ps[j].write(match s {
                            Src::Input(k) => in_step(k),
                            Src::Slot(_) => 0,
                        });
                    }
                    for (j, &d) in os.iter().enumerate() {
                        q[j].write(dst(d));
                        qs[j].write(match d {
                            Dst::Output(k) => out_step(k),
                            Dst::Slot(_) => 0,
                        });
                    }
                    let f: KernelFn = kernel.func();
                    // SAFETY: the phase was compiled for these operands (it reads only
                    // the entries written above): slots are contiguous blocks, original
                    // operands keep their access and strides.
                    unsafe {
                        f(
                            m,
                            p.as_ptr().cast(),
                            ps.as_ptr().cast(),
                            q.as_ptr().cast(),
                            qs.as_ptr().cast(),
                        )
                    };
                }
                Compiled::Call { func, args, out } => match *func {
                    // SAFETY: the kernel contract: `m` contiguous elements of the call's
                    // dtype at each pointer, `out` a slot or a contiguous output.
                    VectorFn::Unary(f) => unsafe { f(m, src(args[0]), dst(*out)) },
                    // SAFETY: as for the unary call.
                    VectorFn::Binary(f) => unsafe { f(m, src(args[0]), src(args[1]), dst(*out)) },
                },
            }
        }
        start += m;
    }
}
