//! AVX-512 `tanh`, `sinh` and `cosh`.
//!
//! `tanh`: `-t/(t + 2)` with `t = e^-2a - 1` (a = min(|x|, 22), where `tanh`
//! rounds to 1) as the double word of [`super::expm1::expm1_dd`]. The quotient needs no
//! divide: `1/(t + 2)` (in `[1/2, 1]`) is `vrcp14pd` refined by one Newton step (2^-28),
//! and the first quotient `q0 = t·(1/d)` is corrected by its remainder `t - q0 d`, exact by
//! FMA to far below an ULP, which leaves 2^-56 relative, so that the last multiply-add is
//! nearly the only rounding at the result's scale (0.53 ULP at worst measured; a second Newton step
//! gave 0.504 and cost 9% on Zen 4, where this kernel is bound by its chain's latency).
//!
//! `sinh`, `cosh`: one reduction `a = |x| = (16 n + j) ln2/16 + r` (|r| ≤ ln2/32) serves
//! both `e^a = 2P e^r` and `e^-a = 2M e^-r`, `P = 2^(k/16)/2` and `M = 2^(-k/16)/2` from
//! the same 16-entry table (`exp`'s, halved) at the indices `k` and `-k` (`vpermt2pd`),
//! scaled by `vscalefpd`; `e^±r = 1 ± r + E ± O` share one evaluation of the even part `E`
//! and the odd part `O` of `e^r - 1 - r`. With `S = P + M` and `D = P - M` (each with its
//! rounding error, Fast2Sum as `P ≥ M`):
//! `cosh a = S + S E + D (r + O) + P tail_j + M tail_-j` and
//! `sinh a = D + S (r + O) + D E + P tail_j - M tail_-j`, where `D + S r` is formed exactly
//! (FMA; wherever `D ≠ 0`, |S r| is at most about `D/2`, so `D - (D + S r)` is exact), so
//! that near 0 `sinh` keeps its precision (`D = 0`, `S = 1` for |x| < ln2/32) and the last
//! addition is the only rounding at the result's scale of either (about 0.5 ULP).

use super::exp::{below_708, reduce, ExpTables, Reduced};
use super::expm1::{expm1_dd, with_sign_of};
use super::tables::{HYP_EVEN, HYP_ODD};
use super::{lookup16, one, unary};
use crate::math::float;
use crate::math::vector::hyperbolic as lanes;
use std::arch::x86_64::*;

/// `tanh` on `n` float64s (the module contract; same fast domain as the portable lanes,
/// everything but NaN: the infinities saturate like large arguments).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn tanh_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { ExpTables::load() };
    // SAFETY: register arithmetic only, on a CPU with the features (the caller's word).
    let kernel = |x: __m512d| unsafe { tanh_lanes(x, &t) };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { ordered2(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe {
        unary(
            n,
            x,
            out,
            0.0,
            kernel,
            fast2,
            (lanes::tanh_fast, float::tanh_f64),
        )
    }
}

/// `tanh` of one vector (the one-vector entry, [`super::OneVector`]).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: AVX-512F is enabled.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn tanh_one(x: __m512d) -> __m512d {
    // SAFETY: the caller guarantees the CPU features.
    unsafe {
        let t = ExpTables::load();
        let kernel = |x| tanh_lanes(x, &t);
        let fast2 = |v, w| ordered2(v, w);
        one(x, kernel, fast2, (lanes::tanh_fast, float::tanh_f64))
    }
}

/// The fast-domain test of `tanh`: no NaN in either vector (the infinities saturate like
/// large arguments).
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
unsafe fn ordered2(v: __m512d, w: __m512d) -> __mmask8 {
    // SAFETY: the caller guarantees the CPU features.
    unsafe { _mm512_cmp_pd_mask::<_CMP_ORD_Q>(v, w) }
}

