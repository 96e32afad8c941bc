//! Dividing a program into phases at its vector-math calls.
//!
//! A transcendental in a fused loop is a libm call per element (3–15 ns). The vector
//! kernels of [`crate::math::vector`] are several times faster, but work on whole blocks
//! (on AVX-512 hosts the wide generator calls the common `float64` ones a vector at a time
//! from inside its loop instead, and takes such programs before they come here).
//! So a program with such calls runs block by block (a few hundred elements, in L1): a
//! JIT *phase* computes every call's arguments into scratch slots, the kernels run on the
//! slots, and the next phase consumes their results, up to the last phase, which alone
//! writes the outputs.
//!
//! Phases follow call depth: a call's *level* is one more than its arguments' deepest
//! level, any other instruction has its operands' deepest level, and phase `s` computes
//! the instructions of level `s`. Inputs and constants are free: every phase that needs
//! one reads it itself. A value crosses phases through a slot.

use super::{Access, Layout};
use crate::ir::{InputDecl, Inst, Op, Program, StrOperand, ValueId};
use crate::math::vector::{self, MathImpl, VectorFn};
use crate::types::DType;
use std::collections::HashMap;

/// Where a phase or a kernel call reads a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Src {
    /// Original input `k` (as the program's layout accesses it).
    Input(usize),
    /// Scratch slot `j` (contiguous, one block).
    Slot(usize),
}

/// Where a phase or a kernel call writes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dst {
    /// Scratch slot `j`.
    Slot(usize),
    /// Program output `k`.
    Output(usize),
}

/// One step of a phased program, run on every block in order.
#[derive(Debug)]
pub(crate) enum Step {
    /// A JIT-compiled phase: `program` over `layout`, its inputs read from `inputs` and
    /// its outputs written to `outputs` (one each, in order).
    Phase {
        program: Program,
        layout: Layout,
        inputs: Vec<Src>,
        outputs: Vec<Dst>,
    },
    /// A vector kernel on `args`, writing `out`.
    Call {
        name: &'static str,
        func: VectorFn,
        args: Vec<Src>,
        out: Dst,
    },
}

/// A program divided into phases at its vector-math calls.
#[derive(Debug)]
pub(crate) struct Phases {
    /// The steps, in the order each block runs them.
    pub steps: Vec<Step>,
    /// The dtype of each scratch slot.
    pub slots: Vec<DType>,
}

/// The vector kernel computing instruction `inst` of `program` under `math`, if there is
/// one: its operands all have one dtype, which the kernel takes.
fn kernel(program: &Program, inst: &Inst, math: MathImpl) -> Option<(&'static str, VectorFn)> {
    let ops = inst.op.operands();
    let dtype = |a: &ValueId| program.insts.get(*a as usize).map(|x| x.dtype);
    let operand = dtype(ops.first()?)?;
    if ops.iter().any(|a| dtype(a) != Some(operand)) {
        return None;
    }
    let entry = vector::for_inst(inst, operand)?;
    match math {
        MathImpl::Vector => Some((entry.name, entry.func)),
        MathImpl::LibmBlocks => Some((entry.name, entry.libm)),
        MathImpl::Libm => None,
    }
}

