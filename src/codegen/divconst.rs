//! Integer `//`, `%` and `fmod` by a constant divisor without a divide instruction
//! (Cranelift 0.135 emits `idiv` for a constant divisor, tens of cycles per element): a
//! multiply by a magic number and shifts (Granlund and Montgomery, "Division by invariant
//! integers using multiplication", 1994; GCC's `choose_multiplier`), with NumPy's
//! semantics: `//` floors, `%` has the divisor's sign, `fmod` the dividend's, `x // 0 ==
//! x % 0 == 0`, and `x // -1 == -x` wrapping (`INT_MIN // -1 == INT_MIN`).
//!
//! Every dtype is computed on 64-bit values (narrow ones extended by their signedness,
//! the result truncated back). A signed floor division is one unsigned division of a
//! non-negative value: for `d > 0`, `floor(x / d) == s ^ ((x ^ s) / d)` with `s` the
//! all-ones mask of `x < 0` (for negative `x`, `x ^ s == -x - 1`); for `d < 0` the mirror
//! image, `floor(x / d) == s ^ (u / -d)` with `s` the mask of `x > 0` and `u == -x ^ s`
//! (`x - 1` for positive `x`, else `-x`, which for `INT_MIN` is `2^63` read unsigned).
//! The remainder is `x - q * d`, exact in wrapping arithmetic.

use super::scalar::clif_type;
use crate::ir::BinaryOp;
use crate::types::DType;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_frontend::FunctionBuilder;

/// How to compute `u / d` for every unsigned 64-bit `u < 2^prec` (`prec` at most 64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UDiv {
    /// `u >> k` (`d == 2^k`).
    Shift(u32),
    /// `umulhi(u, m) >> shift`.
    Mul { m: u64, shift: u32 },
    /// The 65-bit multiplier `2^64 + m`: `t = umulhi(u, m)`, then
    /// `(t + ((u - t) >> 1)) >> (shift - 1)`; `shift >= 1`.
    MulAdd { m: u64, shift: u32 },
    /// `u >= d` (a divisor of at least `2^63`: the quotient is 0 or 1).
    AtLeast(u64),
}

/// The cheapest exact [`UDiv`] for dividing every `u < 2^prec` by `d` (`d >= 1`,
/// `1 <= prec <= 64`).
pub(crate) fn udiv_plan(d: u64, prec: u32) -> UDiv {
    if d.is_power_of_two() {
        return UDiv::Shift(d.trailing_zeros());
    }
    if d > (1 << 63) {
        return UDiv::AtLeast(d);
    }
    // GCC's choose_multiplier with N = 64: the smallest multiplier of precision `prec`
    // between 2^(64+l)/d and (2^(64+l) + 2^(64+l-prec))/d, l = ceil(log2(d)) <= 63.
    let l = 64 - (d - 1).leading_zeros();
    let top = 64 + l;
    let mut mlow = (1u128 << top) / u128::from(d);
    let mut mhigh = ((1u128 << top) + (1u128 << (top - prec))) / u128::from(d);
    let mut shift = l;
    while shift > 0 && mlow >> 1 < mhigh >> 1 {
        mlow >>= 1;
        mhigh >>= 1;
        shift -= 1;
    }
    match u64::try_from(mhigh) {
        Ok(m) => UDiv::Mul { m, shift },
        // The 65-bit case has l >= 1 and the loop keeps shift >= 1 when it stops on the
        // bound (mhigh >= 2^64 means mlow >> 1 < mhigh >> 1 still held one step back).
        Err(_) => UDiv::MulAdd {
            m: (mhigh - (1u128 << 64)) as u64,
            shift: shift.max(1),
        },
    }
}

/// What [`udiv_plan`]'s plan computes, in plain Rust (the model the tests check
/// exhaustively and the emitter follows instruction for instruction).
#[cfg(test)]
pub(crate) fn udiv_model(plan: UDiv, u: u64) -> u64 {
    let mulhi = |a: u64, m: u64| ((u128::from(a) * u128::from(m)) >> 64) as u64;
    match plan {
        UDiv::Shift(k) => u >> k,
        UDiv::Mul { m, shift } => mulhi(u, m) >> shift,
        UDiv::MulAdd { m, shift } => {
            let t = mulhi(u, m);
            (t + ((u - t) >> 1)) >> (shift - 1)
        }
        UDiv::AtLeast(d) => u64::from(u >= d),
    }
}

/// Emits `u / d` on an `i64` value `u < 2^prec` by `plan`.
fn emit_udiv(b: &mut FunctionBuilder, plan: UDiv, u: Value) -> Value {
    match plan {
        UDiv::Shift(k) => b.ins().ushr_imm_s(u, i64::from(k)),
        UDiv::Mul { m, shift } => {
            let m = b.ins().iconst(types::I64, m as i64);
            let t = b.ins().umulhi(u, m);
            if shift == 0 {
                t
            } else {
                b.ins().ushr_imm_s(t, i64::from(shift))
            }
        }
        UDiv::MulAdd { m, shift } => {
            let m = b.ins().iconst(types::I64, m as i64);
            let t = b.ins().umulhi(u, m);
            let diff = b.ins().isub(u, t);
            let half = b.ins().ushr_imm_s(diff, 1);
            let sum = b.ins().iadd(t, half);
            b.ins().ushr_imm_s(sum, i64::from(shift - 1))
        }
        UDiv::AtLeast(d) => {
            let ge = b
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, u, d as i64);
            b.ins().uextend(types::I64, ge)
        }
    }
}

