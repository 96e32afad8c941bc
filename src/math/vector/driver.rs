//! The group loop every kernel shares, and the macros that compile it once per code path.
//!
//! A kernel body is a *lane function* `fn(f64) -> f64` (or `fn(f64, f64) -> f64`),
//! branch-free so that LLVM vectorises the block loop, generic over `F` (whether `mul_add`
//! may be a fused multiply-add), plus a *fast-domain* test. Elements outside the fast
//! domain are recomputed by the scalar libm function. `float32` kernels run the `float64`
//! lane function on widened values and round once: within 1 ULP of `float32`.

use super::{Aligned, BinaryKernel, Level, UnaryKernel};

/// Lanes computed side by side: four AVX2 vectors, two AVX-512 ones.
const GROUP: usize = 16;

/// `a * b + c`, fused when `F` (the caller's target has FMA), else rounded twice.
#[inline(always)]
pub(crate) fn madd<const F: bool>(a: f64, b: f64, c: f64) -> f64 {
    if F {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// An integer-valued `f64` (|k| < 2^51) to the bits it adds to an exponent field, without
/// a float→int conversion (AVX2 has none for 64-bit lanes).
#[inline(always)]
pub(crate) fn int_bits(k: f64) -> i64 {
    const SHIFT: f64 = 6755399441055744.0; // 1.5 * 2^52
    ((k + SHIFT).to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64)
}

/// A small integer (|k| < 2^51) as `f64`, without an int→float conversion.
#[inline(always)]
pub(crate) fn int_to_f64(k: i64) -> f64 {
    const SHIFT: f64 = 6755399441055744.0; // 1.5 * 2^52
    f64::from_bits((SHIFT.to_bits() as i64).wrapping_add(k) as u64) - SHIFT
}

/// `a + b` as an exactly representable pair (Knuth's TwoSum, any magnitudes).
#[inline(always)]
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// The compiled variants of one unary kernel.
#[derive(Clone, Copy)]
pub(crate) struct Unary {
    #[cfg(target_arch = "x86_64")]
    pub(crate) avx512: UnaryKernel,
    #[cfg(target_arch = "x86_64")]
    pub(crate) avx2: UnaryKernel,
    pub(crate) base: UnaryKernel,
    /// The scalar libm function on every element: what [`super::MathImpl::LibmBlocks`] runs.
    pub(crate) libm: UnaryKernel,
}

impl Unary {
    /// The variant for this process's [`Level`].
    pub(crate) fn pick(self) -> UnaryKernel {
        match super::level() {
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => self.avx512,
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => self.avx2,
            Level::Base => self.base,
        }
    }
}

/// The compiled variants of one binary kernel.
#[derive(Clone, Copy)]
pub(crate) struct Binary {
    #[cfg(target_arch = "x86_64")]
    pub(crate) avx512: BinaryKernel,
    #[cfg(target_arch = "x86_64")]
    pub(crate) avx2: BinaryKernel,
    pub(crate) base: BinaryKernel,
    /// The scalar libm function on every element.
    pub(crate) libm: BinaryKernel,
}

impl Binary {
    /// The variant for this process's [`Level`].
    pub(crate) fn pick(self) -> BinaryKernel {
        match super::level() {
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => self.avx512,
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => self.avx2,
            Level::Base => self.base,
        }
    }
}

/// Element types a kernel runs on: stored as `Self`, computed as `f64`.
pub(crate) trait Elem: Copy {
    /// Padding for the tail group: a value every fast domain contains.
    const PAD: Self;
    fn widen(self) -> f64;
    fn narrow(x: f64) -> Self;
}

impl Elem for f64 {
    const PAD: f64 = 1.0;
    #[inline(always)]
    fn widen(self) -> f64 {
        self
    }
    #[inline(always)]
    fn narrow(x: f64) -> f64 {
        x
    }
}

impl Elem for f32 {
    const PAD: f32 = 1.0;
    #[inline(always)]
    fn widen(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn narrow(x: f64) -> f32 {
        x as f32
    }
}

/// The unary loop: whole groups straight from `x` to `out`, then the tail padded to a
/// group. A group is read completely before any of it is written, so `out == x` is safe.
///
/// The tail goes through the same call of [`unary_group`] as the whole groups: with a
/// second call site LLVM declined to inline the larger lane functions (`tanh`) there, and
/// called them through a shim compiled without the target's features, whose `mul_add`
/// was a libm `fma` call: about 1.2 µs for a tail of a few elements.
///
/// # Safety
/// `x` and `out` are valid for `n` elements of `T` (see the module contract).
#[inline(always)]
pub(crate) unsafe fn unary<T: Elem>(
    n: usize,
    x: *const u8,
    out: *mut u8,
    lane: impl Fn(f64) -> f64,
    fast: impl Fn(f64) -> bool,
    slow: extern "C" fn(T) -> T,
) {
    super::align_frame();
    let (x, out) = (x as *const T, out as *mut T);
    let mut buf = Aligned([T::PAD; GROUP]);
    let buf = &mut buf.0;
    let mut i = 0;
    while i < n {
        let m = n - i;
        // The tail is padded so that the vector code never varies in length.
        let (src, dst) = if m >= GROUP {
            // SAFETY: i + GROUP <= n.
            unsafe { (x.add(i), out.add(i)) }
        } else {
            for (j, v) in buf.iter_mut().enumerate().take(m) {
                // SAFETY: i + j < n.
                *v = unsafe { x.add(i + j).read_unaligned() };
            }
            (buf.as_ptr(), buf.as_mut_ptr())
        };
        // SAFETY: `src` and `dst` hold GROUP elements (of the arrays, or of `buf`).
        unsafe { unary_group(src, dst, &lane, &fast, slow) };
        if m < GROUP {
            for (j, &r) in buf.iter().enumerate().take(m) {
                // SAFETY: i + j < n.
                unsafe { out.add(i + j).write_unaligned(r) };
            }
        }
        i += GROUP;
    }
}

/// One group of [`GROUP`] lanes, fully unrolled so that several vectors are in flight at
/// once (one vector at a time is bound by the polynomial's latency); lanes outside the
/// fast domain are recomputed by `slow` before anything is stored.
///
/// # Safety
/// `src` and `dst` are valid for [`GROUP`] elements; `dst` may be `src`.
#[inline(always)]
unsafe fn unary_group<T: Elem>(
    src: *const T,
    dst: *mut T,
    lane: &impl Fn(f64) -> f64,
    fast: &impl Fn(f64) -> bool,
    slow: extern "C" fn(T) -> T,
) {
    let mut xs = Aligned([T::PAD; GROUP]);
    let xs = &mut xs.0;
    for (l, v) in xs.iter_mut().enumerate() {
        // SAFETY: l < GROUP.
        *v = unsafe { src.add(l).read_unaligned() };
    }
    let mut rs = Aligned([T::PAD; GROUP]);
    let rs = &mut rs.0;
    let mut all_fast = true;
    for l in 0..GROUP {
        let v = xs[l].widen();
        rs[l] = T::narrow(lane(v));
        all_fast &= fast(v);
    }
    if !all_fast {
        for l in 0..GROUP {
            if !fast(xs[l].widen()) {
                rs[l] = slow(xs[l]);
            }
        }
    }
    for (l, &r) in rs.iter().enumerate() {
        // SAFETY: l < GROUP.
        unsafe { dst.add(l).write_unaligned(r) };
    }
}

/// The binary loop; as [`unary`] (one call of the group code, the tail padded), `out`
/// may be `x` or `y`.
///
/// # Safety
/// `x`, `y` and `out` are valid for `n` elements of `T`.
#[inline(always)]
pub(crate) unsafe fn binary<T: Elem>(
    n: usize,
    x: *const u8,
    y: *const u8,
    out: *mut u8,
    lane: impl Fn(f64, f64) -> f64,
    fast: impl Fn(f64, f64) -> bool,
    slow: extern "C" fn(T, T) -> T,
) {
    super::align_frame();
    let (x, y, out) = (x as *const T, y as *const T, out as *mut T);
    let (mut xs, mut ys) = (Aligned([T::PAD; GROUP]), Aligned([T::PAD; GROUP]));
    let (xs, ys) = (&mut xs.0, &mut ys.0);
    let mut i = 0;
    while i < n {
        let m = n - i;
        let (a, b, dst) = if m >= GROUP {
            // SAFETY: i + GROUP <= n.
            unsafe { (x.add(i), y.add(i), out.add(i)) }
        } else {
            for j in 0..m {
                // SAFETY: i + j < n.
                unsafe {
                    xs[j] = x.add(i + j).read_unaligned();
                    ys[j] = y.add(i + j).read_unaligned();
                }
            }
            (xs.as_ptr(), ys.as_ptr(), xs.as_mut_ptr())
        };
        // SAFETY: `a`, `b` and `dst` hold GROUP elements (of the arrays, or of the
        // buffers; `dst` is `xs` itself there, which the group allows).
        unsafe { binary_group(a, b, dst, &lane, &fast, slow) };
        if m < GROUP {
            for (j, &r) in xs.iter().enumerate().take(m) {
                // SAFETY: i + j < n.
                unsafe { out.add(i + j).write_unaligned(r) };
            }
        }
        i += GROUP;
    }
}

/// One group of [`GROUP`] lane pairs, as [`unary_group`].
///
/// # Safety
/// `a`, `b` and `dst` are valid for [`GROUP`] elements; `dst` may be `a` or `b`.
#[inline(always)]
unsafe fn binary_group<T: Elem>(
    a: *const T,
    b: *const T,
    dst: *mut T,
    lane: &impl Fn(f64, f64) -> f64,
    fast: &impl Fn(f64, f64) -> bool,
    slow: extern "C" fn(T, T) -> T,
) {
    let (mut xs, mut ys) = (Aligned([T::PAD; GROUP]), Aligned([T::PAD; GROUP]));
    let (xs, ys) = (&mut xs.0, &mut ys.0);
    for l in 0..GROUP {
        // SAFETY: l < GROUP.
        unsafe {
            xs[l] = a.add(l).read_unaligned();
            ys[l] = b.add(l).read_unaligned();
        }
    }
    let mut rs = Aligned([T::PAD; GROUP]);
    let rs = &mut rs.0;
    let mut all_fast = true;
    for l in 0..GROUP {
        let (u, v) = (xs[l].widen(), ys[l].widen());
        rs[l] = T::narrow(lane(u, v));
        all_fast &= fast(u, v);
    }
    if !all_fast {
        for l in 0..GROUP {
            if !fast(xs[l].widen(), ys[l].widen()) {
                rs[l] = slow(xs[l], ys[l]);
            }
        }
    }
    for (l, &r) in rs.iter().enumerate() {
        // SAFETY: l < GROUP.
        unsafe { dst.add(l).write_unaligned(r) };
    }
}

/// libm on every element, for [`super::MathImpl::LibmBlocks`].
///
/// # Safety
/// As [`unary`].
#[inline(always)]
pub(crate) unsafe fn unary_libm<T: Elem>(
    n: usize,
    x: *const u8,
    out: *mut u8,
    slow: extern "C" fn(T) -> T,
) {
    let (x, out) = (x as *const T, out as *mut T);
    for i in 0..n {
        // SAFETY: i < n; each element is read before it is written.
        unsafe { out.add(i).write_unaligned(slow(x.add(i).read_unaligned())) };
    }
}

/// libm on every element, for [`super::MathImpl::LibmBlocks`].
///
/// # Safety
/// As [`binary`].
#[inline(always)]
pub(crate) unsafe fn binary_libm<T: Elem>(
    n: usize,
    x: *const u8,
    y: *const u8,
    out: *mut u8,
    slow: extern "C" fn(T, T) -> T,
) {
    let (x, y, out) = (x as *const T, y as *const T, out as *mut T);
    for i in 0..n {
        // SAFETY: i < n; each element is read before it is written.
        unsafe {
            let r = slow(x.add(i).read_unaligned(), y.add(i).read_unaligned());
            out.add(i).write_unaligned(r);
        }
    }
}

/// Defines `const $name: Unary` running `$lane::<F>` on `$t` elements, with `$fast` as
/// the fast-domain test and `$slow` (a libm wrapper) for the rest.
macro_rules! unary_kernel {
    ($name:ident, $t:ty, $lane:ident, $fast:path, $slow:path) => {
        pub(crate) const $name: $crate::math::vector::driver::Unary = {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
            unsafe extern "C" fn avx512(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::driver::unary::<$t>(
                        n,
                        x,
                        out,
                        $lane::<true>,
                        $fast,
                        $slow,
                    )
                }
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe extern "C" fn avx2(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::driver::unary::<$t>(
                        n,
                        x,
                        out,
                        $lane::<true>,
                        $fast,
                        $slow,
                    )
                }
            }
            unsafe extern "C" fn base(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::driver::unary::<$t>(
                        n,
                        x,
                        out,
                        $lane::<false>,
                        $fast,
                        $slow,
                    )
                }
            }
            unsafe extern "C" fn libm(n: usize, x: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe { $crate::math::vector::driver::unary_libm::<$t>(n, x, out, $slow) }
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

/// As [`unary_kernel`], for two operands.
macro_rules! binary_kernel {
    ($name:ident, $t:ty, $lane:ident, $fast:path, $slow:path) => {
        pub(crate) const $name: $crate::math::vector::driver::Binary = {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
            unsafe extern "C" fn avx512(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::driver::binary::<$t>(
                        n,
                        x,
                        y,
                        out,
                        $lane::<true>,
                        $fast,
                        $slow,
                    )
                }
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe extern "C" fn avx2(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::driver::binary::<$t>(
                        n,
                        x,
                        y,
                        out,
                        $lane::<true>,
                        $fast,
                        $slow,
                    )
                }
            }
            unsafe extern "C" fn base(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe {
                    $crate::math::vector::driver::binary::<$t>(
                        n,
                        x,
                        y,
                        out,
                        $lane::<false>,
                        $fast,
                        $slow,
                    )
                }
            }
            unsafe extern "C" fn libm(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
                // SAFETY: the caller keeps the kernel contract.
                unsafe { $crate::math::vector::driver::binary_libm::<$t>(n, x, y, out, $slow) }
            }
            $crate::math::vector::driver::Binary {
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

pub(crate) use binary_kernel;
pub(crate) use unary_kernel;
