//! How much work an element costs, and from how many elements a kernel is worth running
//! on several threads.
//!
//! Handing work items to a second thread has a fixed cost, so a call goes
//! parallel only when its estimated serial time clearly exceeds it. The estimate counts
//! *work units* per element, one unit being roughly the cost of streaming one byte
//! (≈ 0.03 ns on the development machine), and weights each instruction by what it
//! measured there: vectorised arithmetic ≈ 1, a division or square root ≈ 8, a comparison,
//! `where` or bool logic ≈ 4 (they vectorise: lane masks next to numbers, 16 bools per
//! vector op in `bool` programs, but a mask costs a little packing). A libm call counts twice
//! what it costs per element on the 2-vCPU CI host (2026-12-01, in cache, one thread, next
//! to `a*b + c` at ≈ 0.016 ns per unit: `exp`/`log` ≈ 8 ns, `sin`/`cos` and the other
//! functions ≈ 13 ns, `arctan2` ≈ 30 ns): compute-bound work splits across cores, while
//! streaming work shares one memory bus and gains little from a second thread. Measured
//! there, one thread against two: `a*b + c` at 150K elements 0.73 → 2.4 ns per element,
//! `log(1 + a)` at 10K 8.5 → 6.1, `sin(a)**2 + cos(b)**2` at 10K 26 → 15.
//!
//! Costly elements also get shorter work items ([`chunk_len`]), so that a few thousand
//! `sin` calls can still be shared between threads.

use super::exec::{CHUNK, MIN_CHUNK};
use crate::ir::{BinaryOp, Inst, Op, Program, UnaryOp};

/// Work units of serial time from which extra threads are expected to pay off.
///
/// Measured on the 2-vCPU development host (Intel Xeon, family 6 model 207, AVX-512, 2 MiB
/// L2 per core; 2026-12-06), one thread against two forced, ns per element, allocating
/// calls 5 µs apart, the team of `runtime::threads` (a fork/join of about 1 µs there):
///
/// | expression              | units/el | 4K          | 16K         | 64K         | 256K        |
/// |-------------------------|---------:|-------------|-------------|-------------|-------------|
/// | `a*b + a`               | 26       | 0.22 → 0.31 | 0.19 → 0.18 | 0.22 → 0.12 | 0.73 → 0.33 |
/// | `(a > 0.5) & (b < 0.5)` | 25       | 0.23 → 0.30 | 0.21 → 0.20 | 0.21 → 0.13 | 0.52 → 0.17 |
/// | `where(a > b, a, b)`    | 32       | 0.24 → 0.34 | 0.22 → 0.22 | 0.25 → 0.14 | 0.73 → 0.35 |
/// | `exp(-a*b)`             | 526      | 0.81 → 0.76 | 0.78 → 0.54 | 0.80 → 0.44 | 1.08 → 0.55 |
/// | `sin(a)**2 + cos(b)**2` | 1030     | 2.40 → 1.62 | 2.30 → 1.26 | 2.38 → 1.30 | 2.44 → 1.29 |
///
/// Streaming arithmetic breaks even at about 16K elements (≈ 0.4M units), transcendental
/// rows below 4K (their vector kernels, now much faster than the weights say, make the
/// units an overestimate there). This constant sits above the arithmetic break-even, and
/// the tuner measures both choices within a factor 16 of it either way
/// (`call::prepared::UNCERTAIN`), so the estimate only decides where it is clear. Under the
/// rayon pool used before, whose fork/join cost 5–25 µs there, the break-even was 6–10M
/// units.
pub const PARALLEL_WORK: u64 = 1 << 20;

/// Work units per element up to which a work item keeps the full [`CHUNK`] elements;
/// costlier elements get proportionally shorter items, down to [`MIN_CHUNK`].
const CHUNK_UNITS: u64 = 64;

/// Estimated work units per element of `program`.
pub(crate) fn units_per_element(program: &Program) -> u64 {
    // Every output is written per element.
    let written: usize = program
        .outputs
        .iter()
        .map(|&o| program.insts.get(o as usize).map_or(8, |i| i.dtype.size()))
        .sum();
    let bytes: usize = program.inputs.iter().map(|d| d.dtype.size()).sum::<usize>() + written;
    let ops: u64 = program.insts.iter().map(|i| inst_units(program, i)).sum();
    bytes as u64 + ops
}

/// The work units of one instruction: [`complex_units`] when it computes or reads a
/// complex value, else [`op_units`].
fn inst_units(program: &Program, inst: &Inst) -> u64 {
    let complex = inst.dtype.is_complex()
        || inst.op.operands().iter().any(|&a| {
            program
                .insts
                .get(a as usize)
                .is_some_and(|i| i.dtype.is_complex())
        });
    let operand = inst
        .op
        .operands()
        .first()
        .and_then(|&a| program.insts.get(a as usize))
        .map_or(inst.dtype, |i| i.dtype);
    if complex && crate::math::vector::for_inst(inst, operand).is_some() {
        complex_vector_units(&inst.op)
    } else if complex {
        complex_units(&inst.op)
    } else if crate::math::vector::for_inst(inst, inst.dtype).is_some() {
        VECTOR_CALL
    } else {
        op_units(&inst.op)
    }
}