/// `tanh`'s lanes (everything but NaN).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn tanh_lanes(x: __m512d, t: &ExpTables) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        // min(|x|, 22) in one vrangepd (smaller magnitude, sign cleared): tanh(22) rounds
        // to 1, and so do the infinities.
        let a = _mm512_range_pd::<0b1010>(x, set(22.0));
        let (hi, lo) = expm1_dd::<true>(_mm512_mul_pd(a, set(-2.0)), t);
        // t = hi + lo is not normalised (lo is up to 1% of hi), d = t + 2 must be: d_hi is
        // the rounded sum, d_lo the rest (2 - d_hi is exact by Sterbenz, d_hi in [1, 2];
        // its sum with hi, about -lo, rounds far below d's ULP).
        let two = set(2.0);
        let t_hi = _mm512_add_pd(hi, lo);
        let d_hi = _mm512_add_pd(t_hi, two);
        let d_lo = _mm512_add_pd(_mm512_add_pd(_mm512_sub_pd(two, d_hi), hi), lo);
        // 1/d_hi: 2^-14 from vrcp14pd, then 2^-28 after one Newton step.
        let one = set(1.0);
        let inv = _mm512_rcp14_pd(d_hi);
        let inv = _mm512_fmadd_pd(inv, _mm512_fnmadd_pd(d_hi, inv, one), inv);
        // q0 + (t - q0 d)/d: the remainder's own relative error is inv's (2^-28), so the
        // corrected quotient is off by its square, 2^-56. hi - q0 d_hi (about -lo) rounds
        // far below q's ULP, and the low parts are smaller still; the two are formed side
        // by side to keep the chain short.
        let q0 = _mm512_mul_pd(t_hi, inv);
        let rem = _mm512_add_pd(
            _mm512_fnmadd_pd(q0, d_hi, hi),
            _mm512_fnmadd_pd(q0, d_lo, lo),
        );
        // -tanh(a) = t/d: its magnitude with x's sign (which also gives tanh(±0) = ±0).
        with_sign_of(_mm512_fmadd_pd(rem, inv, q0), x)
    }
}

/// `2^(i/16)/2` and the relative tails of `2^(i/16)`, loaded into registers once per call.
struct HalfTables {
    s: (__m512d, __m512d),
    tail: (__m512d, __m512d),
}

impl HalfTables {
    /// Loads the tables (`exp`'s, the values halved, which is exact).
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    unsafe fn load() -> Self {
        // SAFETY: the caller guarantees the CPU features.
        unsafe {
            let t = ExpTables::load();
            let half = _mm512_set1_pd(0.5);
            HalfTables {
                s: (_mm512_mul_pd(t.s.0, half), _mm512_mul_pd(t.s.1, half)),
                tail: t.tail,
            }
        }
    }
}

/// What `sinh` and `cosh` share, for `a = |x|` < 708.
struct Parts {
    /// `2^(k/16)/2` and `2^(-k/16)/2` as rounded table values, exactly scaled.
    p: __m512d,
    m: __m512d,
    /// The relative rounding errors of `p` and `m`.
    p_tail: __m512d,
    m_tail: __m512d,
    /// `a - k ln2/16` (rounded) and the rounding error.
    r: __m512d,
    r_err: __m512d,
    /// `r²` and `r³`.
    z: __m512d,
    r3: __m512d,
    /// `(cosh r - 1)/r²` and `(sinh r - r)/r³`.
    even: __m512d,
    odd: __m512d,
}

