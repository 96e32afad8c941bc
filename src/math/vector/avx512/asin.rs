//! AVX-512 `arcsin` and `arccos`, fdlibm's reduction without its division: with `a = |x|`,
//! `s = a`, `z = a²` for `a ≤ 1/2`, and `z = (1 - a)/2` (exact), `s = √z` above, where
//! `asin a = π/2 - 2 asin s`; in both `z ≤ 1/4` and `asin s = s + s·z·P(z)` with one `P`
//! of degree 12 fitted to 2^-55.4 (`scripts/vector_math_tables_avx512.py`), so every lane
//! runs the same instructions and a blend picks the branch. `√z`'s rounding error
//! `s_lo = (z - s²)/(2s)` (the remainder exact by FMA, over `vrcp14pd`'s `2s`) joins the
//! low-order terms. The result is `B + m·(s + s_lo + s·z·P)`, with `B` in {0, π/2, π} and
//! `m` in {±1, ±2} chosen per lane, `B + m·s` summed exactly (Fast2Sum: `|m·s| ≤ 1 < B`
//! or `B = 0`) so that the last addition is the only rounding at the result's scale
//! (about 0.5 ULP; the portable lanes' `arctan2(x, √(1-x²))` has 1.1).

use super::tables::ASIN_POLY;
use super::{one, unary};
use crate::math::float;
use std::arch::x86_64::*;
use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};

/// `(π/2 - FRAC_PI_2) / FRAC_PI_2`: `B·PI_LO_RATIO` is `B`'s rounding error for `B` in
/// {π/2, π} (their roundings are the same up to the exact factor 2).
const PI_LO_RATIO: f64 = 6.123233995736766e-17 / FRAC_PI_2;
/// Added to `2s` before `vrcp14pd`: keeps the reciprocal finite where `s = 0` (`|x| = 1`),
/// and is far below `2s` everywhere else (`s ≥ 2^-27` when `z ≠ 0`).
const TINY: f64 = f64::from_bits(0x1b00_0000_0000_0000); // 2^-79

/// The fast domain: |x| ≤ 1 (NaN, infinities and the rest of the reals are libm's NaN).
fn fast(x: f64) -> bool {
    x.abs() <= 1.0
}

/// Both vectors' lanes in the fast domain: vrangepd's larger magnitude (sign cleared) at
/// most 1; with one NaN operand it returns the other, so NaN lanes are masked off.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn fast2(v: __m512d, w: __m512d) -> __mmask8 {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let big = _mm512_range_pd::<0b1011>(v, w);
        let ordered = _mm512_cmp_pd_mask::<_CMP_ORD_Q>(v, w);
        _mm512_mask_cmp_pd_mask::<_CMP_LE_OQ>(ordered, big, _mm512_set1_pd(1.0))
    }
}