/// A transcendental computed by a vector kernel of [`crate::math::vector`] (the default
/// math): twice its measured cost, like the libm weights, at ≈ 4 ns per element for `exp`
/// and `log` on the CI host with AVX2 (about half of libm's there).
const VECTOR_CALL: u64 = 500;

/// A complex instruction computed by a vector kernel of [`crate::math::vector`] (the
/// default math): the arithmetic about as costly as real vector arithmetic on two parts
/// (division and `abs` a few divisions or square roots), `exp` and `log` three float64
/// kernels each, `sqrt` two square roots and a division.
fn complex_vector_units(op: &Op) -> u64 {
    match op {
        Op::Unary(UnaryOp::Abs, _) => 16,
        Op::Unary(UnaryOp::Sqrt, _) => 48,
        Op::Unary(_, _) => 2 * VECTOR_CALL,
        Op::Binary(BinaryOp::Div, ..) => 24,
        Op::Binary(BinaryOp::Mul, ..) => 12,
        _ => 4,
    }
}

/// Other complex instructions run in the scalar loop (never vectorised), on two parts each: an
/// inline op costs a few scalar instructions, `*` six, a comparison or predicate two
/// compares and a combine, division and `abs` one call, and `**` and the transcendental
/// functions several libm calls each (`exp(z)` is `exp`, `cos` and `sin`).
fn complex_units(op: &Op) -> u64 {
    const PART: u64 = 4;
    const MUL: u64 = 12;
    const LOGIC: u64 = 8;
    const SELECT: u64 = 32;
    const CALL: u64 = 1600;
    match op {
        Op::Input(_) | Op::Const(_) => 0,
        Op::Cast(_) => PART,
        Op::Select(..) => SELECT,
        Op::StrCompare { .. } | Op::StrContains { .. } | Op::StrCopy(_) => CALL,
        Op::Unary(u, _) => match u {
            UnaryOp::Neg | UnaryOp::Conj | UnaryOp::Real | UnaryOp::Imag => PART,
            UnaryOp::IsNan | UnaryOp::IsFinite | UnaryOp::IsInf | UnaryOp::SignBit => LOGIC,
            UnaryOp::Abs => CALL,
            _ => 2 * CALL,
        },
        Op::Binary(b, ..) => match b {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Complex => PART,
            BinaryOp::Mul => MUL,
            b if b.is_comparison() => LOGIC,
            BinaryOp::Div => CALL,
            _ => 2 * CALL,
        },
    }
}

fn op_units(op: &Op) -> u64 {
    const CHEAP: u64 = 1;
    const LOGIC: u64 = 4;
    const DIV: u64 = 8;
    // Integer floor division and modulo fix up signs per element, unvectorised.
    const BRANCHY: u64 = 96;
    // `where` is a vector blend (`bitselect`) on lane masks, ≈ 0.5 ns per element for
    // `where(a > b, a, b)` and `where(m, a, b)` at 1e4 in one thread: as cheap as logic.
    const SELECT: u64 = LOGIC;
    const EXP_LOG: u64 = 1000;
    const CALL: u64 = 1600;
    const ATAN2: u64 = 3800;
    match op {
        Op::Input(_) | Op::Const(_) => 0,
        Op::Cast(_) => CHEAP,
        Op::Select(..) => SELECT,
        Op::StrCompare { .. } | Op::StrContains { .. } | Op::StrCopy(_) => CALL,
        Op::Unary(u, _) => match u {
            UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign => CHEAP,
            UnaryOp::Ceil | UnaryOp::Floor | UnaryOp::Trunc | UnaryOp::Round => CHEAP,
            UnaryOp::Sqrt => DIV,
            UnaryOp::Not
            | UnaryOp::IsNan
            | UnaryOp::IsFinite
            | UnaryOp::IsInf
            | UnaryOp::SignBit => LOGIC,
            UnaryOp::Exp
            | UnaryOp::Expm1
            | UnaryOp::Log
            | UnaryOp::Log1p
            | UnaryOp::Log2
            | UnaryOp::Log10 => EXP_LOG,
            _ => CALL,
        },
        Op::Binary(b, ..) => match b {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => CHEAP,
            BinaryOp::Max | BinaryOp::Min | BinaryOp::Copysign => CHEAP,
            BinaryOp::Shl | BinaryOp::Shr => CHEAP,
            BinaryOp::Div => DIV,
            BinaryOp::FloorDiv | BinaryOp::Mod => BRANCHY,
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => LOGIC,
            BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Ge
            | BinaryOp::Gt => LOGIC,
            BinaryOp::Arctan2 => ATAN2,
            BinaryOp::Pow
            | BinaryOp::Fmod
            | BinaryOp::Hypot
            | BinaryOp::Nextafter
            | BinaryOp::Complex => CALL,
        },
    }
}