/// `//`, `%` or `fmod` (`op`) of `x` (dtype `dt`, an integer dtype) by the constant `c`
/// (the divisor's value, sign-extended for signed dtypes, zero-extended for unsigned).
pub(crate) fn const_div(
    b: &mut FunctionBuilder,
    op: BinaryOp,
    dt: DType,
    x: Value,
    c: i64,
) -> Value {
    let ty = clif_type(dt);
    let signed = dt.is_signed_int();
    let div = op == BinaryOp::FloorDiv;
    // The trivial divisors: 0 (NumPy's 0 for all three), 1, and -1 (negation, wrapping).
    if c == 0 || (c == 1 && !div) || (signed && c == -1 && !div) {
        return b.ins().iconst(ty, 0);
    }
    if c == 1 {
        return x;
    }
    if signed && c == -1 {
        return b.ins().ineg(x);
    }
    let xw = if dt.size() == 8 {
        x
    } else if signed {
        b.ins().sextend(types::I64, x)
    } else {
        b.ins().uextend(types::I64, x)
    };
    let bits = dt.bits();
    let (q, s) = if !signed {
        let q = emit_udiv(b, udiv_plan(c as u64, bits), xw);
        (q, None)
    } else if c > 0 && (c as u64).is_power_of_two() {
        // Floor division by 2^k is the arithmetic shift.
        let q = b.ins().sshr_imm_s(xw, i64::from(c.trailing_zeros()));
        let s = b.ins().sshr_imm_s(xw, 63);
        (q, Some(s))
    } else if c > 0 {
        let s = b.ins().sshr_imm_s(xw, 63);
        let u = b.ins().bxor(xw, s);
        let q = emit_udiv(b, udiv_plan(c as u64, bits - 1), u);
        (b.ins().bxor(q, s), Some(s))
    } else {
        let pos = b.ins().icmp_imm_s(IntCC::SignedGreaterThan, xw, 0);
        let s = b.ins().bmask(types::I64, pos);
        let neg = b.ins().ineg(xw);
        let u = b.ins().bxor(neg, s);
        let q = emit_udiv(b, udiv_plan(c.unsigned_abs(), bits), u);
        (b.ins().bxor(q, s), Some(s))
    };
    let narrow = |b: &mut FunctionBuilder, v: Value| {
        if dt.size() == 8 {
            v
        } else {
            b.ins().ireduce(ty, v)
        }
    };
    if div {
        return narrow(b, q);
    }
    let qd = b.ins().imul_imm_s(q, c);
    let r = b.ins().isub(xw, qd);
    let r = match s {
        // C's remainder differs from the floored one where the signs of `x` and `c`
        // differ (exactly where `s` is set) and the remainder is not 0: it is `r - c`.
        Some(s) if op == BinaryOp::Fmod => {
            let nz = b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
            let nz = b.ins().bmask(types::I64, nz);
            let fix = b.ins().band(s, nz);
            let fix = b.ins().band_imm_s(fix, c);
            b.ins().isub(r, fix)
        }
        _ => r,
    };
    narrow(b, r)
}

#[cfg(test)]
mod tests {
    use super::{udiv_model, udiv_plan, UDiv};
    use crate::testkit::Rng;

    /// Divisors every width is checked with: small, near powers of two, and the largest.
    fn divisors(bits: u32) -> Vec<u64> {
        let max = if bits == 64 {
            u64::MAX
        } else {
            (1 << bits) - 1
        };
        let mut v: Vec<u64> = (1..=300).collect();
        for k in 2..bits {
            v.extend([(1 << k) - 1, (1 << k) + 1, (1 << k) / 3 * 2 + 1]);
        }
        v.extend([max, max - 1, max / 2, max / 2 + 2, max / 7, max / 10]);
        v.retain(|&d| d >= 1 && d <= max);
        v
    }

    /// Every 16-bit dividend (and every one below `2^prec` for smaller `prec`) by every
    /// divisor of `divisors(16)`.
    #[test]
    fn exact_for_every_16_bit_dividend() {
        for prec in [7, 8, 15, 16] {
            for d in divisors(prec) {
                let plan = udiv_plan(d, prec);
                for u in 0..1u64 << prec {
                    assert_eq!(
                        udiv_model(plan, u),
                        u / d,
                        "{u} / {d}, prec {prec}: {plan:?}"
                    );
                }
            }
        }
    }

    /// 32- and 64-bit dividends: the extremes, multiples of `d` and their neighbours,
    /// and random values, for every precision a division asks for.
    #[test]
    fn exact_at_edges_and_random_wide_dividends() {
        let mut rng = Rng::new(7);
        for prec in [31, 32, 63, 64] {
            let top = if prec == 64 {
                u64::MAX
            } else {
                (1 << prec) - 1
            };
            let mut ds = divisors(prec);
            ds.extend((0..200).map(|_| (rng.next_u64() & top).max(1)));
            ds.extend(
                (0..200)
                    .map(|_| (rng.next_u64() >> (rng.next_u64() % 64)) & top)
                    .filter(|&d| d > 0),
            );
            for d in ds {
                let plan = udiv_plan(d, prec);
                if prec < 64 {
                    assert!(
                        !matches!(plan, UDiv::MulAdd { .. }),
                        "{d}, {prec}: {plan:?}"
                    );
                }
                let mut us = vec![0, 1, top, top - 1, top / 2, top / 2 + 1, d - 1, d];
                let last = top / d;
                for q in [1, 2, 3, last / 2, last - 1, last] {
                    let m = q.saturating_mul(d);
                    us.extend([m.wrapping_sub(1), m, m.wrapping_add(1)]);
                }
                us.extend((0..2000).map(|_| rng.next_u64() & top));
                for u in us.into_iter().filter(|&u| u <= top) {
                    assert_eq!(
                        udiv_model(plan, u),
                        u / d,
                        "{u} / {d}, prec {prec}: {plan:?}"
                    );
                }
            }
        }
    }
}
