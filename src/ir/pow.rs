//! Power expansion: `x**n` with a constant exponent becomes cheaper ops.
//!
//! * `x**0` → `1`, `x**1` → `x` (both exact, NaN included, as C's `pow`);
//! * `x**n` for `2 ≤ n ≤ 16` → multiplications by squaring (exact on integers, where `Pow`
//!   is wrapping repeated multiplication; within a few ULP of `pow` on floats);
//! * floats only: `x**-1` → `1/x`, `x**0.5` → `sqrt(x)` (NumPy's own fast paths for
//!   `arr ** scalar` do the same).
//!
//! The exponent counts as constant when it is a [`Op::Const`] or a cast of one.

use super::{BinaryOp, Inst, Op, Program, UnaryOp, ValueId};
use crate::types::{DType, Scalar};

/// Largest integer exponent expanded into multiplications.
pub const MAX_EXPANDED: i64 = 16;

/// The constant value of `v` as `dtype`, if it is one.
fn const_of(p: &[Inst], v: ValueId, dtype: DType) -> Option<Scalar> {
    match p[v as usize].op {
        Op::Const(c) => Some(c.cast(dtype)),
        Op::Cast(a) => match p[a as usize].op {
            Op::Const(c) => Some(c.cast(p[v as usize].dtype).cast(dtype)),
            _ => None,
        },
        _ => None,
    }
}

/// What `x**e` becomes.
enum Plan {
    One,
    Same,
    Mul(u32),
    Recip,
    Sqrt,
}

fn plan(e: Scalar) -> Option<Plan> {
    let (n, is_float) = match e {
        Scalar::F32(v) => (v as f64, true),
        Scalar::F64(v) => (v, true),
        // Complex powers are `npy_cpow`'s, whose exact special cases a rewrite would lose.
        Scalar::Bool(_) | Scalar::C64(_) | Scalar::C128(_) => return None,
        // Unsigned values past i64::MAX turn negative here and are left alone.
        other => match other.cast(DType::I64) {
            Scalar::I64(v) => (v as f64, false),
            _ => return None,
        },
    };
    if is_float && n == 0.5 {
        return Some(Plan::Sqrt);
    }
    if n.fract() != 0.0 {
        return None;
    }
    Some(match n {
        0.0 => Plan::One,
        1.0 => Plan::Same,
        -1.0 if is_float => Plan::Recip,
        n if n >= 2.0 && n <= MAX_EXPANDED as f64 => Plan::Mul(n as u32),
        _ => return None,
    })
}

