//! Register allocation: a linear scan over the program, once per unrolled vector, with no
//! spills: a program whose live values do not fit is left to Cranelift (or to a narrower
//! unroll).

use super::cover::{Isa, Plan};
use crate::ir::Program;
use crate::types::DType;

/// Mask registers for comparisons: k2 to k7 (k0 cannot mask, k1 holds the tail's lanes).
pub(super) const MASKS: usize = 6;

/// Where a value lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Loc {
    /// Vector register `n` (zmm, or ymm for [`Isa::Avx2`]).
    Vector(usize),
    /// The `n`-th mask register (k2 + n), for [`Isa::Avx512`]'s `bool` values.
    Mask(usize),
}

/// Per instruction, where each unrolled copy of its value lives (a hoisted value's one
/// register for every copy).
pub(super) type Allocation = Vec<Vec<Loc>>;

/// Registers for `lanes` interleaved copies of `program`'s values (instruction by
/// instruction, copy by copy, as `emit` walks them), or `None` when they do not fit.
pub(super) fn allocate(program: &Program, plan: &Plan, lanes: usize) -> Option<Allocation> {
    let n = program.insts.len();
    let last = last_reads(program);
    let mut free_v: Vec<usize> = (plan.hoists.len()..plan.isa.vectors()).rev().collect();
    let mut free_k: Vec<usize> = (0..MASKS).rev().collect();
    let mut loc: Allocation = vec![Vec::new(); n];
    for (i, inst) in program.insts.iter().enumerate() {
        if let Some(r) = plan.hoisted[i] {
            loc[i] = vec![Loc::Vector(r); lanes];
            continue;
        }
        let ops = inst.op.operands();
        for l in 0..lanes {
            // Operands read for the last time give their registers back first: an
            // instruction reads its sources before it writes its destination.
            for &v in &ops {
                let v = v as usize;
                if last[v] == i && plan.hoisted[v].is_none() {
                    release(loc[v][l], &mut free_v, &mut free_k);
                }
            }
            let dst = if inst.dtype == DType::Bool && plan.isa == Isa::Avx512 {
                Loc::Mask(free_k.pop()?)
            } else {
                Loc::Vector(free_v.pop()?)
            };
            loc[i].push(dst);
        }
        if last[i] == i {
            for &r in &loc[i] {
                release(r, &mut free_v, &mut free_k);
            }
        }
    }
    Some(loc)
}

/// Each value's last reader: an output is read by the stores after the last instruction
/// (`insts.len()`), a value nobody reads right after it is made (its own index).
pub(super) fn last_reads(program: &Program) -> Vec<usize> {
    let n = program.insts.len();
    let mut last: Vec<usize> = (0..n).collect();
    for (i, inst) in program.insts.iter().enumerate() {
        for v in inst.op.operands() {
            last[v as usize] = i;
        }
    }
    for &o in &program.outputs {
        last[o as usize] = n;
    }
    last
}

/// Gives `r` back (once: a value read twice by one instruction is released once).
fn release(r: Loc, free_v: &mut Vec<usize>, free_k: &mut Vec<usize>) {
    match r {
        Loc::Vector(x) if !free_v.contains(&x) => free_v.push(x),
        Loc::Mask(x) if !free_k.contains(&x) => free_k.push(x),
        _ => {}
    }
}

/// The highest vector register `alloc` or `plan`'s hoists use.
pub(super) fn highest(alloc: &Allocation, plan: &Plan) -> usize {
    alloc
        .iter()
        .flatten()
        .filter_map(|l| match l {
            Loc::Vector(r) => Some(*r),
            Loc::Mask(_) => None,
        })
        .chain(0..plan.hoists.len())
        .max()
        .unwrap_or(0)
}
