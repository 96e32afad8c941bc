//! Complex values in the vector loop.
//!
//! A complex program gets a vector loop over its part type (`f64x2` for `complex128`,
//! `f32x4` for `complex64`): each vector step covers as many elements as one vector of
//! parts has lanes, so real values of the part type (`z.real`, `float64` inputs) and
//! `bool` lane masks sit next to the complex ones as in any float plan. A complex value
//! of a step is two vectors, in one of two forms:
//!
//! * *pairs*, as stored: `re, im` alternating (a `complex128` is exactly one `f64x2`),
//!   which `+`, `-`, negation and `round` compute lane by lane;
//! * *planes*: one vector of real parts and one of imaginary parts, on which every op is
//!   the scalar loop's own instruction sequence (`complex::binary`: the same `fma`s,
//!   negations and comparisons) lane by lane, so the results have its bits exactly.
//!
//! Inputs load as pairs and outputs store as pairs; a value is converted (one shuffle
//! per vector) only where an op needs the other form, and each conversion is made once
//! per step. Constants and broadcast inputs are hoisted in both forms.
//!
//! A product is computed on planes although that costs three shuffles per `complex128`
//! element (two operands in, the result out): on pairs it would take one (`zr` and `zi`
//! duplicated by their loads, `w` swapped) only if one instruction could subtract in the
//! real lane and add in the imaginary one with the fused multiply-subtract's NaN rule
//! (x86's `vfmaddsub`, which Cranelift does not emit). An `fma` of a sign-flipped
//! `zi*wi` flips the sign of a NaN it passes on, which later functions see; an
//! `fmsub`, an `fma` and a blend cost as many instructions as the shuffles. `z*w + z`
//! runs at the vector ports' throughput (12 vector instructions per two elements, six of
//! them shuffles).

use super::calls::{internal, Callees};
use super::complex::{self, Val};
use super::lanes::{self, VectorPlan};
use super::{masks, Access, Layout};
use crate::error::Result;
use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::types::DType;
use cranelift_codegen::ir::{
    types, ConstantData, Endianness, Immediate, InstBuilder, MemFlagsData, Value,
};
use cranelift_frontend::FunctionBuilder;
use std::collections::HashMap;

/// One value of a vector step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lanes {
    /// A vector of a real dtype (or a `bool` lane mask).
    Real(Value),
    /// Complex elements as stored: two vectors of alternating real and imaginary parts.
    Pairs(Value, Value),
    /// Complex elements as planes: real parts, imaginary parts.
    Planes(Value, Value),
    /// A hoisted complex value, the same in every lane, in both forms: `pair` is one
    /// element repeated (both vectors of the pairs form), `re` and `im` are splats.
    Uniform {
        /// `re, im, re, im, …`.
        pair: Value,
        /// Every lane the real part.
        re: Value,
        /// Every lane the imaginary part.
        im: Value,
    },
}

impl Lanes {
    /// The vector of a real value; the first vector of a complex one (never used as a
    /// real value: the plan types every operand).
    pub(crate) fn real(self) -> Value {
        match self {
            Lanes::Real(v) | Lanes::Pairs(v, _) | Lanes::Planes(v, _) => v,
            Lanes::Uniform { re, .. } => re,
        }
    }
}

/// The vector plan of a program with complex values, if every complex value has one dtype
/// whose part type is the only other non-`bool` dtype and every op has a lane form here (complex `/`, `abs` and the functions do
/// not: such programs keep the scalar loop, or the phases' block kernels). `lanes::plan`
/// has already checked the outputs and strings.
pub(crate) fn plan(program: &Program, layout: &Layout) -> Option<VectorPlan> {
    let cplx = program
        .insts
        .iter()
        .map(|i| i.dtype)
        .find(|d| d.is_complex())?;
    let part = cplx.real_part();
    let admitted = |d: DType| d == cplx || d == part || d == DType::Bool;
    if !program.insts.iter().all(|i| admitted(i.dtype))
        || !program.inputs.iter().all(|i| admitted(i.dtype))
    {
        return None;
    }
    let (mut native, mut by_lane, mut gathered) = (0usize, 0usize, 0usize);
    for inst in &program.insts {
        let arg_dtypes = program.operand_dtypes(&inst.op);
        match inst.op {
            Op::Input(k) => {
                if *layout.inputs.get(k)? == Access::Strided {
                    gathered += 1;
                }
            }
            Op::Const(_) => {}
            ref op if super::complex::involved(op, inst.dtype, &arg_dtypes) => {
                if !admits(op, inst.dtype, &arg_dtypes, cplx) {
                    return None;
                }
                native += 1;
            }
            ref op if inst.dtype == DType::Bool || arg_dtypes.contains(&DType::Bool) => {
                if !masks::native(op, inst.dtype, &arg_dtypes, part) {
                    return None;
                }
                native += 1;
            }
            Op::Cast(_) => {}
            ref op if lanes::is_native(op, part) => native += 1,
            _ => by_lane += 1,
        }
    }
    (native >= by_lane && native >= gathered).then(|| VectorPlan {
        dtype: part,
        lanes: 16 / part.size() as u32,
    })
}

