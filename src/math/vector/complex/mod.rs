//! Vector kernels on complex arrays: `/` (exact), `abs`, `exp`, `log` and `sqrt` (within
//! a stated bound), for `complex64` and `complex128`.
//!
//! The kernels keep the module contract of [`super`] (any `n`, unaligned, in place, an
//! element's bits independent of its block and position) on *interleaved* elements, as
//! arrays hold them (real part first). Each block of [`BLOCK`] elements is split into a
//! plane of real parts and a plane of imaginary parts on the stack, computed plane-wise
//! (where LLVM vectorises it), and interleaved again on the way out; so `out` may be `x`
//! or `y`, because a block is read completely before any of it is written.
//!
//! * Division is exact: the same operations, in the same order, as the interpreter's
//!   ([`crate::math::complex`]), so the results are its bits (ULP bound 0); Smith's
//!   algorithm computes both of its branches' operands with selects instead of branches.
//!   (`+ - *` stay inline in the fused loops: a kernel's extra pass costs more than the
//!   few instructions it would vectorise.)
//! * `abs`, `exp`, `log`, `sqrt` compute a fast domain (finite parts of moderate size) with
//!   short formulas, and recompute every other element with the scalar function the
//!   interpreter calls, so special values (infinite and NaN parts, zeros, overflow) are
//!   exactly the interpreter's. `exp` uses the float64 vector kernels of `exp`, `sin`
//!   and `cos`, `log` those of `log`, `log1p` and `arctan2`, through their registry
//!   entries.
//!
//! `complex64` kernels compute the arithmetic in `f32` (as the interpreter does) and the
//! functions in `f64` on widened parts, rounding once.

mod abs;
mod arith;
mod exp;
mod log;
mod sqrt;
#[cfg(test)]
mod tests;

use super::driver::{Binary, Unary};
use super::{VectorEntry, VectorFn};
use crate::ir::{BinaryOp, UnaryOp};
use crate::math::complex::{c128, c64};
use crate::types::{Complex32, Complex64, DType};

/// `2^-450` and `2^450`: a part between them squares to a normal number far from
/// overflow, so a sum of two squares loses nothing to underflow or overflow.
pub(super) const SAFE_LO: f64 = f64::from_bits((1023 - 450) << 52);
/// See [`SAFE_LO`].
pub(super) const SAFE_HI: f64 = f64::from_bits((1023 + 450) << 52);

/// Complex elements per block (the stack planes of one block stay in L1).
pub(super) const BLOCK: usize = 64;

/// A part type of a complex dtype: `f32` or `f64`.
pub(super) trait Part:
    Copy
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    const INFINITY: Self;
    /// The smallest positive normal value.
    const MIN_POSITIVE: Self;
    fn mul_add(self, a: Self, b: Self) -> Self;
    fn abs(self) -> Self;
    fn sqrt(self) -> Self;
    fn widen(self) -> f64;
    fn narrow(x: f64) -> Self;
    /// The interpreter's `abs` (NumPy's loop), for elements outside a fast domain.
    fn scalar_abs(re: Self, im: Self) -> Self;
    /// The interpreter's `exp` (glibc's `cexp`).
    fn scalar_exp(re: Self, im: Self) -> (Self, Self);
    /// The interpreter's `sqrt` (glibc's `csqrt`).
    fn scalar_sqrt(re: Self, im: Self) -> (Self, Self);
    /// The interpreter's `log` (glibc's `clog`).
    fn scalar_log(re: Self, im: Self) -> (Self, Self);
}

