//! `sqrt(z)`: glibc's `csqrt` formulas without its scaling, where the parts are moderate
//! and not both zero; every other element is the interpreter's (`csqrt`).

use super::{complex_unary, each, Part, Planes};

/// Measured bound (see the tests) against glibc's `csqrt`, per part: at most 2 ULPs.
pub(super) const SQRT_ULPS: u32 = 2;

/// Not both zero, and the larger part far from overflow and underflow. `complex64`
/// parts, widened, only need to be finite.
#[inline(always)]
fn fast<T: Part>(re: f64, im: f64) -> bool {
    let m = re.abs().max(im.abs());
    if size_of::<T>() == 4 {
        m > 0.0 && m < f64::INFINITY
    } else {
        (super::SAFE_LO..=super::SAFE_HI).contains(&m)
    }
}

/// With `d = |z|` and `t = sqrt((d + |re|) / 2)`: `(t, im / 2t)` for `re > 0`, else
/// `(|im| / 2t, ±t)` with the sign of `im` (glibc's two branches; its separate `re == 0`
/// and `im == 0` cases agree with these to within the bound).
#[inline(always)]
fn lane<const F: bool>(re: f64, im: f64) -> (f64, f64) {
    let s = if F {
        re.mul_add(re, im * im)
    } else {
        re * re + im * im
    };
    let t = (0.5 * (s.sqrt() + re.abs())).sqrt();
    let h = 0.5 * (im / t);
    if re > 0.0 {
        (t, h)
    } else {
        (h.abs(), t.copysign(im))
    }
}

/// The kernel.
///
/// # Safety
/// `x` and `out` are valid for `n` complex elements of part type `T`; `out` is `x` or
/// apart from it.
#[inline(always)]
unsafe fn sqrt<T: Part, const F: bool>(n: usize, x: *const u8, out: *mut u8) {
    let (x, out) = (x as *const T, out as *mut T);
    crate::math::vector::align_frame();
    let (mut z, mut r) = (Planes::<T>::new(), Planes::<T>::new());
    let mut i = 0;
    while i < n {
        let m = (n - i).min(super::BLOCK);
        // SAFETY: i + m <= n.
        unsafe { z.load(x.add(2 * i), m) };
        let mut all_fast = true;
        for j in 0..super::BLOCK {
            let (re, im) = (z.re[j].widen(), z.im[j].widen());
            let (a, b) = lane::<F>(re, im);
            (r.re[j], r.im[j]) = (T::narrow(a), T::narrow(b));
            all_fast &= fast::<T>(re, im);
        }
        if !all_fast {
            r.refix(
                &z,
                m,
                |j| fast::<T>(z.re[j].widen(), z.im[j].widen()),
                T::scalar_sqrt,
            );
        }
        // SAFETY: as above; the block was read in full before this write.
        unsafe { r.store(out.add(2 * i), m) };
        i += m;
    }
}

/// `csqrt` on every element.
///
/// # Safety
/// As [`sqrt`].
#[inline(always)]
unsafe fn sqrt_libm<T: Part>(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller keeps the contract.
    unsafe { each::<T>(n, x, out, T::scalar_sqrt) }
}

complex_unary!(SQRT_C128, f64, sqrt, sqrt_libm::<f64>);
complex_unary!(SQRT_C64, f32, sqrt, sqrt_libm::<f32>);
