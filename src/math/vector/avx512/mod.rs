//! Hand-written AVX-512 kernels for the functions where LLVM's vectorisation of the portable
//! lane code falls short of NumPy's SIMD loops: their small tables live in zmm registers
//! (`vpermt2pd` lookups instead of gathers), and `exp` scales by `vscalefpd`. They fill the
//! AVX-512 slot of their [`super::driver::Unary`] and keep the module contract: a result
//! depends on its element's value only, and elements outside the fast domain are
//! recomputed by the scalar libm function.
//!
//! `exp`, `expm1`, `log`, `log1p`, `log2`, `log10`, `sin`, `cos`, `tan`, `arctan`, `arcsin`,
//! `arccos`, `tanh`, `sinh` and `cosh` run in [`unary`]'s loop, `arctan2` in [`binary`]'s.
//! `log`, `log2`, `log10`, `sin`, `cos`, `tan`, `arcsin`, `arccos` and `tanh` also have a
//! *one-vector* entry ([`OneVector`], through [`one`]): the same lane code on one zmm
//! register, which the wide code generator calls from inside its fused loop (see
//! [`one_vector`]).
//!
//! Every function here requires AVX-512F and AVX-512DQ, which [`super::level`] checks
//! before it picks an AVX-512 kernel (and the tests before they call one).

pub(super) mod asin;
pub(super) mod atan;
pub(super) mod exp;
pub(super) mod expm1;
pub(super) mod hyperbolic;
pub(super) mod log;
pub(super) mod log1p;
pub(super) mod log2;
mod tables;
pub(super) mod tan;
pub(super) mod trig;

use crate::ir::UnaryOp;
use std::arch::x86_64::*;

/// A function of eight `float64` lanes, System V style: the operand in zmm0, the result in
/// zmm0, every vector and mask register and the caller-saved general registers clobbered.
/// The wide code generator calls these from its loops, so that a transcendental's lanes
/// are computed between the arithmetic around it rather than block by block.
#[allow(improper_ctypes_definitions)] // `__m512d` is passed in zmm0: the callee enables AVX-512F.
pub(crate) type OneVector = unsafe extern "C" fn(__m512d) -> __m512d;

/// The one-vector entry of `op` on `float64`, where it has one (the caller checks that the
/// CPU has AVX-512F and AVX-512DQ, as for every function here). `exp` and `expm1` have
/// none: their kernels are the shortest, and the saves around each call cost them more
/// than the phases do (one Zen 4 core, 1e4 elements: `exp(-a*b)` 0.87-0.90 ns per element
/// against 0.85-0.87 in phases, `expm1(a) * b` 1.04 against 0.96). Nor do `log1p` and
/// `arctan`, whose calls measured slower as well (`log1p(a) * b` 1.22 against 1.20,
/// `arctan(a) * b + 1` 1.37 against 1.34), where `log2` and `log10` gain (`log2(a) + b*b`
/// 0.98 against 1.03, `log10(a) - b` 0.99 against 1.01).
pub(crate) fn one_vector(op: UnaryOp) -> Option<OneVector> {
    Some(match op {
        UnaryOp::Log => log::log_one,
        UnaryOp::Log2 => log2::log2_one,
        UnaryOp::Log10 => log2::log10_one,
        UnaryOp::Sin => trig::sin_one,
        UnaryOp::Cos => trig::cos_one,
        UnaryOp::Tanh => hyperbolic::tanh_one,
        UnaryOp::Tan => tan::tan_one,
        UnaryOp::Arcsin => asin::asin_one,
        UnaryOp::Arccos => asin::acos_one,
        _ => return None,
    })
}

/// `kernel` on the one vector `x`, its lanes outside the fast domain (`fast2(x, x)`)
/// recomputed by `slow`: [`unary`] for a single vector, for the one-vector entries.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ.
#[inline(always)]
pub(super) unsafe fn one(
    x: __m512d,
    kernel: impl Fn(__m512d) -> __m512d,
    fast2: impl Fn(__m512d, __m512d) -> __mmask8,
    (fast, slow): (fn(f64) -> bool, extern "C" fn(f64) -> f64),
) -> __m512d {
    let r = kernel(x);
    if fast2(x, x) == 0xff {
        return r;
    }
    let mut lanes = super::Aligned([0.0f64; 8]);
    let dst = lanes.0.as_mut_ptr();
    // SAFETY: `lanes` holds the 8 elements stored, redone and loaded back; the caller
    // guarantees the CPU features.
    unsafe {
        _mm512_store_pd(dst, r);
        redo(x, dst, 8, fast, slow);
        _mm512_load_pd(dst)
    }
}