/// Expands constant powers; other instructions are copied unchanged.
pub fn run(p: &Program) -> Program {
    let mut insts: Vec<Inst> = Vec::with_capacity(p.insts.len());
    let mut map: Vec<ValueId> = Vec::with_capacity(p.insts.len());
    let push = |insts: &mut Vec<Inst>, op, dtype| {
        insts.push(Inst { op, dtype });
        (insts.len() - 1) as ValueId
    };
    for inst in &p.insts {
        let m = |v: ValueId| map[v as usize];
        let t = inst.dtype;
        let expanded = match inst.op {
            Op::Binary(BinaryOp::Pow, x, e) => const_of(&p.insts, e, t)
                .and_then(plan)
                .map(|plan| (m(x), plan)),
            _ => None,
        };
        let id = match expanded {
            Some((x, Plan::Same)) => x,
            Some((_, Plan::One)) => {
                let one = Scalar::I64(1).cast(t);
                push(&mut insts, Op::Const(one), t)
            }
            Some((x, Plan::Sqrt)) => push(&mut insts, Op::Unary(UnaryOp::Sqrt, x), t),
            Some((x, Plan::Recip)) => {
                let one = push(&mut insts, Op::Const(Scalar::I64(1).cast(t)), t);
                push(&mut insts, Op::Binary(BinaryOp::Div, one, x), t)
            }
            Some((x, Plan::Mul(mut n))) => {
                let mut acc: Option<ValueId> = None;
                let mut base = x;
                loop {
                    if n & 1 == 1 {
                        acc = Some(match acc {
                            None => base,
                            Some(a) => push(&mut insts, Op::Binary(BinaryOp::Mul, a, base), t),
                        });
                    }
                    n >>= 1;
                    if n == 0 {
                        break;
                    }
                    base = push(&mut insts, Op::Binary(BinaryOp::Mul, base, base), t);
                }
                acc.expect("n >= 2 sets a bit")
            }
            None => {
                let op = match inst.op {
                    Op::Cast(a) => Op::Cast(m(a)),
                    Op::Unary(o, a) => Op::Unary(o, m(a)),
                    Op::Binary(o, a, b) => Op::Binary(o, m(a), m(b)),
                    Op::Select(c, a, b) => Op::Select(m(c), m(a), m(b)),
                    ref o => o.clone(),
                };
                push(&mut insts, op, t)
            }
        };
        map.push(id);
    }
    Program {
        inputs: p.inputs.clone(),
        insts,
        outputs: p.outputs.iter().map(|&o| map[o as usize]).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::InputDecl;

    fn pow_prog(t: DType, e: Scalar) -> Program {
        Program {
            inputs: vec![InputDecl {
                name: "x".into(),
                dtype: t,
            }],
            insts: vec![
                Inst {
                    op: Op::Input(0),
                    dtype: t,
                },
                Inst {
                    op: Op::Const(e),
                    dtype: e.dtype(),
                },
                Inst {
                    op: Op::Binary(BinaryOp::Pow, 0, 1),
                    dtype: t,
                },
            ],
            outputs: vec![2],
        }
    }

    /// Evaluates the program on one f64 or i64 input by walking the few ops pow emits.
    fn eval(p: &Program, x: f64) -> f64 {
        let mut v: Vec<f64> = Vec::new();
        for inst in &p.insts {
            let r = match inst.op {
                Op::Input(_) => x,
                Op::Const(c) => match c.cast(DType::F64) {
                    Scalar::F64(f) => f,
                    _ => unreachable!(),
                },
                Op::Unary(UnaryOp::Sqrt, a) => v[a as usize].sqrt(),
                Op::Binary(BinaryOp::Mul, a, b) => v[a as usize] * v[b as usize],
                Op::Binary(BinaryOp::Div, a, b) => v[a as usize] / v[b as usize],
                Op::Binary(BinaryOp::Pow, a, b) => v[a as usize].powf(v[b as usize]),
                ref o => panic!("{o:?}"),
            };
            v.push(r);
        }
        v[p.result() as usize]
    }

    #[test]
    fn expansions_agree_with_pow() {
        for n in -3..=20 {
            let p = run(&pow_prog(DType::F64, Scalar::F64(n as f64)));
            for x in [1.5f64, -0.75, 3.0] {
                let want = x.powi(n);
                let got = eval(&p, x);
                assert!(
                    (got - want).abs() <= 4.0 * f64::EPSILON * want.abs(),
                    "{n} {x}"
                );
            }
        }
        let p = run(&pow_prog(DType::F64, Scalar::F64(0.5)));
        assert_eq!(p.insts[p.result() as usize].op, Op::Unary(UnaryOp::Sqrt, 0));
    }

    #[test]
    fn multiplication_count_is_logarithmic() {
        let p = run(&pow_prog(DType::I32, Scalar::I32(16)));
        let muls = p
            .insts
            .iter()
            .filter(|i| matches!(i.op, Op::Binary(BinaryOp::Mul, ..)))
            .count();
        assert_eq!(muls, 4);
        assert!(!p
            .insts
            .iter()
            .any(|i| matches!(i.op, Op::Binary(BinaryOp::Pow, ..))));
    }

    #[test]
    fn leaves_unexpandable_powers() {
        for (t, e) in [
            (DType::I32, Scalar::I32(-1)),
            (DType::I32, Scalar::I32(17)),
            (DType::F64, Scalar::F64(2.5)),
            (DType::F32, Scalar::F32(f32::NAN)),
        ] {
            let p = run(&pow_prog(t, e));
            assert!(matches!(
                p.insts[p.result() as usize].op,
                Op::Binary(BinaryOp::Pow, ..)
            ));
        }
        // x**0 is 1 and x**1 is x, for integers too.
        let p = run(&pow_prog(DType::U8, Scalar::U8(0)));
        assert_eq!(p.insts[p.result() as usize].op, Op::Const(Scalar::U8(1)));
        let p = run(&pow_prog(DType::U8, Scalar::U8(1)));
        assert_eq!(p.result(), 0);
    }
}
