//! `exp(z) = exp(re) · (cos im, sin im)` by the float64 vector kernels of `exp`, `sin`
//! and `cos` (through their registry entries), where glibc's `cexp` computes that same
//! product; every other element is the interpreter's (`cexp`).

use super::{complex_unary, each, Part, Planes, BLOCK};
use crate::ir::UnaryOp;
use crate::math::vector::Aligned;
use crate::math::vector::{self, UnaryKernel, VectorFn};
use crate::types::DType;

/// The bound per part against glibc's `cexp`: the `exp` and `sin`/`cos` kernels' bounds
/// plus one for the product's rounding (the tests measure it).
pub(super) fn exp_ulps() -> u32 {
    let ulps = |op| vector::unary(op, DType::F64).map_or(0, |e| e.ulps);
    ulps(UnaryOp::Exp) + ulps(UnaryOp::Sin).max(ulps(UnaryOp::Cos)) + 1
}

/// The float64 kernel of `op` for this process (`exp`, `sin` and `cos` always have one).
fn kernel(op: UnaryOp) -> Option<UnaryKernel> {
    match vector::unary(op, DType::F64)?.func {
        VectorFn::Unary(k) => Some(k),
        VectorFn::Binary(_) => None,
    }
}

/// Where `cexp` is `exp(re) · (cos im, sin im)` with an `exp` that neither overflows nor
/// underflows: a moderate real part and a finite imaginary one.
#[inline(always)]
fn fast<T: Part>(re: f64, im: f64) -> bool {
    let limit = if size_of::<T>() == 4 { 88.0 } else { 708.0 };
    re.abs() < limit && im.abs() < f64::INFINITY
}

/// The kernel.
///
/// # Safety
/// `x` and `out` are valid for `n` complex elements of part type `T`; `out` is `x` or
/// apart from it.
#[inline(always)]
unsafe fn exp<T: Part, const F: bool>(n: usize, x: *const u8, out: *mut u8) {
    let (Some(k_exp), Some(k_sin), Some(k_cos)) = (
        kernel(UnaryOp::Exp),
        kernel(UnaryOp::Sin),
        kernel(UnaryOp::Cos),
    ) else {
        // SAFETY: the caller keeps the contract.
        return unsafe { each::<T>(n, x, out, T::scalar_exp) };
    };
    let (x, out) = (x as *const T, out as *mut T);
    crate::math::vector::align_frame();
    let (mut z, mut r) = (Planes::<T>::new(), Planes::<T>::new());
    let (mut re, mut im) = (Aligned([1.0f64; BLOCK]), Aligned([1.0f64; BLOCK]));
    let (re, im) = (&mut re.0, &mut im.0);
    let (mut e, mut s, mut c) = (
        Aligned([0.0f64; BLOCK]),
        Aligned([0.0f64; BLOCK]),
        Aligned([0.0f64; BLOCK]),
    );
    let (e, s, c) = (&mut e.0, &mut s.0, &mut c.0);
    let mut i = 0;
    while i < n {
        let m = (n - i).min(BLOCK);
        // SAFETY: i + m <= n.
        unsafe { z.load(x.add(2 * i), m) };
        for j in 0..BLOCK {
            (re[j], im[j]) = (z.re[j].widen(), z.im[j].widen());
        }
        // SAFETY: each plane holds BLOCK f64 values; the kernels read `re`/`im` and write
        // separate arrays.
        unsafe {
            k_exp(BLOCK, re.as_ptr().cast(), e.as_mut_ptr().cast());
            k_sin(BLOCK, im.as_ptr().cast(), s.as_mut_ptr().cast());
            k_cos(BLOCK, im.as_ptr().cast(), c.as_mut_ptr().cast());
        }
        let mut all_fast = true;
        for j in 0..BLOCK {
            // As `cexp`: an imaginary part below the smallest normal is its own sine,
            // and its cosine is 1.
            let tiny = z.im[j].abs() <= T::MIN_POSITIVE;
            let (sj, cj) = if tiny { (im[j], 1.0) } else { (s[j], c[j]) };
            (r.re[j], r.im[j]) = (T::narrow(e[j] * cj), T::narrow(e[j] * sj));
            all_fast &= fast::<T>(re[j], im[j]);
        }
        if !all_fast {
            r.refix(&z, m, |j| fast::<T>(re[j], im[j]), T::scalar_exp);
        }
        // SAFETY: as above; the block was read in full before this write.
        unsafe { r.store(out.add(2 * i), m) };
        i += m;
    }
}

/// `cexp` on every element.
///
/// # Safety
/// As [`exp`].
#[inline(always)]
unsafe fn exp_libm<T: Part>(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller keeps the contract.
    unsafe { each::<T>(n, x, out, T::scalar_exp) }
}

complex_unary!(EXP_C128, f64, exp, exp_libm::<f64>);
complex_unary!(EXP_C64, f32, exp, exp_libm::<f32>);