/// Sixteen, then eight lanes at a time: the whole vectors straight from `x` to `out`, then
/// the tail (fewer than eight) by masked loads and stores, its missing lanes filled with
/// `pad`, a value in the fast domain. `fast2(v, w)` has a lane's bit set where that lane of
/// both `v` and `w` is in the fast domain (one test for two vectors where the domain
/// allows); when a bit is clear, the lanes that the scalar test `fast` rejects are
/// recomputed by `slow`
/// after the vectors' results are stored. `out == x` is safe because vectors are read
/// completely (and kept) before anything of them is written.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `x` and `out` are valid for `n` `f64`s (the module
/// contract).
#[inline(always)]
pub(super) unsafe fn unary(
    n: usize,
    x: *const u8,
    out: *mut u8,
    pad: f64,
    kernel: impl Fn(__m512d) -> __m512d,
    fast2: impl Fn(__m512d, __m512d) -> __mmask8,
    (fast, slow): (fn(f64) -> bool, extern "C" fn(f64) -> f64),
) {
    super::align_frame();
    let (x, out) = (x as *const f64, out as *mut f64);
    let mut i = 0;
    // Two vectors an iteration: one test of both, less loop overhead on the ports the
    // vector code needs.
    while i + 16 <= n {
        // SAFETY: i + 16 <= n elements are readable and writable; the caller guarantees
        // the CPU features.
        unsafe {
            let (v, w) = (_mm512_loadu_pd(x.add(i)), _mm512_loadu_pd(x.add(i + 8)));
            _mm512_storeu_pd(out.add(i), kernel(v));
            _mm512_storeu_pd(out.add(i + 8), kernel(w));
            if fast2(v, w) != 0xff {
                redo(v, out.add(i), 8, fast, slow);
                redo(w, out.add(i + 8), 8, fast, slow);
            }
        }
        i += 16;
    }
    if i + 8 <= n {
        // SAFETY: i + 8 <= n elements are readable and writable; the caller guarantees
        // the CPU features.
        unsafe {
            let v = _mm512_loadu_pd(x.add(i));
            _mm512_storeu_pd(out.add(i), kernel(v));
            if fast2(v, v) != 0xff {
                redo(v, out.add(i), 8, fast, slow);
            }
        }
        i += 8;
    }
    if i < n {
        let m = n - i;
        let live: __mmask8 = (1u8 << m) - 1;
        // SAFETY: the masked load and store touch only the m = n - i < 8 elements left
        // (masked-off lanes are neither read nor written, and cannot fault).
        unsafe {
            let v = _mm512_mask_loadu_pd(_mm512_set1_pd(pad), live, x.add(i));
            _mm512_mask_storeu_pd(out.add(i), live, kernel(v));
            if fast2(v, v) & live != live {
                redo(v, out.add(i), m, fast, slow);
            }
        }
    }
}

/// A binary function's scalar fast-domain test and the libm function for the rest.
type Fallback2 = (fn(f64, f64) -> bool, extern "C" fn(f64, f64) -> f64);