macro_rules! part {
    ($t:ty, $c:ident, $m:ident) => {
        impl Part for $t {
            const ZERO: $t = 0.0;
            const ONE: $t = 1.0;
            const INFINITY: $t = <$t>::INFINITY;
            const MIN_POSITIVE: $t = <$t>::MIN_POSITIVE;
            #[inline(always)]
            fn mul_add(self, a: $t, b: $t) -> $t {
                <$t>::mul_add(self, a, b)
            }
            #[inline(always)]
            fn abs(self) -> $t {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> $t {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn widen(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn narrow(x: f64) -> $t {
                x as $t
            }
            fn scalar_abs(re: $t, im: $t) -> $t {
                $m::abs($c::new(re, im))
            }
            fn scalar_exp(re: $t, im: $t) -> ($t, $t) {
                let z = $m::unary(UnaryOp::Exp, $c::new(re, im)).unwrap_or_default();
                (z.re, z.im)
            }
            fn scalar_sqrt(re: $t, im: $t) -> ($t, $t) {
                let z = $m::unary(UnaryOp::Sqrt, $c::new(re, im)).unwrap_or_default();
                (z.re, z.im)
            }
            fn scalar_log(re: $t, im: $t) -> ($t, $t) {
                let z = $m::unary(UnaryOp::Log, $c::new(re, im)).unwrap_or_default();
                (z.re, z.im)
            }
        }
    };
}
part!(f32, Complex32, c64);
part!(f64, Complex64, c128);

/// One block split into planes: real parts and imaginary parts, on a 64-byte boundary
/// (see [`super::align_frame`]).
#[repr(C, align(64))]
pub(super) struct Planes<T> {
    pub(super) re: [T; BLOCK],
    pub(super) im: [T; BLOCK],
}

impl<T: Part> Planes<T> {
    /// Planes full of `1 + 1i`, a value in every fast domain (the padding of a short block).
    #[inline(always)]
    pub(super) fn new() -> Self {
        Planes {
            re: [T::ONE; BLOCK],
            im: [T::ONE; BLOCK],
        }
    }

    /// Recomputes with `slow` each of the first `m` elements for which `fast(j)` is false,
    /// from the block's operands `z`: the out-of-domain pass every unary kernel ends with.
    #[inline(always)]
    pub(super) fn refix(
        &mut self,
        z: &Planes<T>,
        m: usize,
        fast: impl Fn(usize) -> bool,
        slow: fn(T, T) -> (T, T),
    ) {
        for j in 0..m {
            if !fast(j) {
                (self.re[j], self.im[j]) = slow(z.re[j], z.im[j]);
            }
        }
    }

    /// Reads `m <= BLOCK` interleaved elements at `p`.
    ///
    /// # Safety
    /// `p` is valid for `m` complex elements of part type `T`.
    #[inline(always)]
    pub(super) unsafe fn load(&mut self, p: *const T, m: usize) {
        for j in 0..m {
            // SAFETY: j < m.
            unsafe {
                self.re[j] = p.add(2 * j).read_unaligned();
                self.im[j] = p.add(2 * j + 1).read_unaligned();
            }
        }
    }

    /// Writes the first `m` elements interleaved at `p`.
    ///
    /// # Safety
    /// `p` is valid for writing `m` complex elements of part type `T`.
    #[inline(always)]
    pub(super) unsafe fn store(&self, p: *mut T, m: usize) {
        for j in 0..m {
            // SAFETY: j < m.
            unsafe {
                p.add(2 * j).write_unaligned(self.re[j]);
                p.add(2 * j + 1).write_unaligned(self.im[j]);
            }
        }
    }
}

/// Defines `const $name: Binary` whose variants all run `$body::<$t>` (an exact kernel:
/// its `libm` variant is the same code, without a target feature).
macro_rules! exact_binary {
    ($name:ident, $t:ty, $body:ident) => {
        pub(super) const $name: $crate::math::vector::driver::Binary = {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
            unsafe extern "C" fn avx512(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe { $body::<$t>(n, x, y, out) }
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe extern "C" fn avx2(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe { $body::<$t>(n, x, y, out) }
            }
            unsafe extern "C" fn base(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe { $body::<$t>(n, x, y, out) }
            }
            $crate::math::vector::driver::Binary {
                #[cfg(target_arch = "x86_64")]
                avx512,
                #[cfg(target_arch = "x86_64")]
                avx2,
                base,
                libm: base,
            }
        };
    };
}

/// Defines `const $name: Unary` running `$body::<$t, true>` (FMA targets) or
/// `$body::<$t, false>`, with `$libm` (the interpreter's scalar function on every
/// element) as its `libm` variant.
macro_rules! complex_unary {
    ($name:ident, $t:ty, $body:ident, $libm:path) => {
        pub(super) const $name: $crate::math::vector::driver::Unary = {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
            unsafe extern "C" fn avx512(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe { $body::<$t, true>(n, x, out) }
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe extern "C" fn avx2(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe { $body::<$t, true>(n, x, out) }
            }
            unsafe extern "C" fn base(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe { $body::<$t, false>(n, x, out) }
            }
            unsafe extern "C" fn libm(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe { $libm(n, x, out) }
            }
            $crate::math::vector::driver::Unary {
                #[cfg(target_arch = "x86_64")]
                avx512,
                #[cfg(target_arch = "x86_64")]
                avx2,
                base,
                libm,
            }
        };
    };
}

pub(super) use complex_unary;
pub(super) use exact_binary;

/// The `libm` variant of a complex-valued kernel: `f` (an interpreter function) on every
/// element.
///
/// # Safety
/// `x` and `out` are valid for `n` complex elements of part type `T`; `out` is `x` or
/// apart from it.
#[inline(always)]
pub(super) unsafe fn each<T: Part>(n: usize, x: *const u8, out: *mut u8, f: fn(T, T) -> (T, T)) {
    let (x, out) = (x as *const T, out as *mut T);
    for i in 0..n {
        // SAFETY: i < n; the element is read before it is written.
        unsafe {
            let (re, im) = f(
                x.add(2 * i).read_unaligned(),
                x.add(2 * i + 1).read_unaligned(),
            );
            out.add(2 * i).write_unaligned(re);
            out.add(2 * i + 1).write_unaligned(im);
        }
    }
}

/// The vector kernel for unary `op` on complex `dtype` (`abs` gives the part dtype), if
/// there is one.
pub(super) fn unary(op: UnaryOp, dtype: DType) -> Option<VectorEntry> {
    let c128 = match dtype {
        DType::C128 => true,
        DType::C64 => false,
        _ => return None,
    };
    let (name, ulps, k128, k64): (_, _, Unary, Unary) = match op {
        UnaryOp::Abs => ("abs", abs::ABS_ULPS, abs::ABS_C128, abs::ABS_C64),
        UnaryOp::Exp => ("exp", exp::exp_ulps(), exp::EXP_C128, exp::EXP_C64),
        UnaryOp::Sqrt => ("sqrt", sqrt::SQRT_ULPS, sqrt::SQRT_C128, sqrt::SQRT_C64),
        UnaryOp::Log => ("log", log::log_ulps(), log::LOG_C128, log::LOG_C64),
        _ => return None,
    };
    let k = if c128 { k128 } else { k64 };
    Some(VectorEntry {
        name,
        func: VectorFn::Unary(k.pick()),
        libm: VectorFn::Unary(k.libm),
        ulps,
    })
}

/// The vector kernel for binary `op` on complex `dtype`, if there is one (`/`).
pub(super) fn binary(op: BinaryOp, dtype: DType) -> Option<VectorEntry> {
    let c128 = match dtype {
        DType::C128 => true,
        DType::C64 => false,
        _ => return None,
    };
    // `+ - *` are a few inline instructions in a fused loop: a kernel's extra pass over a
    // block (measured) costs more than it saves. Even an AVX-512 `*` (`vfmaddsub` on four
    // elements, two shuffles: 0.15-0.25 ns per element in L1, against 0.47 for the fused
    // loop's product instructions) made `z*w + z` slower as a phase: 0.75 against 0.55 ns
    // per element at 1e3, 0.78 against 0.54 at 1e4.
    let (name, k128, k64): (_, Binary, Binary) = match op {
        BinaryOp::Div => ("complex div", arith::DIV_C128, arith::DIV_C64),
        _ => return None,
    };
    let k = if c128 { k128 } else { k64 };
    Some(VectorEntry {
        name,
        func: VectorFn::Binary(k.pick()),
        libm: VectorFn::Binary(k.libm),
        ulps: 0,
    })
}
