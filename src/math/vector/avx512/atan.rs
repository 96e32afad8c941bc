//! AVX-512 `arctan2`: `n = min(|y|, |x|)`, `d = max(|y|, |x|)`, `t = n/d` in `[0, 1]`,
//! `atan t = atan(i/16) + atan s` with `s = (n - c·d)/(d + c·n)`, `c = i/16` the nearest
//! sixteenth to `t` (estimated from `vrcp14pd`), clamped to 15/16; `atan(i/16)` as hi + lo
//! from two 16-entry tables in zmm registers (`vpermt2pd`), `atan s - s = s³·P(s²)` with
//! `P` of degree 3 for |s| ≤ 0.0352. One division (`s`; its remainder, exact, gives the
//! low part). The quadrant: `θ = B ± (atan(i/16) + atan s)` with `B` in {0, π/2, π} (π/2
//! when `|y| > |x|`, else π when `x < 0`) and the sign `-` when exactly one of those
//! holds, summed so that the last addition is the only rounding at the result's scale
//! (about 0.5 ULP; the portable lanes' fdlibm reduction has 0.70); the sign of `y` last.
//! `arctan(x)` has its own copy of the kernel for `(x, 1)` (`atan_kernel`): beyond 1 it
//! reads `π/2 - atan(i/16)` from two more tables and negates `s`, so one Fast2Sum does
//! what the quadrant logic does for `arctan2`.

use super::tables::{ATAN_C_HI, ATAN_C_LO, ATAN_HI, ATAN_LO, ATAN_POLY};
use super::{binary, lookup16, table16, unary};
use crate::math::float;
use crate::math::vector::atan as lanes;
use std::arch::x86_64::*;
use std::f64::consts::{FRAC_PI_2, PI};

/// 1.5·2^52: adding it rounds to an integer, whose low bits are the integer itself.
const SHIFT: f64 = 6755399441055744.0;
/// `(π/2 - FRAC_PI_2) / FRAC_PI_2`: `B·PI_LO_RATIO` is `B`'s rounding error for `B` in
/// {π/2, π} (their roundings are the same up to the exact factor 2).
const PI_LO_RATIO: f64 = 6.123233995736766e-17 / FRAC_PI_2;
/// The binade limits of the fast domain (the portable lanes'): quotients and sums stay
/// normal.
const MIN: f64 = f64::from_bits(0x2010_0000_0000_0000); // 2^-510
const MAX: f64 = f64::from_bits(0x5fd0_0000_0000_0000); // 2^510

/// `arctan2(y, x)` on one vector, and the mask of lanes in the fast domain (both |y| and
/// |x| in [2^-510, 2^510]; the other lanes' results are garbage).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn kernel(
    y: __m512d,
    x: __m512d,
    hi_t: (__m512d, __m512d),
    lo_t: (__m512d, __m512d),
) -> (__m512d, __mmask8) {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        let sign_bit = _mm512_set1_epi64(i64::MIN);
        // vrangepd: the smaller and the larger magnitude, sign cleared. With one NaN
        // operand it returns the other, so NaN lanes are masked off by an ordered compare.
        let n = _mm512_range_pd::<0b1010>(y, x);
        let d = _mm512_range_pd::<0b1011>(y, x);
        let fast = _mm512_mask_cmp_pd_mask::<_CMP_LE_OQ>(
            _mm512_mask_cmp_pd_mask::<_CMP_GE_OQ>(
                _mm512_cmp_pd_mask::<_CMP_ORD_Q>(y, x),
                n,
                set(MIN),
            ),
            d,
            set(MAX),
        );
        let ax = _mm512_castsi512_pd(_mm512_andnot_si512(sign_bit, _mm512_castpd_si512(x)));
        let swap = _mm512_cmp_pd_mask::<_CMP_NEQ_UQ>(d, ax);
        let neg = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x, _mm512_setzero_pd());
        let minus = _kxor_mask8(swap, neg);
        // i = round(16 t - 1/16), at most 15: the boundaries sit 1/256 above the midpoints,
        // so that for i ≥ 1, t ≥ 0.56/16 and |t - c| < 0.78 t, which makes n - c·d exact
        // (within 2^53 units of both n's last place and d's / 16). vrcp14pd's 2^-14 only
        // moves the boundaries.
        let t = _mm512_mul_pd(n, _mm512_rcp14_pd(d));
        let kd = _mm512_add_pd(_mm512_fmadd_pd(t, set(16.0), set(-1.0 / 16.0)), set(SHIFT));
        let kd = _mm512_min_pd(kd, set(SHIFT + 15.0));
        let idx = _mm512_castpd_si512(kd);
        let c = _mm512_fmadd_pd(kd, set(1.0 / 16.0), set(-SHIFT / 16.0));
        let num = _mm512_fnmadd_pd(c, d, n);
        let (s, small) = reduced_atan(num, c, n, d);
        // atan(i/16) + s as h1 + e1 (Fast2Sum: atan(1/16) > 0.0352 ≥ |s|, or i = 0).
        let ah = lookup16(hi_t, idx);
        let h1 = _mm512_add_pd(ah, s);
        let e1 = _mm512_add_pd(_mm512_sub_pd(ah, h1), s);
        let tail1 = _mm512_add_pd(_mm512_add_pd(e1, lookup16(lo_t, idx)), small);
        let flip = |v: __m512d| {
            _mm512_castsi512_pd(_mm512_mask_xor_epi64(
                _mm512_castpd_si512(v),
                minus,
                _mm512_castpd_si512(v),
                sign_bit,
            ))
        };
        let (h1, tail1) = (flip(h1), flip(tail1));
        // B + h1 as h2 + e2 (Fast2Sum: B ≥ π/2 > |h1|, or B = 0).
        let b = _mm512_mask_mov_pd(_mm512_maskz_mov_pd(neg, set(PI)), swap, set(FRAC_PI_2));
        let h2 = _mm512_add_pd(b, h1);
        let e2 = _mm512_add_pd(_mm512_sub_pd(b, h2), h1);
        let tail = _mm512_add_pd(_mm512_fmadd_pd(b, set(PI_LO_RATIO), tail1), e2);
        let r = _mm512_add_pd(h2, tail);
        // r is in [0, π]: the sign of y.
        let r = _mm512_ternarylogic_epi64::<0x78>(
            _mm512_castpd_si512(r),
            _mm512_castpd_si512(y),
            sign_bit,
        );
        (_mm512_castsi512_pd(r), fast)
    }
}