/// As [`unary`] for two operands `(a, b, out)`: `kernel` returns each vector's results
/// with the mask of its lanes in the fast domain (the test shares the kernel's work), and
/// the tail is padded with 1.0 in both operands (in every binary fast domain). `out` may
/// be `a` or `b`.
///
/// # Safety
/// The CPU has AVX-512F and AVX-512DQ; `a`, `b` and `out` are valid for `n` `f64`s.
#[inline(always)]
pub(super) unsafe fn binary(
    n: usize,
    (a, b, out): (*const u8, *const u8, *mut u8),
    kernel: impl Fn(__m512d, __m512d) -> (__m512d, __mmask8),
    (fast, slow): Fallback2,
) {
    super::align_frame();
    let (a, b, out) = (a as *const f64, b as *const f64, out as *mut f64);
    let mut i = 0;
    while i + 16 <= n {
        // SAFETY: i + 16 <= n elements are readable and writable; the caller guarantees
        // the CPU features.
        unsafe {
            let (u, v) = (_mm512_loadu_pd(a.add(i)), _mm512_loadu_pd(b.add(i)));
            let (w, x) = (_mm512_loadu_pd(a.add(i + 8)), _mm512_loadu_pd(b.add(i + 8)));
            let (r, m) = kernel(u, v);
            let (s, k) = kernel(w, x);
            _mm512_storeu_pd(out.add(i), r);
            _mm512_storeu_pd(out.add(i + 8), s);
            if m & k != 0xff {
                redo2((u, v), out.add(i), 8, fast, slow);
                redo2((w, x), out.add(i + 8), 8, fast, slow);
            }
        }
        i += 16;
    }
    while i < n {
        let m = (n - i).min(8);
        let live: __mmask8 = ((1u16 << m) - 1) as u8;
        // SAFETY: the masked loads and stores touch only the m <= n - i elements left
        // (masked-off lanes are neither read nor written, and cannot fault).
        unsafe {
            let one = _mm512_set1_pd(1.0);
            let u = _mm512_mask_loadu_pd(one, live, a.add(i));
            let v = _mm512_mask_loadu_pd(one, live, b.add(i));
            let (r, k) = kernel(u, v);
            _mm512_mask_storeu_pd(out.add(i), live, r);
            if k & live != live {
                redo2((u, v), out.add(i), m, fast, slow);
            }
        }
        i += m;
    }
}

/// As [`redo`], for two operands.
///
/// # Safety
/// `dst` is valid for `m ≤ 8` `f64`s; the CPU has AVX-512F.
#[cold]
#[inline(never)]
#[target_feature(enable = "avx512f")]
unsafe fn redo2(
    (u, v): (__m512d, __m512d),
    dst: *mut f64,
    m: usize,
    fast: fn(f64, f64) -> bool,
    slow: extern "C" fn(f64, f64) -> f64,
) {
    let (mut us, mut vs) = ([0.0f64; 8], [0.0f64; 8]);
    // SAFETY: `us` and `vs` hold 8 elements.
    unsafe {
        _mm512_storeu_pd(us.as_mut_ptr(), u);
        _mm512_storeu_pd(vs.as_mut_ptr(), v);
    }
    for l in 0..m {
        if !fast(us[l], vs[l]) {
            // SAFETY: l < m, within `dst`.
            unsafe { dst.add(l).write_unaligned(slow(us[l], vs[l])) };
        }
    }
}

/// Recomputes by `slow` the first `m` lanes of `v` that `fast` rejects, into `dst`. Out of
/// line: the path where whole vectors are in the fast domain stays free of calls.
///
/// # Safety
/// `dst` is valid for `m ≤ 8` `f64`s; the CPU has AVX-512F.
#[cold]
#[inline(never)]
#[target_feature(enable = "avx512f")]
unsafe fn redo(
    v: __m512d,
    dst: *mut f64,
    m: usize,
    fast: fn(f64) -> bool,
    slow: extern "C" fn(f64) -> f64,
) {
    let mut xs = [0.0f64; 8];
    // SAFETY: `xs` holds 8 elements.
    unsafe { _mm512_storeu_pd(xs.as_mut_ptr(), v) };
    for (l, &x) in xs.iter().enumerate().take(m) {
        if !fast(x) {
            // SAFETY: l < m, within `dst`.
            unsafe { dst.add(l).write_unaligned(slow(x)) };
        }
    }
}

/// Loads a 16-entry table as the two zmm registers `vpermt2pd` selects from.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
unsafe fn table16(t: &[f64; 16]) -> (__m512d, __m512d) {
    // SAFETY: `t` holds 16 elements; the caller guarantees the CPU features.
    unsafe {
        (
            _mm512_loadu_pd(t.as_ptr()),
            _mm512_loadu_pd(t.as_ptr().add(8)),
        )
    }
}

/// `t[idx & 15]` per lane, from a table loaded by [`table16`]: `vpermt2pd` reads only the
/// low four bits of each index lane.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
unsafe fn lookup16(t: (__m512d, __m512d), idx: __m512i) -> __m512d {
    // SAFETY: the caller guarantees the CPU features.
    unsafe { _mm512_permutex2var_pd(t.0, idx, t.1) }
}
