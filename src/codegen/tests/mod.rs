//! Code generator tests: hand-built programs, compiled for each layout, run on arrays of
//! many lengths with special values, compared element by element with the reference
//! interpreter (`crate::interp`), which shares no code with the code generator.

mod bool_lanes;
mod complex;
mod complex_lanes;
mod divconst;
mod extremes;
mod fast_paths;
mod leaves;
pub(crate) mod multi;
mod ops;
mod programs;
mod strings;

use super::{compile, Access, Codegen, CodegenOptions, Layout, MathImpl};
use crate::ir::{BinaryOp, InputDecl, Inst, Op, Program, UnaryOp, ValueId};
// `same`: bit equality with NaNs canonicalised, complex values part by part.
use crate::testkit::{same_bits as same, ulps};
use crate::types::{DType, Scalar};

/// Array lengths every check runs.
pub const LENS: [usize; 14] = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 70, 127, 1000];

/// A tiny program builder.
#[derive(Default)]
pub struct B {
    p: Option<Program>,
}

impl B {
    fn prog(&mut self) -> &mut Program {
        self.p.get_or_insert_with(|| Program {
            inputs: vec![],
            insts: vec![],
            outputs: vec![0],
        })
    }
    fn push(&mut self, op: Op, dtype: DType) -> ValueId {
        let p = self.prog();
        p.insts.push(Inst { op, dtype });
        (p.insts.len() - 1) as ValueId
    }
    fn dt(&mut self, v: ValueId) -> DType {
        self.prog().insts[v as usize].dtype
    }
    /// A new input.
    pub fn input(&mut self, dtype: DType) -> ValueId {
        let p = self.prog();
        let k = p.inputs.len();
        p.inputs.push(InputDecl {
            name: format!("x{k}"),
            dtype,
        });
        self.push(Op::Input(k), dtype)
    }
    /// A constant.
    pub fn konst(&mut self, c: Scalar) -> ValueId {
        self.push(Op::Const(c), c.dtype())
    }
    /// A cast.
    pub fn cast(&mut self, v: ValueId, to: DType) -> ValueId {
        self.push(Op::Cast(v), to)
    }
    /// A unary op (predicates give `bool`).
    pub fn un(&mut self, op: crate::ir::UnaryOp, v: ValueId) -> ValueId {
        let dt = if op.is_predicate() {
            DType::Bool
        } else {
            self.dt(v)
        };
        self.push(Op::Unary(op, v), dt)
    }
    /// A binary op (comparisons give `bool`).
    pub fn bin(&mut self, op: crate::ir::BinaryOp, a: ValueId, b: ValueId) -> ValueId {
        let dt = if op.is_comparison() {
            DType::Bool
        } else {
            self.dt(a)
        };
        self.push(Op::Binary(op, a, b), dt)
    }
    /// `where(c, a, b)`.
    pub fn select(&mut self, c: ValueId, a: ValueId, b: ValueId) -> ValueId {
        let dt = self.dt(a);
        self.push(Op::Select(c, a, b), dt)
    }
    /// The program returning `v`.
    pub fn ret(self, v: ValueId) -> Program {
        self.ret_all(&[v])
    }
    /// The program returning every value of `vs`, in order.
    pub fn ret_all(mut self, vs: &[ValueId]) -> Program {
        let mut p = self.p.take().expect("a program with instructions");
        p.outputs = vs.to_vec();
        p
    }
}

/// Programs whose one float output a fused reduction reduces straight from the inputs
/// (`leaves`, `extremes`), in both float dtypes: a product and a sum of two inputs,
/// `where` with a constant and with a negation, and a lone input.
pub(crate) fn reduced_programs() -> Vec<Program> {
    let mut v = Vec::new();
    for dt in [DType::F64, DType::F32] {
        for op in [BinaryOp::Mul, BinaryOp::Add] {
            let mut b = B::default();
            let (x, y) = (b.input(dt), b.input(dt));
            let p = b.bin(op, x, y);
            v.push(b.ret(p));
        }
        for negate in [false, true] {
            let mut b = B::default();
            let x = b.input(dt);
            let half = b.konst(Scalar::F64(0.5).cast(dt));
            let c = b.bin(BinaryOp::Gt, x, half);
            let e = if negate {
                b.un(UnaryOp::Neg, x)
            } else {
                b.konst(Scalar::F64(0.0).cast(dt))
            };
            let p = b.select(c, x, e);
            v.push(b.ret(p));
        }
        let mut b = B::default();
        let x = b.input(dt);
        v.push(b.ret(x));
    }
    v
}