/// `arctan2(y, x)` on `n` float64 pairs, `y` first (the module contract; the portable
/// lanes' fast domain: both |y| and |x| in [2^-510, 2^510], the rest is libm's).
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `y`, `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn atan2_f64(n: usize, y: *const u8, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let (hi_t, lo_t) = unsafe { (table16(&ATAN_HI), table16(&ATAN_LO)) };
    // SAFETY: the caller guarantees the CPU features.
    let kernel = |y, x| unsafe { kernel(y, x, hi_t, lo_t) };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `y`, `x`
    // and `out`.
    unsafe {
        binary(
            n,
            (y, x, out),
            kernel,
            (lanes::atan2_fast, float::arctan2_f64),
        )
    }
}

/// `arctan` on one vector: `kernel` with `x = 1` folded in. `n = min(|x|, 1)`, `d =
/// max(|x|, 1)` (two `vrangepd`), `s` as there; beyond 1, `atan|x| = (π/2 - atan c) -
/// atan s`, so the numerator's sign is flipped there and the tables hold `π/2 - atan c`
/// (picked per lane after both lookups): one Fast2Sum and no quadrant fix-up. Lanes outside
/// the fast domain come out as garbage.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
unsafe fn atan_kernel(x: __m512d, t: &AtanTables) -> __m512d {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        let one = set(1.0);
        let sign_bit = _mm512_set1_epi64(i64::MIN);
        let n = _mm512_range_pd::<0b1010>(x, one);
        let d = _mm512_range_pd::<0b1011>(x, one);
        let swap = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(d, one);
        // i, c and the exact n - c·d, d + c·n = dh + dl, s + s_lo as in `kernel`.
        let q = _mm512_mul_pd(n, _mm512_rcp14_pd(d));
        let kd = _mm512_add_pd(_mm512_fmadd_pd(q, set(16.0), set(-1.0 / 16.0)), set(SHIFT));
        let kd = _mm512_min_pd(kd, set(SHIFT + 15.0));
        let idx = _mm512_castpd_si512(kd);
        let c = _mm512_fmadd_pd(kd, set(1.0 / 16.0), set(-SHIFT / 16.0));
        let num = _mm512_fnmadd_pd(c, d, n);
        let num = _mm512_castsi512_pd(_mm512_mask_xor_epi64(
            _mm512_castpd_si512(num),
            swap,
            _mm512_castpd_si512(num),
            sign_bit,
        ));
        let (s, small) = reduced_atan(num, c, n, d);
        // atan c, or π/2 - atan c, as hi + lo; + s as h1 + e1 (Fast2Sum: the table value
        // is at least atan(1/16) > 0.0352 ≥ |s|, or 0 with s = n).
        let ah = _mm512_mask_mov_pd(lookup16(t.hi, idx), swap, lookup16(t.c_hi, idx));
        let al = _mm512_mask_mov_pd(lookup16(t.lo, idx), swap, lookup16(t.c_lo, idx));
        let h1 = _mm512_add_pd(ah, s);
        let e1 = _mm512_add_pd(_mm512_sub_pd(ah, h1), s);
        let r = _mm512_add_pd(h1, _mm512_add_pd(_mm512_add_pd(e1, al), small));
        // r ≥ 0: the sign of x.
        _mm512_castsi512_pd(_mm512_ternarylogic_epi64::<0xf8>(
            _mm512_castpd_si512(r),
            _mm512_castpd_si512(x),
            sign_bit,
        ))
    }
}

