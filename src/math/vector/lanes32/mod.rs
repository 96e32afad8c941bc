//! `float32` kernels computed in `f32` lanes: 16 per AVX-512 vector, 8 per AVX2 one,
//! twice the lanes of the `float64` kernels that `float32` otherwise runs on widened
//! values.
//!
//! The lane functions here assume FMA (`f32::mul_add` is one instruction in the AVX-512
//! and AVX2 variants); the SSE2 variant (CPUs without FMA) keeps the widened `float64`
//! kernel, so every variant meets the same bound. The block loop is the one of
//! [`super::driver`], in `f32`: elements outside the fast domain are recomputed by the
//! scalar libm function, so special values are libm's and a result depends on its
//! element only.

mod atan;
mod exp;
mod expm1;
mod hyperbolic;
mod log;
mod log1p;
mod log2;
#[cfg(test)]
mod tests;
mod trig;

use super::driver::{Binary, Unary};
use super::Aligned;
use crate::ir::{BinaryOp, UnaryOp};

/// The `float32` kernel for `op` computed in `f32` lanes, if there is one: its name,
/// its bound in ULPs from the correctly rounded result in the fast domain (measured on
/// every float by the exhaustive test), and its variants.
pub(crate) fn unary(op: UnaryOp) -> Option<(&'static str, u32, Unary)> {
    use UnaryOp::*;
    Some(match op {
        Exp => ("exp", 1, exp::EXP),
        Log => ("log", 1, log::LOG),
        Sin => ("sin", 1, trig::SIN),
        Cos => ("cos", 1, trig::COS),
        Tan => ("tan", 1, trig::TAN),
        Expm1 => ("expm1", 2, expm1::EXPM1),
        Log1p => ("log1p", 2, log1p::LOG1P),
        Log2 => ("log2", 1, log2::LOG2),
        Log10 => ("log10", 1, log2::LOG10),
        Arctan => ("arctan", 2, atan::ATAN),
        Arcsin => ("arcsin", 2, atan::ASIN),
        Arccos => ("arccos", 2, atan::ACOS),
        Tanh => ("tanh", 2, hyperbolic::TANH),
        Sinh => ("sinh", 2, hyperbolic::SINH),
        Cosh => ("cosh", 2, hyperbolic::COSH),
        _ => return None,
    })
}

/// As [`unary`], for binary `op`.
pub(crate) fn binary(op: BinaryOp) -> Option<(&'static str, u32, Binary)> {
    Some(match op {
        BinaryOp::Arctan2 => ("arctan2", 2, atan::ATAN2),
        _ => return None,
    })
}

/// Elements per block: a multiple of every vector width, small enough for the stack.
const BLOCK: usize = 128;
/// Lanes computed side by side: two AVX-512 vectors, four AVX2 ones, so that several
/// polynomials are in flight at once.
const GROUP: usize = 32;

/// 1.5·2^23: adding it to |v| < 2^22 rounds `v` to an integer, which then sits in the
/// low mantissa bits.
pub(crate) const SHIFT: f32 = 12_582_912.0;

/// `v` rounded to an integer with the FMA `v·m + SHIFT`, as a float and as an `i32`
/// (from the mantissa bits, without a float→int conversion's saturation code).
#[inline(always)]
pub(crate) fn round_scaled(v: f32, m: f32) -> (f32, i32) {
    let z = v.mul_add(m, SHIFT);
    (
        z - SHIFT,
        (z.to_bits() as i32).wrapping_sub(SHIFT.to_bits() as i32),
    )
}

/// `a + b` as the rounded sum and its exact error (Knuth's TwoSum, any magnitudes).
#[inline(always)]
pub(crate) fn two_sum(a: f32, b: f32) -> (f32, f32) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// Copies `m` `f32`s between buffers that need not be aligned.
///
/// # Safety
/// `src` and `dst` are valid for `m` `f32`s and do not overlap.
#[inline(always)]
unsafe fn copy_bytes(src: *const f32, dst: *mut f32, m: usize) {
    // SAFETY: the caller's promise, in bytes.
    unsafe { std::ptr::copy_nonoverlapping(src.cast::<u8>(), dst.cast::<u8>(), 4 * m) }
}

/// Writes the first `m` results of a block to `out`, which need not be aligned: a
/// whole block as vector stores (a `memcpy` call per block costs as much as a tenth of
/// the arithmetic), a short one by bytes.
///
/// # Safety
/// `out` is valid for `m` `f32`s and does not overlap `rs`.
#[inline(always)]
unsafe fn store(rs: &[f32; BLOCK], out: *mut f32, m: usize) {
    if m == BLOCK {
        for (j, &r) in rs.iter().enumerate() {
            // SAFETY: j < BLOCK = m.
            unsafe { out.add(j).write_unaligned(r) };
        }
    } else {
        // SAFETY: the caller's promise.
        unsafe { copy_bytes(rs.as_ptr(), out, m) };
    }
}