/// Whether [`emit`] computes `op` (result `dt`, operands `args`) in a plan for complex
/// dtype `cplx`.
fn admits(op: &Op, dt: DType, args: &[DType], cplx: DType) -> bool {
    use BinaryOp as B;
    use UnaryOp as U;
    let part = cplx.real_part();
    let all = |d: DType| args.iter().all(|&a| a == d);
    match *op {
        Op::Cast(_) => {
            (dt == cplx && (args[0] == cplx || args[0] == part)) || (dt == part && all(cplx))
        }
        Op::Select(..) => dt == cplx && args[1] == cplx && args[2] == cplx,
        Op::Unary(U::Neg | U::Round, _) => dt == cplx && all(cplx),
        Op::Unary(U::Conj | U::Real | U::Imag, _) => all(cplx) || all(part),
        Op::Binary(B::Add | B::Sub | B::Mul, ..) => dt == cplx && all(cplx),
        Op::Binary(B::Complex, ..) => dt == cplx && all(part),
        Op::Binary(b, ..) => b.is_comparison() && dt == DType::Bool && all(cplx),
        _ => false,
    }
}

/// Per-step state: the form conversions already made (so each is made once) and the
/// shuffle masks.
pub(crate) struct Step {
    plan: VectorPlan,
    to_planes: HashMap<(Value, Value), (Value, Value)>,
    to_pairs: HashMap<(Value, Value), (Value, Value)>,
    /// Lane picks (in bytes): even lanes of two vectors, odd lanes, and the low and high
    /// halves interleaved.
    masks: Option<[Immediate; 4]>,
}

impl Step {
    /// A step of `plan`.
    pub(crate) fn new(plan: VectorPlan) -> Step {
        Step {
            plan,
            to_planes: HashMap::new(),
            to_pairs: HashMap::new(),
            masks: None,
        }
    }

    /// The byte shuffle masks, made once.
    fn masks(&mut self, b: &mut FunctionBuilder) -> [Immediate; 4] {
        if let Some(m) = self.masks {
            return m;
        }
        let n = self.plan.lanes as usize;
        let size = 16 / n;
        let lanes: [Vec<usize>; 4] = [
            (0..n).map(|j| 2 * j).collect(),
            (0..n).map(|j| 2 * j + 1).collect(),
            (0..n).map(|j| j / 2 + (j % 2) * n).collect(),
            (0..n).map(|j| n / 2 + j / 2 + (j % 2) * n).collect(),
        ];
        let m = lanes.map(|l| {
            let bytes: Vec<u8> = l
                .iter()
                .flat_map(|&lane| (lane * size..(lane + 1) * size).map(|x| x as u8))
                .collect();
            b.func
                .dfg
                .immediates
                .push(ConstantData::from(bytes.as_slice()))
        });
        self.masks = Some(m);
        m
    }

    /// Two shuffles of `x` and `y` by masks `lo` and `hi` of [`Step::masks`].
    fn shuffle2(
        &mut self,
        b: &mut FunctionBuilder,
        (x, y): (Value, Value),
        (lo, hi): (usize, usize),
    ) -> (Value, Value) {
        let m = self.masks(b);
        let le = MemFlagsData::new().with_endianness(Endianness::Little);
        let ty = self.plan.vec_type();
        let bx = b.ins().bitcast(types::I8X16, le, x);
        let by = b.ins().bitcast(types::I8X16, le, y);
        let l = b.ins().shuffle(bx, by, m[lo]);
        let h = b.ins().shuffle(bx, by, m[hi]);
        (b.ins().bitcast(ty, le, l), b.ins().bitcast(ty, le, h))
    }

    /// The planes of complex value `v`.
    fn planes(&mut self, b: &mut FunctionBuilder, v: Lanes) -> Result<(Value, Value)> {
        match v {
            Lanes::Planes(re, im) | Lanes::Uniform { re, im, .. } => Ok((re, im)),
            Lanes::Pairs(x, y) => {
                if let Some(&p) = self.to_planes.get(&(x, y)) {
                    return Ok(p);
                }
                let p = self.shuffle2(b, (x, y), (0, 1));
                self.to_planes.insert((x, y), p);
                self.to_pairs.insert(p, (x, y));
                Ok(p)
            }
            Lanes::Real(_) => Err(internal("a complex operand holds a real vector")),
        }
    }