/// `arctan`'s four tables as `vpermt2pd` register pairs: `atan(i/16)` and `π/2 - atan(i/16)`,
/// each as hi and lo.
struct AtanTables {
    hi: (__m512d, __m512d),
    lo: (__m512d, __m512d),
    c_hi: (__m512d, __m512d),
    c_lo: (__m512d, __m512d),
}

/// The fast domain of `arctan` here: `arctan2(x, 1)`'s, |x| in [2^-510, 2^510] (smaller
/// and larger arguments, infinities and NaN are libm's).
fn atan_fast(x: f64) -> bool {
    lanes::atan2_fast(x, 1.0)
}

/// `arctan` on `n` float64s (the module contract): [`atan_kernel`], `arctan2(x, 1)` without
/// its generality or its division.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s.
#[target_feature(enable = "avx512f,avx512dq")]
pub(crate) unsafe extern "C" fn atan_f64(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller guarantees the CPU features.
    let tables = unsafe {
        AtanTables {
            hi: table16(&ATAN_HI),
            lo: table16(&ATAN_LO),
            c_hi: table16(&ATAN_C_HI),
            c_lo: table16(&ATAN_C_LO),
        }
    };
    // SAFETY: the caller guarantees the CPU features.
    let kernel = |v| unsafe { atan_kernel(v, &tables) };
    // Safe intrinsics: a closure inherits the target features of its function.
    let fast2 = |v: __m512d, w: __m512d| {
        // The smaller and larger magnitudes of both; NaN lanes masked off as in `kernel`.
        let small = _mm512_range_pd::<0b1010>(v, w);
        let big = _mm512_range_pd::<0b1011>(v, w);
        let ordered = _mm512_cmp_pd_mask::<_CMP_ORD_Q>(v, w);
        _mm512_mask_cmp_pd_mask::<_CMP_LE_OQ>(
            _mm512_mask_cmp_pd_mask::<_CMP_GE_OQ>(ordered, small, _mm512_set1_pd(MIN)),
            big,
            _mm512_set1_pd(MAX),
        )
    };
    // SAFETY: the caller guarantees the CPU features and `n` valid elements at `x` and
    // `out`.
    unsafe {
        unary(
            n,
            x,
            out,
            1.0,
            kernel,
            fast2,
            (atan_fast, float::arctan_f64),
        )
    }
}

/// `atan(num / (d + c·n))` for the reduced argument `s = num / (d + c·n)` (|s| ≤ 0.0352),
/// as `s` and the rest `small`, of which only `s` is above `s`'s last place: shared by
/// `arctan2` and `arctan`.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
unsafe fn reduced_atan(num: __m512d, c: __m512d, n: __m512d, d: __m512d) -> (__m512d, __m512d) {
    // SAFETY: register arithmetic only; the caller guarantees the CPU features.
    unsafe {
        let set = _mm512_set1_pd;
        // d + c·n = dh + dl exactly: d - dh is exact (dh is in [d, 2d]), and so is the
        // rounding error's sum with c·n (a few bits below dh's last place).
        let dh = _mm512_fmadd_pd(c, n, d);
        let dl = _mm512_fmadd_pd(c, n, _mm512_sub_pd(d, dh));
        // s + s_lo = num / (dh + dl): the remainder of the rounded quotient is exact.
        let s = _mm512_div_pd(num, dh);
        let rem = _mm512_fnmadd_pd(s, dl, _mm512_fnmadd_pd(s, dh, num));
        let s_lo = _mm512_mul_pd(rem, _mm512_rcp14_pd(dh));
        let z = _mm512_mul_pd(s, s);
        let p = _mm512_fmadd_pd(z, set(ATAN_POLY[3]), set(ATAN_POLY[2]));
        let p = _mm512_fmadd_pd(z, p, set(ATAN_POLY[1]));
        let p = _mm512_fmadd_pd(z, p, set(ATAN_POLY[0]));
        (s, _mm512_fmadd_pd(_mm512_mul_pd(s, z), p, s_lo))
    }
}
