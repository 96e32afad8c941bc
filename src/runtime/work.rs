//! How much work an element costs, and from how many elements a kernel is worth running
//! on several threads.
//!
//! Waking a rayon pool and handing out work items has a fixed cost, so a call goes
//! parallel only when its estimated serial time clearly exceeds it. The estimate counts
//! *work units* per element, one unit being roughly the cost of streaming one byte
//! (≈ 0.03 ns on the development machine), and weights each instruction by what it
//! measured there: vectorised arithmetic ≈ 1, a division or square root ≈ 8, a comparison,
//! select or bool logic ≈ 48 (these kernels do not vectorise), a libm call ≈ 160.

use super::exec::PARALLEL_THRESHOLD;
use crate::ir::{BinaryOp, Op, Program, UnaryOp};

/// Work units of serial time below which extra threads do not pay off.
///
/// Measured with `cargo bench --bench overhead -- threads` (1 vs 2 threads, the
/// threshold forced to 1) on the 2-core development VM, whose second core is shared:
///
/// | expression              | units/el | 1T vs 2T                                        |
/// |-------------------------|----------|-------------------------------------------------|
/// | `a*b + c` (f64)         | ≈ 34     | 2T slower at 32K (11 vs 35 µs) and 64K (37 vs 44), even at 128K (142 vs 131) |
/// | `where(a > b, a, b)`    | ≈ 120    | 2T slower at 32K (136 vs 155 µs), faster from 64K (261 vs 181)          |
/// | `sin(a)**2 + cos(b)**2` | ≈ 350    | 2T faster from 32K (370 vs 335 µs), 1.8× at 128K                       |
///
/// The break-even is thus near 4M units (≈ 120–250 µs of serial work there; an idle
/// many-core machine breaks even sooner, so this errs on the side of not slowing small
/// calls down). Memory-bound expressions on that VM gain little at any size, since its
/// two cores share one memory path; elsewhere they do, so they still go parallel when big.
pub const PARALLEL_WORK: u64 = 4 << 20;

/// Estimated work units per element of `program`.
pub(crate) fn units_per_element(program: &Program) -> u64 {
    let result = program
        .insts
        .get(program.result as usize)
        .map_or(8, |i| i.dtype.size());
    let bytes: usize = program.inputs.iter().map(|d| d.dtype.size()).sum::<usize>() + result;
    let ops: u64 = program.insts.iter().map(|i| op_units(&i.op)).sum();
    bytes as u64 + ops
}

fn op_units(op: &Op) -> u64 {
    const CHEAP: u64 = 1;
    const DIV: u64 = 8;
    const LOGIC: u64 = 48;
    const CALL: u64 = 160;
    match op {
        Op::Input(_) | Op::Const(_) => 0,
        Op::Cast(_) => CHEAP,
        Op::Select(..) => LOGIC,
        Op::Unary(u, _) => match u {
            UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign => CHEAP,
            UnaryOp::Ceil | UnaryOp::Floor | UnaryOp::Trunc | UnaryOp::Round => CHEAP,
            UnaryOp::Sqrt => DIV,
            UnaryOp::Not
            | UnaryOp::IsNan
            | UnaryOp::IsFinite
            | UnaryOp::IsInf
            | UnaryOp::SignBit => LOGIC,
            _ => CALL,
        },
        Op::Binary(b, ..) => match b {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => CHEAP,
            BinaryOp::Max | BinaryOp::Min | BinaryOp::Copysign => CHEAP,
            BinaryOp::Shl | BinaryOp::Shr => CHEAP,
            BinaryOp::Div | BinaryOp::FloorDiv | BinaryOp::Mod => DIV,
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => LOGIC,
            BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Ge
            | BinaryOp::Gt => LOGIC,
            BinaryOp::Pow
            | BinaryOp::Fmod
            | BinaryOp::Arctan2
            | BinaryOp::Hypot
            | BinaryOp::Nextafter => CALL,
        },
    }
}

/// The fewest elements for which `program`'s kernel runs on more than one thread: enough
/// estimated work ([`PARALLEL_WORK`]), and never fewer than [`PARALLEL_THRESHOLD`].
pub(crate) fn parallel_threshold(program: &Program) -> usize {
    let per = units_per_element(program).max(1);
    let n = PARALLEL_WORK.div_ceil(per);
    usize::try_from(n)
        .unwrap_or(usize::MAX)
        .max(PARALLEL_THRESHOLD)
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
            result: (n - 1) as _,
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
        // sin(a): 16 bytes and a libm call.
        let sin = program(vec![Op::Input(0), Op::Unary(UnaryOp::Sin, 0)], &[f], f);
        assert_eq!(units_per_element(&sin), 16 + 160);
        let (t_fma, t_sin) = (parallel_threshold(&fma), parallel_threshold(&sin));
        assert!(t_sin < t_fma, "{t_sin} vs {t_fma}");
        assert!(t_fma > 100_000, "cheap streams stay serial at 1e5: {t_fma}");
        assert_eq!(t_sin, PARALLEL_THRESHOLD);
        // A constant program still has a finite threshold.
        let c = program(vec![Op::Const(crate::types::Scalar::F64(1.0))], &[], f);
        assert_eq!(parallel_threshold(&c), (PARALLEL_WORK / 8) as usize);
    }
}