    /// The pairs of complex value `v`.
    fn pairs(&mut self, b: &mut FunctionBuilder, v: Lanes) -> Result<(Value, Value)> {
        match v {
            Lanes::Pairs(x, y) => Ok((x, y)),
            Lanes::Uniform { pair, .. } => Ok((pair, pair)),
            Lanes::Planes(re, im) => {
                if let Some(&p) = self.to_pairs.get(&(re, im)) {
                    return Ok(p);
                }
                let p = self.shuffle2(b, (re, im), (2, 3));
                self.to_pairs.insert((re, im), p);
                self.to_planes.insert(p, (re, im));
                Ok(p)
            }
            Lanes::Real(_) => Err(internal("a complex operand holds a real vector")),
        }
    }

    /// Whether `v` is available as pairs without a new shuffle, and as planes.
    fn has(&self, v: Lanes) -> (bool, bool) {
        match v {
            Lanes::Pairs(x, y) => (true, self.to_planes.contains_key(&(x, y))),
            Lanes::Planes(re, im) => (self.to_pairs.contains_key(&(re, im)), true),
            _ => (true, true),
        }
    }
}

/// A hoisted complex value (constant or broadcast input) with scalar parts `re`, `im`,
/// in both forms; emitted once, before the loops.
pub(crate) fn hoist(b: &mut FunctionBuilder, plan: VectorPlan, re: Value, im: Value) -> Lanes {
    let ty = plan.vec_type();
    let re = b.ins().splat(ty, re);
    let im = b.ins().splat(ty, im);
    let (pair, _) = Step::new(plan).shuffle2(b, (re, im), (2, 3));
    Lanes::Uniform { pair, re, im }
}

/// Loads the pairs of one step of a contiguous complex input at `addr + offset`.
pub(crate) fn load(b: &mut FunctionBuilder, plan: VectorPlan, addr: Value, offset: i32) -> Lanes {
    let ty = plan.vec_type();
    let flags = MemFlagsData::new();
    let x = b.ins().load(ty, flags, addr, offset);
    let y = b.ins().load(ty, flags, addr, offset + 16);
    Lanes::Pairs(x, y)
}

/// Gathers the pairs of one step of a strided complex input of `dt`: element `j` at
/// `row + offs[j]`, one load each (a `complex128` is one `f64x2`; two `complex64` fill
/// one `f32x4`, loaded as 64-bit lanes).
pub(crate) fn gather(
    b: &mut FunctionBuilder,
    plan: VectorPlan,
    dt: DType,
    row: Value,
    offs: &[Value],
) -> Lanes {
    let flags = MemFlagsData::new();
    let ty = plan.vec_type();
    let mut vecs = offs.chunks(offs.len() / 2).map(|half| {
        if dt == DType::C128 {
            let addr = b.ins().iadd(row, half[0]);
            return b.ins().load(ty, flags, addr, 0);
        }
        let mut v: Option<Value> = None;
        for (j, &off) in half.iter().enumerate() {
            let addr = b.ins().iadd(row, off);
            let x = b.ins().load(types::I64, flags, addr, 0);
            v = Some(match v {
                None => b.ins().splat(types::I64X2, x),
                Some(v) => b.ins().insertlane(v, x, j as u8),
            });
        }
        let le = MemFlagsData::new().with_endianness(Endianness::Little);
        let v = v.expect("two elements per vector");
        b.ins().bitcast(ty, le, v)
    });
    let x = vecs.next().expect("two vectors");
    let y = vecs.next().expect("two vectors");
    Lanes::Pairs(x, y)
}

/// Stores complex value `v` as one step of a contiguous output at `addr + offset`.
pub(crate) fn store(
    b: &mut FunctionBuilder,
    step: &mut Step,
    v: Lanes,
    addr: Value,
    offset: i32,
) -> Result<()> {
    let (x, y) = step.pairs(b, v)?;
    let flags = MemFlagsData::new();
    b.ins().store(flags, x, addr, offset);
    b.ins().store(flags, y, addr, offset + 16);
    Ok(())
}

