//! Splatted vector constants kept in memory owned by the [`super::Kernel`].
//!
//! Why not `splat` of a `f64const`: Cranelift folds that into a `vconst`, and its egraph
//! elaboration placed every `vconst` (and every `splat`) next to its use inside the vector
//! loop, so x64 reloaded each constant from the constant pool on every iteration: two
//! extra loads per vector for `2*a + 3*b`, on a loop bound by its loads. A plain `load`
//! from this pool is not pure, so it stays in the loop preheader and its register is
//! reused by every iteration. Float constants of the scalar loop come from here too (lane
//! 0), for the same reason: an `f64const` is rebuilt (`movabs` + `movq`) on every element.
//!
//! The pool also owns the bytes of string literals, which string helpers read by address.

use super::lanes::VectorPlan;
use crate::ir::{Op, Program, StrOperand};
use crate::types::DType;

/// One 16-byte vector per constant of the program, in instruction order (one element
/// for a complex constant).
pub(crate) struct ConstPool {
    /// `u128` gives the 16-byte alignment of an aligned vector load.
    words: Box<[u128]>,
    /// `slot[id]` is the index in `words` of instruction `id`'s vector, for constants.
    slot: Vec<Option<usize>>,
    /// `(instruction, operand 0 or 1, bytes)` of every string literal operand (a copy's
    /// is operand 0).
    literals: Vec<(usize, usize, Box<[u8]>)>,
}

impl ConstPool {
    /// A pool with nothing in it (for code without constants).
    pub(crate) fn empty() -> ConstPool {
        ConstPool {
            words: Box::new([]),
            slot: Vec::new(),
            literals: Vec::new(),
        }
    }

    /// The splatted vector of every constant of `program` under `plan`; without a plan,
    /// of every float and complex constant (integers are immediates, which are cheap to rebuild).
    pub(crate) fn new(program: &Program, plan: Option<VectorPlan>) -> ConstPool {
        let mut words = Vec::new();
        let slot = program
            .insts
            .iter()
            .map(|inst| match inst.op {
                // A complex constant (never in a vector plan) is stored as it is in
                // memory: real part in the low half.
                Op::Const(c) if inst.dtype.is_complex() => {
                    words.push(c.cast(inst.dtype).to_bits());
                    Some(words.len() - 1)
                }
                Op::Const(c) if plan.is_some() || inst.dtype.is_float() => {
                    let bits = c.cast(inst.dtype).to_bits();
                    let p = plan.unwrap_or(VectorPlan {
                        dtype: inst.dtype,
                        lanes: 16 / inst.dtype.size() as u32,
                    });
                    words.push(splat(p, inst.dtype, bits as u64));
                    Some(words.len() - 1)
                }
                _ => None,
            })
            .collect();
        let mut literals = Vec::new();
        for (id, inst) in program.insts.iter().enumerate() {
            let operands = match &inst.op {
                Op::StrCompare { lhs, rhs, .. } => vec![lhs, rhs],
                Op::StrContains {
                    haystack, needle, ..
                } => vec![haystack, needle],
                Op::StrCopy(o) => vec![o],
                _ => continue,
            };
            for (which, o) in operands.into_iter().enumerate() {
                if let StrOperand::Literal(bytes) = o {
                    literals.push((id, which, bytes.clone().into_boxed_slice()));
                }
            }
        }
        ConstPool {
            words: words.into_boxed_slice(),
            slot,
            literals,
        }
    }

    /// The address of the bytes of operand `which` (0 or 1; 0 for a copy) of string op
    /// `id`, if it is a literal. The bytes never move: they are boxed and owned until the kernel is dropped.
    pub(crate) fn literal_addr(&self, id: usize, which: usize) -> Option<i64> {
        self.literals
            .iter()
            .find(|(i, w, _)| *i == id && *w == which)
            .map(|(_, _, bytes)| bytes.as_ptr() as i64)
    }

    /// The address of instruction `id`'s vector, if it is a constant.
    pub(crate) fn addr(&self, id: usize) -> Option<i64> {
        let k = (*self.slot.get(id)?)?;
        Some(&self.words[k] as *const u128 as i64)
    }
}

/// The 16 bytes of `bits` (one `dt` element) repeated in every lane; a `bool` in a masked
/// plan becomes an all-ones or all-zeros lane of the plan's width.
fn splat(plan: VectorPlan, dt: DType, bits: u64) -> u128 {
    let (width, lane) = if dt == DType::Bool && plan.masks() {
        let width = plan.dtype.bits();
        (width, if bits & 1 == 1 { u64::MAX } else { 0 })
    } else {
        (dt.bits(), bits)
    };
    let lane = if width >= 64 {
        lane as u128
    } else {
        (lane & ((1u64 << width) - 1)) as u128
    };
    (0..128 / width).fold(0u128, |acc, j| acc | (lane << (j * width)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splat_repeats_the_lane_little_end_first() {
        let f64s = VectorPlan {
            dtype: DType::F64,
            lanes: 2,
        };
        let two = 2.0f64.to_bits();
        assert_eq!(
            splat(f64s, DType::F64, two),
            (two as u128) << 64 | two as u128
        );
        let i8s = VectorPlan {
            dtype: DType::I8,
            lanes: 16,
        };
        assert_eq!(splat(i8s, DType::I8, 0xFE), u128::from_le_bytes([0xFE; 16]));
        let f32s = VectorPlan {
            dtype: DType::F32,
            lanes: 4,
        };
        assert_eq!(splat(f32s, DType::Bool, 1), u128::MAX);
        assert_eq!(splat(f32s, DType::Bool, 0), 0);
        let bools = VectorPlan {
            dtype: DType::Bool,
            lanes: 16,
        };
        assert_eq!(splat(bools, DType::Bool, 1), u128::from_le_bytes([1; 16]));
    }
}