/// The reduction, the four table values and both polynomials for `a = |x|` < 708.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn parts(a: __m512d, t: &HalfTables) -> Parts {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        // kd = k/16 ≥ 0; the integer negation of the table index gives -k's low bits.
        let Reduced { kd, idx, r, r_err } = reduce(a);
        let neg_idx = _mm512_sub_epi64(_mm512_setzero_si512(), idx);
        // vscalefpd multiplies by 2^floor(±k/16), the table holds the rest.
        let p = _mm512_scalef_pd(lookup16(t.s, idx), kd);
        let m = _mm512_scalef_pd(
            lookup16(t.s, neg_idx),
            _mm512_sub_pd(_mm512_setzero_pd(), kd),
        );
        let z = _mm512_mul_pd(r, r);
        let horner =
            |c: &[f64; 3]| _mm512_fmadd_pd(z, _mm512_fmadd_pd(z, set(c[2]), set(c[1])), set(c[0]));
        Parts {
            p,
            m,
            p_tail: lookup16(t.tail, idx),
            m_tail: lookup16(t.tail, neg_idx),
            r,
            r_err,
            z,
            r3: _mm512_mul_pd(r, z),
            even: horner(&HYP_EVEN),
            odd: horner(&HYP_ODD),
        }
    }
}

/// `cosh` on `n` float64s (the module contract; same fast domain as the portable lanes,
/// |x| < 708).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn cosh_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { HalfTables::load() };
    // SAFETY: register arithmetic only, on a CPU with the features (the caller's word).
    let kernel = |x: __m512d| unsafe {
        let v = parts(_mm512_abs_pd(x), &t);
        let s = _mm512_add_pd(v.p, v.m);
        let d = _mm512_sub_pd(v.p, v.m);
        let s_err = _mm512_sub_pd(v.m, _mm512_sub_pd(s, v.p));
        // The rest, below 3% of s: the tails (their products with r are below 0.01 ULP),
        // s E and d (r + O); r's rounding error is worth less than 0.01 ULP here.
        let tails = _mm512_fmadd_pd(v.m, v.m_tail, _mm512_mul_pd(v.p, v.p_tail));
        let rest = _mm512_add_pd(s_err, tails);
        let rest = _mm512_fmadd_pd(s, _mm512_mul_pd(v.z, v.even), rest);
        let rest = _mm512_fmadd_pd(d, _mm512_fmadd_pd(v.r3, v.odd, v.r), rest);
        _mm512_add_pd(s, rest)
    };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { below_708(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe {
        unary(
            n,
            x,
            out,
            0.0,
            kernel,
            fast2,
            (lanes::sinh_cosh_fast, float::cosh_f64),
        )
    }
}

/// `sinh` on `n` float64s (the module contract; same fast domain as the portable lanes,
/// |x| < 708).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn sinh_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let t = unsafe { HalfTables::load() };
    // SAFETY: register arithmetic only, on a CPU with the features (the caller's word).
    let kernel = |x: __m512d| unsafe {
        let v = parts(_mm512_abs_pd(x), &t);
        let s = _mm512_add_pd(v.p, v.m);
        let d = _mm512_sub_pd(v.p, v.m);
        let d_err = _mm512_sub_pd(_mm512_sub_pd(v.p, d), v.m);
        // d + s r exactly as hi + lo.
        let hi = _mm512_fmadd_pd(s, v.r, d);
        let lo = _mm512_fmadd_pd(s, v.r, _mm512_sub_pd(d, hi));
        // The rest, below 1% of hi: the tails (their products with r are below 0.03 ULP),
        // s (O + r_err) and d E.
        let tails = _mm512_fnmadd_pd(v.m, v.m_tail, _mm512_mul_pd(v.p, v.p_tail));
        let rest = _mm512_add_pd(_mm512_add_pd(lo, d_err), tails);
        let rest = _mm512_fmadd_pd(s, _mm512_fmadd_pd(v.r3, v.odd, v.r_err), rest);
        let rest = _mm512_fmadd_pd(d, _mm512_mul_pd(v.z, v.even), rest);
        // sinh keeps the sign of its argument (±0 included).
        with_sign_of(_mm512_add_pd(hi, rest), x)
    };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { below_708(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe {
        unary(
            n,
            x,
            out,
            0.0,
            kernel,
            fast2,
            (lanes::sinh_cosh_fast, float::sinh_f64),
        )
    }
}