/// The fewest elements for which `program`'s kernel runs on more than one thread: enough
/// estimated work ([`PARALLEL_WORK`]), and never fewer than two of the shortest work items.
pub(crate) fn parallel_threshold(program: &Program) -> usize {
    let per = units_per_element(program).max(1);
    let n = PARALLEL_WORK.div_ceil(per);
    usize::try_from(n).unwrap_or(usize::MAX).max(2 * MIN_CHUNK)
}

/// Elements per work item for `program`'s kernel: [`CHUNK`] for streaming arithmetic,
/// shorter for costly elements so that each item is about the same work, never below
/// [`MIN_CHUNK`]. Element-wise results do not depend on it.
pub(crate) fn chunk_len(program: &Program) -> usize {
    chunk_for(units_per_element(program).max(1))
}

/// [`chunk_len`] for `per` (nonzero) work units per element.
fn chunk_for(per: u64) -> usize {
    (CHUNK as u64 * CHUNK_UNITS / per).clamp(MIN_CHUNK as u64, CHUNK as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{InputDecl, Inst};
    use crate::types::DType;

    fn program(ops: Vec<Op>, dtypes: &[DType], out: DType) -> Program {
        let n = ops.len();
        Program {
            inputs: dtypes
                .iter()
                .enumerate()
                .map(|(i, &dtype)| InputDecl {
                    name: format!("x{i}"),
                    dtype,
                })
                .collect(),
            insts: ops
                .into_iter()
                .enumerate()
                .map(|(i, op)| Inst {
                    op,
                    dtype: if i + 1 == n { out } else { DType::F64 },
                })
                .collect(),
            outputs: vec![(n - 1) as _],
        }
    }

    #[test]
    fn heavier_programs_go_parallel_sooner() {
        let f = DType::F64;
        // a*b + c: 32 bytes and two cheap ops.
        let fma = program(
            vec![
                Op::Input(0),
                Op::Input(1),
                Op::Input(2),
                Op::Binary(BinaryOp::Mul, 0, 1),
                Op::Binary(BinaryOp::Add, 3, 2),
            ],
            &[f, f, f],
            f,
        );
        assert_eq!(units_per_element(&fma), 34);
        // sin(a): 16 bytes and a vector-kernel call.
        let vsin = program(vec![Op::Input(0), Op::Unary(UnaryOp::Sin, 0)], &[f], f);
        assert_eq!(units_per_element(&vsin), 16 + VECTOR_CALL);
        // arcsinh(a): 16 bytes and a libm call.
        let sin = program(vec![Op::Input(0), Op::Unary(UnaryOp::Arcsinh, 0)], &[f], f);
        assert_eq!(units_per_element(&sin), 16 + 1600);
        assert_eq!(chunk_len(&fma), CHUNK);
        assert!(
            chunk_len(&sin) < CHUNK / 8,
            "costly elements get short items"
        );
        let (t_fma, t_sin) = (parallel_threshold(&fma), parallel_threshold(&sin));
        assert!(t_sin < t_fma, "{t_sin} vs {t_fma}");
        assert!(t_fma > 10_000, "cheap streams stay serial at 1e4: {t_fma}");
        assert!(
            t_sin < 10_000,
            "a libm call per element goes parallel at 1e4: {t_sin}"
        );
        // arcsinh(arcsinh(arcsinh(a))), three libm calls: estimated work enough for fewer elements than two work items.
        let sin3 = program(
            vec![
                Op::Input(0),
                Op::Unary(UnaryOp::Arcsinh, 0),
                Op::Unary(UnaryOp::Arcsinh, 1),
                Op::Unary(UnaryOp::Arcsinh, 2),
            ],
            &[f],
            f,
        );
        assert_eq!(chunk_len(&sin3), MIN_CHUNK);
        assert_eq!(parallel_threshold(&sin3), 2 * MIN_CHUNK);
        // A constant program still has a finite threshold.
        let c = program(vec![Op::Const(crate::types::Scalar::F64(1.0))], &[], f);
        assert_eq!(parallel_threshold(&c), (PARALLEL_WORK / 8) as usize);
    }

    #[test]
    fn complex_ops_cost_more_than_their_real_counterparts() {
        let (f, c) = (DType::F64, DType::C128);
        let mul = |dt| {
            let mut p = program(
                vec![Op::Input(0), Op::Input(1), Op::Binary(BinaryOp::Mul, 0, 1)],
                &[dt, dt],
                dt,
            );
            p.insts[0].dtype = dt;
            p.insts[1].dtype = dt;
            p
        };
        let (real, complex) = (units_per_element(&mul(f)), units_per_element(&mul(c)));
        // Twice the bytes, and a multiply of four products instead of one.
        assert_eq!(real, 24 + 1);
        assert_eq!(complex, 48 + 12);
        // `real(z)` reads a complex operand: costed as complex though its result is real.
        let mut re = program(vec![Op::Input(0), Op::Unary(UnaryOp::Real, 0)], &[c], f);
        re.insts[0].dtype = c;
        assert_eq!(units_per_element(&re), 16 + 8 + 4);
        let mut exp = program(vec![Op::Input(0), Op::Unary(UnaryOp::Exp, 0)], &[c], c);
        exp.insts[0].dtype = c;
        assert!(parallel_threshold(&exp) < parallel_threshold(&mul(c)));
    }
}
