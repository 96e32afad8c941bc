//! AVX-512 `tan`: `sin`'s reduction (`avx512/trig.rs`), `x = k·π/16 + r` with `r = s +
//! tail`, |r| ≤ π/32, and its two tables, which hold `A = sin θ`, `B = cos θ` for
//! `θ = (k mod 16)·π/16` (`tan` has period π): `tan x = (A + B tan r)/(B - A tan r)`.
//! `tan r - s = s·z·T(z) + tail` (`z = s²`, `T` of degree 5 fitted to 2^-55.6,
//! `scripts/vector_math_tables_avx512.py`), renormalised as `st + st_lo`. Numerator and
//! denominator are formed as `p + ns`, `q + ds` with `A + B·st` (`B - A·st`) rounded and
//! its rounding error (exact by Sterbenz, as in `sin`'s `A + B·hi`), so each is known to
//! about 2^-60 relative, also near the zeros (`A = 0`) and poles (`B = 0`) of `tan`, with
//! `ns`, `ds` about an ULP of `p`, `q` at most. The quotient: `r = 1/q` to 2^-28 by
//! `vrcp14pd` and one Newton step, `t0 = p·r`, then one correction by the remainder
//! `p + ns - t0·(q + ds)` (its main part exact by FMA) times `r`, which leaves 2^-56
//! relative: 0.548 ULP measured, 0.62 in a model with `vrcp14pd`'s worst error (the
//! portable lanes' `kernel_tan` has 0.74).

use super::tables::TAN_POLY;
use super::trig::{below_2_20, reduce, Tables, SHIFT};
use super::{lookup16, one, unary};
use crate::math::float;
use crate::math::vector::trig as lanes;
use std::arch::x86_64::*;

/// `vfixupimmpd`'s table: a zero second operand (token 2) is returned as it is (response
/// 1), every other class keeps the first operand (response 0).
const ZERO_AS_IS: i64 = 1 << (4 * 2);

/// `tan` on one vector in the fast domain (|x| ≤ 2^20).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn kernel(x: __m512d, t: &Tables) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        let (idx, s, tail) = reduce(x, SHIFT);
        let (ah, al) = (lookup16(t.a_hi, idx), lookup16(t.a_lo, idx));
        let (bh, bl) = (lookup16(t.b_hi, idx), lookup16(t.b_lo, idx));
        // tan(s + tail) - s = s·z·T(z) + tail: tail·tan²r, dropped, is below 2^-60
        // relative (and so is what z = s² leaves out of tail).
        let z = _mm512_mul_pd(s, s);
        let c = |i: usize| set(TAN_POLY[i]);
        let poly = _mm512_fmadd_pd(z, c(5), c(4));
        let poly = _mm512_fmadd_pd(z, poly, c(3));
        let poly = _mm512_fmadd_pd(z, poly, c(2));
        let poly = _mm512_fmadd_pd(z, poly, c(1));
        let poly = _mm512_fmadd_pd(z, poly, c(0));
        let tt = _mm512_fmadd_pd(_mm512_mul_pd(s, z), poly, tail);
        // tan r = st + st_lo (Fast2Sum: |tt| < |s|/256 + 2^-85), so that the parts below
        // stay small next to the heads of the quotient.
        let st = _mm512_add_pd(s, tt);
        let st_lo = _mm512_add_pd(_mm512_sub_pd(s, st), tt);
        // Numerator A + B·tan r = p + ns: A - p exact (Sterbenz: |B·st| ≤ 0.1 |B| keeps p
        // within a factor 2 of A, or A = 0), so p_lo is the rounding error of p.
        let p = _mm512_fmadd_pd(bh, st, ah);
        let p_lo = _mm512_fmadd_pd(bh, st, _mm512_sub_pd(ah, p));
        let ns = _mm512_fmadd_pd(bh, st_lo, _mm512_fmadd_pd(bl, st, _mm512_add_pd(al, p_lo)));
        // Denominator B - A·tan r = q + ds, alike.
        let q = _mm512_fnmadd_pd(ah, st, bh);
        let q_lo = _mm512_fnmadd_pd(ah, st, _mm512_sub_pd(bh, q));
        let ds = _mm512_fnmadd_pd(ah, st_lo, _mm512_fnmadd_pd(al, st, _mm512_add_pd(bl, q_lo)));
        // 1/q to 2^-14, then 2^-28 (one Newton step): t0 below is off by as much, and the
        // correction by its remainder, also scaled by r, leaves 2^-56.
        let r = _mm512_rcp14_pd(q);
        let r = _mm512_fmadd_pd(r, _mm512_fnmadd_pd(q, r, set(1.0)), r);
        // (p + ns)/(q + ds) = t0 + rem/(q + ds), rem = p + ns - t0·(q + ds).
        let t0 = _mm512_mul_pd(p, r);
        let rem = _mm512_add_pd(_mm512_fnmadd_pd(t0, q, p), ns);
        let rem = _mm512_fnmadd_pd(t0, ds, rem);
        let y = _mm512_fmadd_pd(rem, r, t0);
        // The sums can turn tan(-0) into +0; libm keeps -0 (and +0).
        _mm512_fixupimm_pd::<0>(y, x, _mm512_set1_epi64(ZERO_AS_IS))
    }
}

/// `tan` on `n` float64s: the fast domain is the portable lanes', |x| ≤ 2^20; beyond it
/// (and for infinities and NaN) libm's Payne–Hanek reduction.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn tan_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { Tables::load() };
    // SAFETY: the caller guarantees the CPU features.
    let kernel = |v| unsafe { kernel(v, &t) };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { below_2_20(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe { unary(n, x, out, 1.0, kernel, fast2, (lanes::fast, float::tan_f64)) }
}

/// `tan` of one vector (the one-vector entry, [`super::OneVector`]).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: AVX-512F is enabled.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn tan_one(x: __m512d) -> __m512d {
    // SAFETY: the caller guarantees the CPU features.
    unsafe {
        let t = Tables::load();
        let kernel = |v| kernel(v, &t);
        let fast2 = |v, w| below_2_20(v, w);
        one(x, kernel, fast2, (lanes::fast, float::tan_f64))
    }
}