/// The unary block loop in `f32` lanes; `out == x` is safe (each block is read whole
/// before any of it is written).
///
/// # Safety
/// `x` and `out` are valid for `n` `f32`s (see the contract in [`super`]).
#[inline(always)]
pub(crate) unsafe fn unary_blocks(
    n: usize,
    x: *const u8,
    out: *mut u8,
    lane: impl Fn(f32) -> f32,
    fast: impl Fn(f32) -> bool,
    slow: extern "C" fn(f32) -> f32,
) {
    super::align_frame();
    let (x, out) = (x as *const f32, out as *mut f32);
    let mut i = 0;
    while i < n {
        let m = (n - i).min(BLOCK);
        // A short block is padded (1.0 is in every fast domain) so that the vector loop
        // below never varies in length.
        let mut pad = Aligned([1.0f32; BLOCK]);
        let pad = &mut pad.0;
        let src = if m == BLOCK {
            // SAFETY: i + BLOCK <= n.
            unsafe { x.add(i) }
        } else {
            for (j, v) in pad.iter_mut().enumerate().take(m) {
                // SAFETY: i + j < n.
                *v = unsafe { x.add(i + j).read_unaligned() };
            }
            pad.as_ptr()
        };
        let mut rs = Aligned([0.0f32; BLOCK]);
        let rs = &mut rs.0;
        let mut all_fast = true;
        for g in (0..BLOCK).step_by(GROUP) {
            for l in 0..GROUP {
                // SAFETY: `src` holds BLOCK elements.
                let v = unsafe { src.add(g + l).read_unaligned() };
                rs[g + l] = lane(v);
                all_fast &= fast(v);
            }
        }
        if !all_fast {
            for (j, r) in rs.iter_mut().enumerate().take(m) {
                // SAFETY: as above; nothing of this block is written yet.
                let v = unsafe { src.add(j).read_unaligned() };
                if !fast(v) {
                    *r = slow(v);
                }
            }
        }
        // SAFETY: i + m <= n; `rs` is a separate buffer, so `out == x` is fine.
        unsafe { store(rs, out.add(i), m) };
        i += m;
    }
}

/// The binary block loop in `f32` lanes; as [`unary_blocks`], `out` may be `x` or `y`.
///
/// # Safety
/// `x`, `y` and `out` are valid for `n` `f32`s.
#[inline(always)]
pub(crate) unsafe fn binary_blocks(
    n: usize,
    x: *const u8,
    y: *const u8,
    out: *mut u8,
    lane: impl Fn(f32, f32) -> f32,
    fast: impl Fn(f32, f32) -> bool,
    slow: extern "C" fn(f32, f32) -> f32,
) {
    super::align_frame();
    let (x, y, out) = (x as *const f32, y as *const f32, out as *mut f32);
    let mut i = 0;
    while i < n {
        let m = (n - i).min(BLOCK);
        let (mut xs, mut ys) = (Aligned([1.0f32; BLOCK]), Aligned([1.0f32; BLOCK]));
        let (xs, ys) = (&mut xs.0, &mut ys.0);
        if m == BLOCK {
            for j in 0..BLOCK {
                // SAFETY: i + j < n.
                unsafe {
                    xs[j] = x.add(i + j).read_unaligned();
                    ys[j] = y.add(i + j).read_unaligned();
                }
            }
        } else {
            // SAFETY: i + m <= n; the scratch arrays hold BLOCK >= m.
            unsafe {
                copy_bytes(x.add(i), xs.as_mut_ptr(), m);
                copy_bytes(y.add(i), ys.as_mut_ptr(), m);
            }
        }
        let mut rs = Aligned([0.0f32; BLOCK]);
        let rs = &mut rs.0;
        let mut all_fast = true;
        for j in 0..BLOCK {
            rs[j] = lane(xs[j], ys[j]);
            all_fast &= fast(xs[j], ys[j]);
        }
        if !all_fast {
            for j in 0..m {
                if !fast(xs[j], ys[j]) {
                    rs[j] = slow(xs[j], ys[j]);
                }
            }
        }
        // SAFETY: i + m <= n; `rs` is a separate buffer.
        unsafe { store(rs, out.add(i), m) };
        i += m;
    }
}

/// Defines `const $name: Unary` for `float32`: `$lane` in `f32` lanes on AVX-512 and
/// AVX2 (with `$fast` and the libm `$slow` for the rest), and `$widened`'s SSE2 and libm
/// variants (the `float64` lane code on widened values).
macro_rules! unary_kernel_f32 {
    ($name:ident, $lane:path, $fast:path, $slow:path, $widened:expr) => {
        pub(crate) const $name: $crate::math::vector::driver::Unary = {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
            unsafe extern "C" fn avx512(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::lanes32::unary_blocks(n, x, out, $lane, $fast, $slow)
                }
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe extern "C" fn avx2(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::lanes32::unary_blocks(n, x, out, $lane, $fast, $slow)
                }
            }
            let w: $crate::math::vector::driver::Unary = $widened;
            $crate::math::vector::driver::Unary {
                #[cfg(target_arch = "x86_64")]
                avx512,
                #[cfg(target_arch = "x86_64")]
                avx2,
                base: w.base,
                libm: w.libm,
            }
        };
    };
}

pub(crate) use unary_kernel_f32;

/// As [`unary_kernel_f32`], for two operands.
macro_rules! binary_kernel_f32 {
    ($name:ident, $lane:path, $fast:path, $slow:path, $widened:expr) => {
        pub(crate) const $name: $crate::math::vector::driver::Binary = {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
            unsafe extern "C" fn avx512(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::lanes32::binary_blocks(n, x, y, out, $lane, $fast, $slow)
                }
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe extern "C" fn avx2(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::lanes32::binary_blocks(n, x, y, out, $lane, $fast, $slow)
                }
            }
            let w: $crate::math::vector::driver::Binary = $widened;
            $crate::math::vector::driver::Binary {
                #[cfg(target_arch = "x86_64")]
                avx512,
                #[cfg(target_arch = "x86_64")]
                avx2,
                base: w.base,
                libm: w.libm,
            }
        };
    };
}

pub(crate) use binary_kernel_f32;