/// Divides `program` into phases when it has vector-math calls (and `math` uses them);
/// `None` keeps it one fused loop.
pub(crate) fn divide(program: &Program, layout: &Layout, math: MathImpl) -> Option<Phases> {
    let insts = &program.insts;
    let calls: Vec<Option<(&'static str, VectorFn)>> =
        insts.iter().map(|i| kernel(program, i, math)).collect();
    if calls.iter().all(Option::is_none) {
        return None;
    }
    let mut level = vec![0usize; insts.len()];
    for (i, inst) in insts.iter().enumerate() {
        let deepest = inst
            .op
            .operands()
            .iter()
            .map(|&a| level[a as usize])
            .max()
            .unwrap_or(0);
        level[i] = deepest + usize::from(calls[i].is_some());
    }
    let last = level.iter().copied().max().unwrap_or(0);
    // A string copy only reads an input (or a literal), so it is free too: the last phase
    // copies it straight into its output, never through a slot.
    let free = |v: usize| matches!(insts[v].op, Op::Input(_) | Op::Const(_) | Op::StrCopy(_));
    let contiguous_input = |v: usize| matches!(insts[v].op, Op::Input(k) if layout.inputs.get(k) == Some(&Access::Contiguous));

    let mut b = Builder {
        program,
        layout,
        slot_of: HashMap::new(),
        slots: Vec::new(),
    };
    // Slots: every call's result; every computed value used by a later phase or a call;
    // every free call argument that the kernel cannot read in place.
    for (i, inst) in insts.iter().enumerate() {
        let ops = inst.op.operands();
        for &a in &ops {
            let a = a as usize;
            let crosses = if calls[i].is_some() {
                !contiguous_input(a)
            } else {
                !free(a) && (calls[a].is_some() || level[a] < level[i])
            };
            if crosses {
                b.slot(a);
            }
        }
        if calls[i].is_some() {
            b.slot(i);
        }
    }
    // The last phase writes every output; one that is the only output, a call of the
    // last level, and contiguous is written by its kernel directly.
    let direct = match program.outputs.as_slice() {
        [o] => {
            let o = *o as usize;
            calls[o].is_some()
                && level[o] == last
                && layout.outputs.first() == Some(&Access::Contiguous)
                && !insts
                    .iter()
                    .any(|x| x.op.operands().contains(&(o as ValueId)))
        }
        _ => false,
    };
    for &o in &program.outputs {
        let o = o as usize;
        if !direct && !free(o) && (calls[o].is_some() || level[o] < last) {
            b.slot(o);
        }
    }

    let mut steps = Vec::new();
    for s in 0..=last {
        // Roots of phase s: its slot values (free call arguments are written in phase 0).
        let mut roots: Vec<(ValueId, Dst)> = Vec::new();
        for (&v, &j) in &b.slot_of {
            let produced_here = if calls[v].is_some() {
                false
            } else if free(v) {
                s == 0
            } else {
                level[v] == s
            };
            if produced_here {
                roots.push((v as ValueId, Dst::Slot(j)));
            }
        }
        roots.sort_by_key(|&(v, _)| v);
        if s == last && !direct {
            for (k, &o) in program.outputs.iter().enumerate() {
                roots.push((o, Dst::Output(k)));
            }
        }
        if !roots.is_empty() {
            steps.push(b.phase(s, &level, &calls, &roots));
        }
        // The calls of level s + 1 run on this phase's slots.
        for (i, c) in calls.iter().enumerate() {
            let Some((name, func)) = *c else { continue };
            if level[i] != s + 1 {
                continue;
            }
            let args = insts[i]
                .op
                .operands()
                .iter()
                .map(|&a| match insts[a as usize].op {
                    Op::Input(k) if contiguous_input(a as usize) => Src::Input(k),
                    _ => Src::Slot(b.slot_of[&(a as usize)]),
                })
                .collect();
            let out = if direct && program.outputs[0] as usize == i {
                Dst::Output(0)
            } else {
                Dst::Slot(b.slot_of[&i])
            };
            steps.push(Step::Call {
                name,
                func,
                args,
                out,
            });
        }
    }
    // The direct call must come after every other call of its level.
    if direct {
        let pos = steps.iter().position(|s| {
            matches!(
                s,
                Step::Call {
                    out: Dst::Output(0),
                    ..
                }
            )
        });
        if let Some(p) = pos {
            let step = steps.remove(p);
            steps.push(step);
        }
    }
    Some(Phases {
        steps,
        slots: b.slots,
    })
}

/// Slot assignment and phase construction.
struct Builder<'a> {
    program: &'a Program,
    layout: &'a Layout,
    slot_of: HashMap<usize, usize>,
    slots: Vec<DType>,
}