/// Programs no fused reduction reduces straight from the inputs, each with a layout of
/// contiguous inputs: an integer output, a vector-math call (its program runs in phases),
/// and two outputs.
pub(crate) fn unreduced_programs() -> Vec<(Program, Layout)> {
    let layout = |n| Layout {
        inputs: vec![Access::Contiguous; n],
        outputs: vec![Access::Contiguous],
    };
    let mut b = B::default();
    let (x, y) = (b.input(DType::I64), b.input(DType::I64));
    let p = b.bin(BinaryOp::Add, x, y);
    let int = (b.ret(p), layout(2));
    let mut b = B::default();
    let x = b.input(DType::F64);
    let p = b.un(UnaryOp::Exp, x);
    let exp = (b.ret(p), layout(1));
    let mut b = B::default();
    let (x, y) = (b.input(DType::F64), b.input(DType::F64));
    let p = b.bin(BinaryOp::Add, x, y);
    let two = (b.ret_all(&[p, x]), layout(2));
    vec![int, exp, two]
}

/// Special values of each dtype: zeros, ±1, extremes, NaN/inf, shift amounts, etc.
pub fn pool(dt: DType) -> Vec<Scalar> {
    if dt.is_complex() {
        return complex::pool(dt);
    }
    if dt == DType::Bool {
        return vec![Scalar::Bool(false), Scalar::Bool(true)];
    }
    if dt.is_float() {
        let vals = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            3.0,
            -7.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            f64::MIN_POSITIVE,
            5e-324,
            1e-10,
            100.25,
            0.75,
            3e9,
            -3e9,
            1e20,
            255.5,
            -129.7,
            65536.3,
            4294967296.0,
            9.3e18,
            9223372036854775808.0,
            -9223372036854775808.0,
            2.0,
        ];
        return vals.iter().map(|&v| Scalar::F64(v).cast(dt)).collect();
    }
    let vals: [i64; 31] = [
        0,
        1,
        -1,
        2,
        -2,
        3,
        -3,
        7,
        -7,
        8,
        13,
        -100,
        127,
        -128,
        255,
        256,
        32767,
        -32768,
        65535,
        i32::MAX as i64,
        i32::MIN as i64,
        u32::MAX as i64,
        i64::MAX,
        i64::MIN,
        63,
        64,
        31,
        15,
        16,
        5,
        -5,
    ];
    vals.iter().map(|&v| Scalar::I64(v).cast(dt)).collect()
}