/// Emits an instruction [`involved`] with complex values and admitted by [`plan`]:
/// result dtype `dt`, operands of `arg_dtypes` with values `args`.
pub(crate) fn emit(
    b: &mut FunctionBuilder,
    calls: &mut Callees,
    step: &mut Step,
    op: &Op,
    (dt, arg_dtypes): (DType, &[DType]),
    args: &[Lanes],
) -> Result<Lanes> {
    let plan = step.plan;
    let arg = |k: usize| -> Result<(Lanes, DType)> {
        match (args.get(k), arg_dtypes.get(k)) {
            (Some(&v), Some(&d)) => Ok((v, d)),
            _ => Err(internal("missing operand")),
        }
    };
    let zero = |b: &mut FunctionBuilder| {
        let z = if plan.dtype == DType::F32 {
            b.ins().f32const(0.0)
        } else {
            b.ins().f64const(0.0)
        };
        b.ins().splat(plan.vec_type(), z)
    };
    Ok(match *op {
        Op::Cast(_) => {
            let (x, from) = arg(0)?;
            match (from.is_complex(), dt.is_complex()) {
                (true, true) => x,
                // The part type to complex: a zero imaginary part.
                (false, true) => Lanes::Planes(x.real(), zero(b)),
                // Complex to its part type keeps the real part, as NumPy does.
                _ => Lanes::Real(step.planes(b, x)?.0),
            }
        }
        Op::Select(..) => {
            let c = arg(0)?.0.real();
            let (t_re, t_im) = step.planes(b, arg(1)?.0)?;
            let (e_re, e_im) = step.planes(b, arg(2)?.0)?;
            let ty = plan.vec_type();
            let c = b.ins().bitcast(ty, MemFlagsData::new(), c);
            Lanes::Planes(
                b.ins().bitselect(c, t_re, e_re),
                b.ins().bitselect(c, t_im, e_im),
            )
        }
        Op::Unary(u, _) => {
            let (x, from) = arg(0)?;
            if !from.is_complex() {
                // A real number is its own real part and conjugate; its imaginary part is
                // zero.
                return Ok(match u {
                    UnaryOp::Imag => Lanes::Real(zero(b)),
                    _ => x,
                });
            }
            match u {
                UnaryOp::Neg | UnaryOp::Round => {
                    let f = |b: &mut FunctionBuilder, v: Value| match u {
                        UnaryOp::Neg => b.ins().fneg(v),
                        // Each part half to even.
                        _ => b.ins().nearest(v),
                    };
                    match x {
                        Lanes::Planes(re, im) => Lanes::Planes(f(b, re), f(b, im)),
                        _ => {
                            let (p, q) = step.pairs(b, x)?;
                            Lanes::Pairs(f(b, p), f(b, q))
                        }
                    }
                }
                UnaryOp::Conj => {
                    let (re, im) = step.planes(b, x)?;
                    Lanes::Planes(re, b.ins().fneg(im))
                }
                UnaryOp::Real => Lanes::Real(step.planes(b, x)?.0),
                UnaryOp::Imag => Lanes::Real(step.planes(b, x)?.1),
                _ => return Err(internal(format!("`{}` has no lane form", u.name()))),
            }
        }
        Op::Binary(BinaryOp::Complex, ..) => Lanes::Planes(arg(0)?.0.real(), arg(1)?.0.real()),
        Op::Binary(bop @ (BinaryOp::Add | BinaryOp::Sub), ..) => {
            let (x, y) = (arg(0)?.0, arg(1)?.0);
            // Whichever form needs fewer new shuffles; pairs on a tie, as outputs store
            // pairs.
            let ((xp, xl), (yp, yl)) = (step.has(x), step.has(y));
            let missing = |a: bool, b: bool| usize::from(!a) + usize::from(!b);
            let lanewise = |b: &mut FunctionBuilder, (x0, x1), (y0, y1)| {
                if bop == BinaryOp::Add {
                    (b.ins().fadd(x0, y0), b.ins().fadd(x1, y1))
                } else {
                    (b.ins().fsub(x0, y0), b.ins().fsub(x1, y1))
                }
            };
            if missing(xp, yp) <= missing(xl, yl) {
                let (xs, ys) = (step.pairs(b, x)?, step.pairs(b, y)?);
                let (p, q) = lanewise(b, xs, ys);
                Lanes::Pairs(p, q)
            } else {
                let (xs, ys) = (step.planes(b, x)?, step.planes(b, y)?);
                let (re, im) = lanewise(b, xs, ys);
                Lanes::Planes(re, im)
            }
        }
        Op::Binary(bop, ..) => {
            let (x, cdt) = arg(0)?;
            let xs = step.planes(b, x)?;
            let ys = step.planes(b, arg(1)?.0)?;
            // The scalar loop's own sequence (multiplication, comparisons), lane by lane.
            match complex::binary(b, calls, bop, cdt, xs, ys)? {
                Val::Complex(re, im) => Lanes::Planes(re, im),
                Val::Real(mask) => Lanes::Real(mask),
            }
        }
        Op::Input(_)
        | Op::Const(_)
        | Op::StrCompare { .. }
        | Op::StrContains { .. }
        | Op::StrCopy(_) => return Err(internal(format!("`{op:?}` has no complex lane form"))),
    })
}