impl Builder<'_> {
    /// The slot of value `v`, allocated on first use.
    fn slot(&mut self, v: usize) -> usize {
        let dtype = self.program.insts[v].dtype;
        let next = self.slots.len();
        let j = *self.slot_of.entry(v).or_insert(next);
        if j == next {
            self.slots.push(dtype);
        }
        j
    }

    /// The program of phase `s` computing `roots`: values of this phase are recomputed
    /// here, free values re-read, and values of other phases (or calls) read from slots.
    fn phase(
        &self,
        s: usize,
        level: &[usize],
        calls: &[Option<(&'static str, VectorFn)>],
        roots: &[(ValueId, Dst)],
    ) -> Step {
        let mut st = PhaseBuilder {
            program: Program {
                inputs: Vec::new(),
                insts: Vec::new(),
                outputs: Vec::new(),
            },
            inputs: Vec::new(),
            access: Vec::new(),
            value_of: HashMap::new(),
            input_of: HashMap::new(),
        };
        for &(root, dst) in roots {
            // An output of an earlier phase (or a call) is read from its slot.
            let produced = matches!(dst, Dst::Slot(_));
            st.value(self, s, level, calls, root as usize, produced);
        }
        let outputs: Vec<Dst> = roots.iter().map(|&(_, d)| d).collect();
        st.program.outputs = roots
            .iter()
            .map(|&(v, _)| st.value_of[&(v as usize)])
            .collect();
        let out_access = outputs
            .iter()
            .map(|d| match *d {
                Dst::Slot(_) => Access::Contiguous,
                Dst::Output(k) => self.layout.outputs[k],
            })
            .collect();
        Step::Phase {
            program: st.program,
            layout: Layout {
                inputs: st.access,
                outputs: out_access,
            },
            inputs: st.inputs,
            outputs,
        }
    }
}

/// One phase's program under construction.
struct PhaseBuilder {
    program: Program,
    /// Where each of the phase's inputs comes from.
    inputs: Vec<Src>,
    /// How the phase accesses each input.
    access: Vec<Access>,
    /// Source value id → phase value id.
    value_of: HashMap<usize, ValueId>,
    /// Source of a phase input → its index.
    input_of: HashMap<(bool, usize), usize>,
}

impl PhaseBuilder {
    /// The phase input reading `src` (as `decl`, with `access`), added on first use.
    fn input(&mut self, src: Src, decl: InputDecl, access: Access) -> usize {
        let key = match src {
            Src::Input(k) => (false, k),
            Src::Slot(j) => (true, j),
        };
        if let Some(&k) = self.input_of.get(&key) {
            return k;
        }
        let k = self.program.inputs.len();
        self.program.inputs.push(decl);
        self.inputs.push(src);
        self.access.push(access);
        self.input_of.insert(key, k);
        k
    }

    fn push(&mut self, v: usize, inst: Inst) -> ValueId {
        let id = self.program.insts.len() as ValueId;
        self.program.insts.push(inst);
        self.value_of.insert(v, id);
        id
    }

    /// Phase value for source value `v`. `root`: `v` is what this phase produces (so it is
    /// computed here even though it has a slot).
    fn value(
        &mut self,
        b: &Builder,
        s: usize,
        level: &[usize],
        calls: &[Option<(&'static str, VectorFn)>],
        v: usize,
        root: bool,
    ) -> ValueId {
        if let Some(&id) = self.value_of.get(&v) {
            return id;
        }
        let src = b.program;
        let inst = &src.insts[v];
        // A value of another phase, or a call's result: read its slot.
        let elsewhere = calls[v].is_some()
            || (!root
                && !matches!(inst.op, Op::Input(_) | Op::Const(_))
                && level[v] != s
                && b.slot_of.contains_key(&v));
        if elsewhere {
            let j = b.slot_of[&v];
            let decl = InputDecl {
                name: format!("slot{j}"),
                dtype: inst.dtype,
            };
            let k = self.input(Src::Slot(j), decl, Access::Contiguous);
            return self.push(
                v,
                Inst {
                    op: Op::Input(k),
                    dtype: inst.dtype,
                },
            );
        }
        let op = match &inst.op {
            Op::Input(k) => {
                let k = self.input(Src::Input(*k), src.inputs[*k].clone(), b.layout.inputs[*k]);
                Op::Input(k)
            }
            Op::Const(c) => Op::Const(*c),
            Op::Cast(a) => Op::Cast(self.value(b, s, level, calls, *a as usize, false)),
            Op::Unary(u, a) => Op::Unary(*u, self.value(b, s, level, calls, *a as usize, false)),
            Op::Binary(o, x, y) => {
                let x = self.value(b, s, level, calls, *x as usize, false);
                let y = self.value(b, s, level, calls, *y as usize, false);
                Op::Binary(*o, x, y)
            }
            Op::Select(c, x, y) => {
                let c = self.value(b, s, level, calls, *c as usize, false);
                let x = self.value(b, s, level, calls, *x as usize, false);
                let y = self.value(b, s, level, calls, *y as usize, false);
                Op::Select(c, x, y)
            }
            Op::StrCompare {
                op,
                unicode,
                lhs,
                rhs,
            } => Op::StrCompare {
                op: *op,
                unicode: *unicode,
                lhs: self.str_operand(b, lhs),
                rhs: self.str_operand(b, rhs),
            },
            Op::StrContains {
                unicode,
                haystack,
                needle,
            } => Op::StrContains {
                unicode: *unicode,
                haystack: self.str_operand(b, haystack),
                needle: self.str_operand(b, needle),
            },
            Op::StrCopy(o) => Op::StrCopy(self.str_operand(b, o)),
        };
        self.push(
            v,
            Inst {
                op,
                dtype: inst.dtype,
            },
        )
    }

    /// A string operand, its input renumbered for the phase.
    fn str_operand(&mut self, b: &Builder, o: &StrOperand) -> StrOperand {
        match o {
            StrOperand::Input(k) => {
                let decl = b.program.inputs[*k].clone();
                StrOperand::Input(self.input(Src::Input(*k), decl, b.layout.inputs[*k]))
            }
            StrOperand::Literal(l) => StrOperand::Literal(l.clone()),
        }
    }
}
