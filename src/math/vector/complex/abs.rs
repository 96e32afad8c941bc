//! `abs(z)`: `sqrt(re² + im²)` in the part type where neither square can overflow or
//! lose precision to underflow, else the interpreter's function (NumPy's overflow-safe loop, infinity before
//! NaN).

use super::{complex_unary, Part, Planes, BLOCK};
use crate::math::vector::Aligned;

/// Measured bound (see the tests) against libm's `hypot`, the correctly rounded value to
/// within its own error: at most 1 ULP. (The interpreter's formula, NumPy's
/// `max * sqrt(1 + (min/max)²)`, is itself about 1 ULP from it, which the differential
/// tests' extra ULP covers.)
pub(super) const ABS_ULPS: u32 = 1;

/// Where the larger part's square is far from overflow and underflow in `T`, so that
/// `re² + im²` loses nothing the result can show.
#[inline(always)]
fn fast<T: Part>(re: T, im: T) -> bool {
    let m = re.abs().widen().max(im.abs().widen());
    if size_of::<T>() == 4 {
        (F32_LO..=F32_HI).contains(&m)
    } else {
        (super::SAFE_LO..=super::SAFE_HI).contains(&m)
    }
}

/// `2^-60` and `2^60`, the safe range of [`super::SAFE_LO`] for `f32` parts.
const F32_LO: f64 = f64::from_bits((1023 - 60) << 52);
/// See [`F32_LO`].
const F32_HI: f64 = f64::from_bits((1023 + 60) << 52);

/// `sqrt(re² + im²)` in the part type (16 `f32` lanes to an AVX-512 vector), with one
/// fused rounding of the sum where the target has FMA.
#[inline(always)]
fn lane<T: Part, const F: bool>(re: T, im: T) -> T {
    let s = if F {
        re.mul_add(re, im * im)
    } else {
        re * re + im * im
    };
    s.sqrt()
}

/// The kernel: `n` complex elements at `x` to `n` parts at `out`.
///
/// # Safety
/// `x` is valid for `n` complex elements of part type `T`, `out` for `n` elements of `T`;
/// `out` is `x` or apart from it.
#[inline(always)]
unsafe fn abs<T: Part, const F: bool>(n: usize, x: *const u8, out: *mut u8) {
    crate::math::vector::align_frame();
    let (x, out) = (x as *const T, out as *mut T);
    let mut z = Planes::<T>::new();
    let mut r = Aligned([T::ZERO; BLOCK]);
    let r = &mut r.0;
    let mut i = 0;
    while i < n {
        let m = (n - i).min(BLOCK);
        // SAFETY: i + m <= n.
        unsafe { z.load(x.add(2 * i), m) };
        let mut all_fast = true;
        for (j, v) in r.iter_mut().enumerate() {
            let (re, im) = (z.re[j], z.im[j]);
            *v = lane::<T, F>(re, im);
            all_fast &= fast::<T>(re, im);
        }
        if !all_fast {
            for (j, v) in r.iter_mut().enumerate().take(m) {
                if !fast::<T>(z.re[j], z.im[j]) {
                    *v = T::scalar_abs(z.re[j], z.im[j]);
                }
            }
        }
        for (j, &v) in r.iter().enumerate().take(m) {
            // SAFETY: i + j < n; the block was read in full before this write.
            unsafe { out.add(i + j).write_unaligned(v) };
        }
        i += m;
    }
}

/// The interpreter's `abs` on every element.
///
/// # Safety
/// As [`abs`].
#[inline(always)]
unsafe fn abs_libm<T: Part>(n: usize, x: *const u8, out: *mut u8) {
    let (x, out) = (x as *const T, out as *mut T);
    for i in 0..n {
        // SAFETY: i < n; the element is read before its part is written.
        unsafe {
            let v = T::scalar_abs(
                x.add(2 * i).read_unaligned(),
                x.add(2 * i + 1).read_unaligned(),
            );
            out.add(i).write_unaligned(v);
        }
    }
}

complex_unary!(ABS_C128, f64, abs, abs_libm::<f64>);
complex_unary!(ABS_C64, f32, abs, abs_libm::<f32>);