/// Value of input `k` at element `i`: pairs of inputs sweep the pool's cross product.
pub(crate) fn value(pool: &[Scalar], k: usize, i: usize) -> Scalar {
    let p = pool.len();
    if p == 2 {
        // `bool`: the sweeps below would repeat every 2 or 4 elements, so that lanes
        // moved by whole periods went unnoticed; hashed bits tell every lane apart.
        let h = (i as u64 ^ (k as u64) << 32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        return pool[(h >> 63) as usize];
    }
    let idx = match k {
        0 => i % p,
        1 => (i / p + i) % p,
        _ => (i * 7 + k) % p,
    };
    pool[idx]
}

/// An operand's memory: bytes plus the offset of element 0 and the byte stride.
struct Buf {
    bytes: Vec<u8>,
    base: usize,
    stride: isize,
}

/// Where an operand's lowest element starts past a 64-byte boundary, chosen per operand
/// and length from these: odd offsets make every element unaligned, the others put a
/// vector loop's first stores anywhere in a cache line (its alignment peel included).
const OFFSETS: [usize; 8] = [1, 16, 8, 0, 40, 3, 56, 24];

/// The offset for operand `k` (inputs first, then outputs) at length `n`.
fn offset(n: usize, k: usize) -> usize {
    OFFSETS[(n + 3 * k) % OFFSETS.len()]
}

/// Bytes a buffer keeps untouched on each side of its elements (0xA5, checked for
/// outputs).
const GUARD: usize = 64;

fn layout_buf(vals: &[Scalar], dt: DType, access: Access, step: isize, offset: usize) -> Buf {
    let size = dt.size();
    let n = vals.len().max(1);
    let stride = match access {
        Access::Strided => step * size as isize,
        _ => size as isize,
    };
    let span = (n - 1) * stride.unsigned_abs() + size;
    let mut bytes = vec![0xA5u8; span + 2 * GUARD + 128];
    let to_line = (64 - bytes.as_ptr() as usize % 64) % 64;
    let start = GUARD + to_line + offset;
    let base = if stride < 0 {
        start + (n - 1) * stride.unsigned_abs()
    } else {
        start
    };
    for (i, v) in vals.iter().enumerate() {
        let at = (base as isize + i as isize * stride) as usize;
        v.write(&mut bytes[at..]);
    }
    Buf {
        bytes,
        base,
        stride,
    }
}

/// Input operands over `n` elements, laid out in memory: input `k` (of `dts[k]`, walked
/// as `accs[k]` at `step`) holds `value(k, i)` at element `i`, or one element where it is
/// broadcast or at stride 0, its lowest element `at(k)` bytes past a cache line.
pub(crate) struct Streams {
    /// Each input's elements.
    pub cols: Vec<Vec<Scalar>>,
    /// Each input's memory, which `ptrs` point into.
    _bufs: Vec<Buf>,
    /// Each input's element 0.
    pub ptrs: Vec<*const u8>,
    /// Each input's byte stride.
    pub strides: Vec<isize>,
}

impl Streams {
    pub(crate) fn new(
        dts: &[DType],
        (accs, step): (&[Access], isize),
        n: usize,
        at: impl Fn(usize) -> usize,
        value: impl Fn(usize, usize) -> Scalar,
    ) -> Streams {
        let cols: Vec<Vec<Scalar>> = (0..dts.len())
            .map(|k| {
                let one = accs[k] == Access::Broadcast || (accs[k] == Access::Strided && step == 0);
                let len = if one { 1 } else { n };
                (0..len).map(|i| value(k, i)).collect()
            })
            .collect();
        let bufs: Vec<Buf> = cols
            .iter()
            .zip(dts)
            .zip(accs)
            .enumerate()
            .map(|(k, ((c, &dt), &a))| layout_buf(c, dt, a, step, at(k)))
            .collect();
        let ptrs = bufs.iter().map(|b| b.bytes[b.base..].as_ptr()).collect();
        let strides = bufs.iter().map(|b| b.stride).collect();
        Streams {
            cols,
            _bufs: bufs,
            ptrs,
            strides,
        }
    }

    /// The inputs' values at element `i`.
    pub(crate) fn args(&self, i: usize) -> Vec<Scalar> {
        self.cols
            .iter()
            .map(|c| c[if c.len() == 1 { 0 } else { i }])
            .collect()
    }

    /// `program`'s first output at element `i`, by the interpreter (`vals` is scratch).
    pub(crate) fn output(&self, program: &Program, i: usize, vals: &mut Vec<Scalar>) -> Scalar {
        crate::interp::eval_element_multi(program, &self.args(i), &[], vals);
        vals[0]
    }
}

/// Every way transcendentals can be computed.
const MATHS: [MathImpl; 3] = [MathImpl::Libm, MathImpl::LibmBlocks, MathImpl::Vector];

/// The ULPs by which `program`'s vector kernels may differ from libm (0 without any).
fn vector_tolerance(program: &Program) -> u64 {
    program
        .insts
        .iter()
        .filter_map(|i| {
            let operand =
                i.op.operands()
                    .first()
                    .map(|&a| program.insts[a as usize].dtype);
            crate::math::vector::for_inst(i, operand.unwrap_or(i.dtype))
        })
        .map(|e| u64::from(e.ulps) + 1)
        .max()
        .unwrap_or(0)
}

/// One layout to check: input accesses and step, then output accesses and step.
type Case = (Vec<Access>, isize, Vec<Access>, isize);

/// The layouts every program is checked under. With several outputs, one more case mixes
/// contiguous and strided outputs.
fn layouts(inputs: usize, outputs: usize) -> Vec<Case> {
    let all = |a| vec![a; inputs];
    let outs = |a| vec![a; outputs];
    let mut v = vec![
        (all(Access::Contiguous), 1, outs(Access::Contiguous), 1),
        (all(Access::Strided), 2, outs(Access::Strided), 3),
        (all(Access::Strided), -1, outs(Access::Strided), -2),
        (all(Access::Strided), 0, outs(Access::Contiguous), 1),
        // Strided inputs into a contiguous output: the vector loop's gather.
        (all(Access::Strided), -3, outs(Access::Contiguous), 1),
    ];
    if inputs > 0 {
        let mut first_bcast = all(Access::Contiguous);
        first_bcast[0] = Access::Broadcast;
        v.push((first_bcast, 1, outs(Access::Contiguous), 1));
    }
    if outputs > 1 {
        let mixed = (0..outputs)
            .map(|k| {
                if k % 2 == 0 {
                    Access::Contiguous
                } else {
                    Access::Strided
                }
            })
            .collect();
        v.push((all(Access::Contiguous), 1, mixed, 2));
    }
    v
}

/// Compiles `program` under every layout and checks every length in [`LENS`] against the
/// interpreter.
pub fn check(program: &Program) {
    check_lens(program, &LENS);
}

/// Compiles `program` under every layout and checks every output at each length in `lens`
/// against the interpreter; each operand starts at an offset within a cache line that
/// varies with the length ([`OFFSETS`]), and no output byte outside its elements may be
/// written.
pub fn check_lens(program: &Program, lens: &[usize]) {
    check_impl(program, lens, None, &|args, out| {
        crate::interp::eval_element_multi(program, args, &[], out)
    });
}

/// Compiles single-output `program` under every layout and checks every length against
/// `want`, which computes one output element from one element of each input.
pub fn check_with(program: &Program, want: &dyn Fn(&[Scalar]) -> Scalar) {
    check_impl(program, &LENS, None, &|args, out| {
        out.clear();
        out.push(want(args));
    });
}

/// Like [`check_lens`], but each length runs once for every offset in `first_output_at`:
/// the first output starts that many bytes past a 64-byte boundary, every other operand on
/// the boundary. This walks a vector loop's alignment peel over a whole cache line.
pub fn check_output_offsets(program: &Program, lens: &[usize], first_output_at: &[usize]) {
    check_impl(program, lens, Some(first_output_at), &|args, out| {
        crate::interp::eval_element_multi(program, args, &[], out)
    });
}

/// The checks behind [`check_lens`], [`check_output_offsets`] and [`check_with`]: `oracle`
/// fills one value per output; operands are placed by [`offset`] unless `first_output_at`
/// lists the first output's offsets.
fn check_impl(
    program: &Program,
    lens: &[usize],
    first_output_at: Option<&[usize]>,
    oracle: &dyn Fn(&[Scalar], &mut Vec<Scalar>),
) {
    let in_dts: Vec<DType> = program.inputs.iter().map(|i| i.dtype).collect();
    let out_dts: Vec<DType> = program
        .outputs
        .iter()
        .map(|&o| program.insts[o as usize].dtype)
        .collect();
    // Vector kernels are checked against libm in `math::vector`; here they may differ from
    // the interpreter by their bound. Libm and LibmBlocks (the phases) must be exact.
    let tolerance = vector_tolerance(program);
    // Without vector calls every way compiles the same kernel. Composed with other ops a
    // kernel's few ULPs can grow without bound (cancellation), so only a program that is
    // a lone call is compared in `Vector`; `LibmBlocks` checks the phases of the rest.
    let lone_call = program
        .insts
        .iter()
        .filter(|i| !matches!(i.op, Op::Input(_) | Op::Const(_)))
        .count()
        == 1;
    let maths = match (tolerance, lone_call) {
        (0, _) => &MATHS[..1],
        (_, false) => &MATHS[..2],
        _ => &MATHS[..],
    };
    let configs = layouts(in_dts.len(), out_dts.len())
        .into_iter()
        .flat_map(|l| maths.iter().map(move |&m| (l.clone(), m)))
        .flat_map(|(l, m)| [Codegen::Wide, Codegen::Cranelift].map(|g| (l.clone(), m, g)));
    for ((accs, step, out_accs, out_step), math, codegen) in configs {
        let layout = Layout {
            inputs: accs.clone(),
            outputs: out_accs.clone(),
        };
        let opts = CodegenOptions {
            math,
            codegen,
            ..Default::default()
        };
        let kernel = compile(program, &layout, &opts)
            .unwrap_or_else(|e| panic!("compile failed: {e}\n{program}"));
        let tolerance = if math == MathImpl::Vector {
            tolerance
        } else {
            0
        };
        let placements: Vec<Option<usize>> = match first_output_at {
            Some(offs) => offs.iter().map(|&o| Some(o)).collect(),
            None => vec![None],
        };
        let lens_placed = lens
            .iter()
            .flat_map(|&n| placements.iter().map(move |&p| (n, p)));
        for (n, placement) in lens_placed {
            // Operand `k`'s offset: inputs first, then outputs.
            let at = |k: usize| match placement {
                Some(first) if k == in_dts.len() => first,
                Some(_) => 0,
                None => offset(n, k),
            };
            let pools: Vec<Vec<Scalar>> = in_dts.iter().map(|&dt| pool(dt)).collect();
            let ins = Streams::new(&in_dts, (&accs, step), n, at, |k, i| value(&pools[k], k, i));
            let mut outs: Vec<Buf> = out_dts
                .iter()
                .zip(&out_accs)
                .enumerate()
                .map(|(k, (&dt, &a))| {
                    let zeros = vec![Scalar::from_bits(dt, 0); n];
                    layout_buf(&zeros, dt, a, out_step, at(in_dts.len() + k))
                })
                .collect();
            let out_ptrs: Vec<*mut u8> = outs
                .iter_mut()
                .map(|o| o.bytes[o.base..].as_mut_ptr())
                .collect();
            let out_strides: Vec<isize> = outs.iter().map(|o| o.stride).collect();
            // SAFETY: every pointer covers n elements at its stride (or one for broadcast
            // and zero stride), as the layout says.
            unsafe {
                (kernel.func())(
                    n,
                    ins.ptrs.as_ptr(),
                    ins.strides.as_ptr(),
                    out_ptrs.as_ptr(),
                    out_strides.as_ptr(),
                );
            }
            let mut want = Vec::new();
            for i in 0..n {
                let args = ins.args(i);
                oracle(&args, &mut want);
                for (k, (out, &dt)) in outs.iter().zip(&out_dts).enumerate() {
                    let at = (out.base as isize + i as isize * out.stride) as usize;
                    let got = Scalar::read(dt, &out.bytes[at..]);
                    assert!(
                        same(got, want[k]) || ulps(got, want[k]) <= tolerance,
                        "{codegen:?} {math:?} n={n} at={placement:?} i={i} output {k} layout={accs:?}/{out_accs:?} step={step} args={args:?}: got {got:?}, want {:?}\n{program}",
                        want[k]
                    );
                }
            }
            // Nothing but the outputs' elements is written.
            for (k, (out, &dt)) in outs.iter().zip(&out_dts).enumerate() {
                let mut element = vec![false; out.bytes.len()];
                for i in 0..n {
                    let at = (out.base as isize + i as isize * out.stride) as usize;
                    element[at..at + dt.size()].fill(true);
                }
                let stray = (0..out.bytes.len()).find(|&b| !element[b] && out.bytes[b] != 0xA5);
                assert!(
                    stray.is_none(),
                    "{codegen:?} {math:?} n={n} at={placement:?} output {k} layout={accs:?}/{out_accs:?} step={step}: byte {stray:?} written outside the elements\n{program}"
                );
            }
        }
    }
}
