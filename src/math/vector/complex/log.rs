//! `log(z) = (log |z|, atan2(im, re))` by the float64 vector kernels of `log`, `log1p` and
//! `arctan2` (through their registry entries). Near the unit circle `log |z|` is
//! `log1p(re² + im² - 1) / 2` with the argument summed exactly from fused products (as
//! glibc's `clog` does), elsewhere `log(re² + im²) / 2`; every other element (zeros,
//! infinities, NaN, extreme or almost unit magnitudes) is the interpreter's (`clog`).

use super::super::driver::two_sum;
use super::{complex_unary, each, Part, Planes, BLOCK, SAFE_HI, SAFE_LO};
use crate::ir::{BinaryOp, UnaryOp};
use crate::math::vector::Aligned;
use crate::math::vector::{self, BinaryKernel, UnaryKernel, VectorFn};
use crate::types::DType;

/// The bound per part against glibc's `clog` (the tests measure it): the real part's
/// squared magnitude is within an ULP, which `log` of a value at least `ln 2` away from
/// 0 keeps below 1.5 ULPs, plus the kernels' own bounds and the halving.
pub(super) fn log_ulps() -> u32 {
    let ulps = |e: Option<vector::VectorEntry>| e.map_or(0, |e| e.ulps);
    let re = ulps(vector::unary(UnaryOp::Log, DType::F64))
        .max(ulps(vector::unary(UnaryOp::Log1p, DType::F64)));
    (re + 2).max(ulps(vector::binary(BinaryOp::Arctan2, DType::F64)))
}

/// `|re² + im² - 1|` below this takes the scalar path: the exact sum would still be
/// right, but its relative error grows as it shrinks.
const NEAR_ONE: f64 = 1.0 / (1u64 << 40) as f64;

/// Per element: `(re² + im², re² + im² - 1)`, the second exact to about 2^-104 where the
/// products are fused (`F`, or `complex64` parts, whose squares are exact in `f64`).
#[inline(always)]
fn squares<const F: bool>(x: f64, y: f64) -> (f64, f64) {
    let (hx, hy) = (x * x, y * y);
    let (lx, ly) = if F {
        (x.mul_add(x, -hx), y.mul_add(y, -hy))
    } else {
        (0.0, 0.0)
    };
    let s = if F { x.mul_add(x, hy) } else { hx + hy };
    let (a, ea) = two_sum(hx, -1.0);
    let (b, eb) = two_sum(a, hy);
    (s, b + (ea + eb + lx + ly))
}

/// Whether `re² + im²` (`s`) is near 1, where `log1p` of the exact difference is used.
#[inline(always)]
fn near(s: f64) -> bool {
    s > 0.5 && s < 2.0
}

/// Where the fast path holds: squares far from overflow and underflow, and near the unit
/// circle an exact difference (FMA, or `complex64`) not too close to 0.
#[inline(always)]
fn fast<T: Part, const F: bool>(x: f64, y: f64, s: f64, d: f64) -> bool {
    let m = x.abs().max(y.abs());
    let exact = F || size_of::<T>() == 4;
    (SAFE_LO..=SAFE_HI).contains(&m) && (!near(s) || (exact && d.abs() >= NEAR_ONE))
}

fn unary_kernel(op: UnaryOp) -> Option<UnaryKernel> {
    match vector::unary(op, DType::F64)?.func {
        VectorFn::Unary(k) => Some(k),
        VectorFn::Binary(_) => None,
    }
}

fn atan2_kernel() -> Option<BinaryKernel> {
    match vector::binary(BinaryOp::Arctan2, DType::F64)?.func {
        VectorFn::Binary(k) => Some(k),
        VectorFn::Unary(_) => None,
    }
}

/// The kernel.
///
/// # Safety
/// `x` and `out` are valid for `n` complex elements of part type `T`; `out` is `x` or
/// apart from it.
#[inline(always)]
unsafe fn log<T: Part, const F: bool>(n: usize, x: *const u8, out: *mut u8) {
    let (Some(k_log), Some(k_log1p), Some(k_atan2)) = (
        unary_kernel(UnaryOp::Log),
        unary_kernel(UnaryOp::Log1p),
        atan2_kernel(),
    ) else {
        // SAFETY: the caller keeps the contract.
        return unsafe { each::<T>(n, x, out, T::scalar_log) };
    };
    let (x, out) = (x as *const T, out as *mut T);
    crate::math::vector::align_frame();
    let (mut z, mut r) = (Planes::<T>::new(), Planes::<T>::new());
    let (mut re, mut im) = (Aligned([1.0f64; BLOCK]), Aligned([1.0f64; BLOCK]));
    let (re, im) = (&mut re.0, &mut im.0);
    let (mut s, mut d) = (Aligned([2.0f64; BLOCK]), Aligned([1.0f64; BLOCK]));
    let (s, d) = (&mut s.0, &mut d.0);
    let (mut ls, mut ld, mut arg) = (
        Aligned([0.0f64; BLOCK]),
        Aligned([0.0f64; BLOCK]),
        Aligned([0.0f64; BLOCK]),
    );
    let (ls, ld, arg) = (&mut ls.0, &mut ld.0, &mut arg.0);
    let mut i = 0;
    while i < n {
        let m = (n - i).min(BLOCK);
        // SAFETY: i + m <= n.
        unsafe { z.load(x.add(2 * i), m) };
        for j in 0..BLOCK {
            (re[j], im[j]) = (z.re[j].widen(), z.im[j].widen());
            (s[j], d[j]) = squares::<F>(re[j], im[j]);
        }
        // SAFETY: every plane holds BLOCK f64 values; the kernels write separate arrays.
        unsafe {
            k_log(BLOCK, s.as_ptr().cast(), ls.as_mut_ptr().cast());
            k_log1p(BLOCK, d.as_ptr().cast(), ld.as_mut_ptr().cast());
            k_atan2(
                BLOCK,
                im.as_ptr().cast(),
                re.as_ptr().cast(),
                arg.as_mut_ptr().cast(),
            );
        }
        let mut all_fast = true;
        for j in 0..BLOCK {
            let l = if near(s[j]) { ld[j] } else { ls[j] };
            (r.re[j], r.im[j]) = (T::narrow(0.5 * l), T::narrow(arg[j]));
            all_fast &= fast::<T, F>(re[j], im[j], s[j], d[j]);
        }
        if !all_fast {
            r.refix(
                &z,
                m,
                |j| fast::<T, F>(re[j], im[j], s[j], d[j]),
                T::scalar_log,
            );
        }
        // SAFETY: as above; the block was read in full before this write.
        unsafe { r.store(out.add(2 * i), m) };
        i += m;
    }
}

/// `clog` on every element.
///
/// # Safety
/// As [`log`].
#[inline(always)]
unsafe fn log_libm<T: Part>(n: usize, x: *const u8, out: *mut u8) {
    // SAFETY: the caller keeps the contract.
    unsafe { each::<T>(n, x, out, T::scalar_log) }
}

complex_unary!(LOG_C128, f64, log, log_libm::<f64>);
complex_unary!(LOG_C64, f32, log, log_libm::<f32>);