/// `asin` (or `acos` when `ACOS`) of one vector, for lanes with |x| ≤ 1.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn kernel<const ACOS: bool>(x: __m512d) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        let a = _mm512_abs_pd(x);
        let big = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(a, set(0.5));
        // z = a², or (1 - a)/2 = 1/2 - a/2, exact (Sterbenz) for a in [1/2, 1].
        let z = _mm512_mask_blend_pd(
            big,
            _mm512_mul_pd(a, a),
            _mm512_fnmadd_pd(a, set(0.5), set(0.5)),
        );
        let sq = _mm512_sqrt_pd(z);
        // √z = sq + s_lo: z - sq² is exact (FMA), and vrcp14pd's 2^-14 is far below what
        // s_lo (at most half an ULP of sq) needs.
        let r = _mm512_rcp14_pd(_mm512_fmadd_pd(sq, set(2.0), set(TINY)));
        let s_lo = _mm512_maskz_mul_pd(big, _mm512_fnmadd_pd(sq, sq, z), r);
        // s, with its sign for acos's small lanes: acos x = π/2 - asin x.
        let s = _mm512_mask_mov_pd(if ACOS { x } else { a }, big, sq);
        // P(z) by Estrin's scheme.
        let c = |i: usize| set(ASIN_POLY[i]);
        let z2 = _mm512_mul_pd(z, z);
        let z4 = _mm512_mul_pd(z2, z2);
        let z8 = _mm512_mul_pd(z4, z4);
        let p01 = _mm512_fmadd_pd(z, c(1), c(0));
        let p23 = _mm512_fmadd_pd(z, c(3), c(2));
        let p45 = _mm512_fmadd_pd(z, c(5), c(4));
        let p67 = _mm512_fmadd_pd(z, c(7), c(6));
        let p89 = _mm512_fmadd_pd(z, c(9), c(8));
        let p1011 = _mm512_fmadd_pd(z, c(11), c(10));
        let p03 = _mm512_fmadd_pd(z2, p23, p01);
        let p47 = _mm512_fmadd_pd(z2, p67, p45);
        let p811 = _mm512_fmadd_pd(z2, p1011, p89);
        let p07 = _mm512_fmadd_pd(z4, p47, p03);
        let p812 = _mm512_fmadd_pd(z4, c(12), p811);
        let p = _mm512_fmadd_pd(z8, p812, p07);
        // asin s - s = t, to well below s's last place.
        let t = _mm512_fmadd_pd(_mm512_mul_pd(s, z), p, s_lo);
        // B and m: asin |x| = s + t below 1/2, π/2 - 2(s + t) above; acos x = π/2 - (s + t)
        // below (s = x), 2(s + t) above for x > 0, π - 2(s + t) for x < 0.
        let (b_hi, m) = if ACOS {
            // ±2 with x's sign above 1/2, and there B = π/2 - m·π/4 (exactly 0 or π).
            let m = _mm512_mask_mov_pd(
                set(-1.0),
                big,
                _mm512_castsi512_pd(_mm512_ternarylogic_epi64::<0xf8>(
                    _mm512_castpd_si512(set(2.0)),
                    _mm512_castpd_si512(x),
                    _mm512_set1_epi64(i64::MIN),
                )),
            );
            let b_hi = _mm512_mask3_fnmadd_pd(m, set(FRAC_PI_4), set(FRAC_PI_2), big);
            (b_hi, m)
        } else {
            (
                _mm512_maskz_mov_pd(big, set(FRAC_PI_2)),
                _mm512_mask_mov_pd(set(1.0), big, set(-2.0)),
            )
        };
        // B + m·s as h + e exactly (m·s is exact; Fast2Sum, |m·s| ≤ 1 < B or B = 0), and
        // B's own rounding error B·PI_LO_RATIO (the same relative error for π/2 and π).
        let u = _mm512_mul_pd(m, s);
        let h = _mm512_add_pd(b_hi, u);
        let e = _mm512_add_pd(_mm512_sub_pd(b_hi, h), u);
        let tail = _mm512_fmadd_pd(m, t, _mm512_fmadd_pd(b_hi, set(PI_LO_RATIO), e));
        let r = _mm512_add_pd(h, tail);
        if ACOS {
            r
        } else {
            // asin is odd: r ≥ 0 (+0 at 0) takes x's sign.
            _mm512_castsi512_pd(_mm512_ternarylogic_epi64::<0xf8>(
                _mm512_castpd_si512(r),
                _mm512_castpd_si512(x),
                _mm512_set1_epi64(i64::MIN),
            ))
        }
    }
}

/// `arcsin` on `n` float64s (the module contract; fast domain |x| ≤ 1, the rest libm's).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn asin_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let kernel = |v| unsafe { kernel::<false>(v) };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { fast2(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe { unary(n, x, out, 0.5, kernel, fast2, (fast, float::arcsin_f64)) }
}

/// `arccos` on `n` float64s (the module contract; fast domain |x| ≤ 1, the rest libm's).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn acos_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let kernel = |v| unsafe { kernel::<true>(v) };
    // SAFETY: the caller guarantees the CPU features.
    let fast2 = |v, w| unsafe { fast2(v, w) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe { unary(n, x, out, 0.5, kernel, fast2, (fast, float::arccos_f64)) }
}

/// `arcsin` (`ACOS` false) or `arccos` of one vector (the one-vector entries,
/// [`super::OneVector`]).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn asin_acos_one<const ACOS: bool>(x: __m512d) -> __m512d {
    let slow = if ACOS {
        float::arccos_f64
    } else {
        float::arcsin_f64
    };
    // SAFETY: the caller guarantees the CPU features.
    unsafe { one(x, |v| kernel::<ACOS>(v), |v, w| fast2(v, w), (fast, slow)) }
}

/// `arcsin` of one vector.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: AVX-512F is enabled.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn asin_one(x: __m512d) -> __m512d {
    // SAFETY: as this function's own contract.
    unsafe { asin_acos_one::<false>(x) }
}

/// `arccos` of one vector.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: AVX-512F is enabled.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn acos_one(x: __m512d) -> __m512d {
    // SAFETY: as this function's own contract.
    unsafe { asin_acos_one::<true>(x) }
}
