//! Complex math for `complex64` and `complex128`, shared by the kernels (through the
//! `extern "C"` entry points below) and the reference interpreter (through [`c64`] and
//! [`c128`]), so that both agree bit for bit.
//!
//! The results are NumPy 2's on x86-64 Linux, bit for bit (checked against NumPy 2.4 by the
//! conformance tests):
//! * `sqrt exp log sin cos tan sinh cosh tanh arcsin arccos arctan arcsinh arccosh arctanh`
//!   call glibc's C99 functions (`csqrt`, `cexpf`, …), exactly as NumPy does;
//! * `*` is NumPy's SIMD loop (FMA-capable CPUs): `re = fma(ar, br, -(ai*bi))`,
//!   `im = fma(ar, bi, ai*br)`;
//! * `/` is Smith's algorithm as NumPy's division loop writes it;
//! * `**` is `npy_cpow`: small integer exponents by repeated (plain) multiplication, then
//!   glibc's `cpow`;
//! * `expm1 log1p log10 log2` are NumPy's formulas over the real libm functions;
//! * `abs` is NumPy's SIMD `absolute` loop: `max * sqrt(fma(r, r, 1))`, `r = min / max`.
//!
//! The entry points take pointers to one complex element (real part first, parts of the
//! complex dtype's part type, any alignment) so that Cranelift can call them through stack
//! slots without depending on how the C ABI passes small structs.

use crate::ir::{BinaryOp, UnaryOp};
use crate::types::{Complex32, Complex64, DType};

/// `out = op(x)`, each pointing at one complex element (for [`UnaryOp::Abs`], `out` points at
/// one element of the part dtype).
pub(crate) type UnaryFn = unsafe extern "C" fn(x: *const u8, out: *mut u8);
/// `out = op(a, b)`, each pointing at one complex element.
pub(crate) type BinaryFn = unsafe extern "C" fn(a: *const u8, b: *const u8, out: *mut u8);

// `num_complex::Complex<T>` is `#[repr(C)]` `{ re, im }`: on x86-64 SysV (and AArch64) it is
// passed and returned exactly like C's `double complex` / `float complex`.
unsafe extern "C" {
    fn csqrt(z: Complex64) -> Complex64;
    fn cexp(z: Complex64) -> Complex64;
    fn clog(z: Complex64) -> Complex64;
    fn csin(z: Complex64) -> Complex64;
    fn ccos(z: Complex64) -> Complex64;
    fn ctan(z: Complex64) -> Complex64;
    fn csinh(z: Complex64) -> Complex64;
    fn ccosh(z: Complex64) -> Complex64;
    fn ctanh(z: Complex64) -> Complex64;
    fn casin(z: Complex64) -> Complex64;
    fn cacos(z: Complex64) -> Complex64;
    fn catan(z: Complex64) -> Complex64;
    fn casinh(z: Complex64) -> Complex64;
    fn cacosh(z: Complex64) -> Complex64;
    fn catanh(z: Complex64) -> Complex64;
    fn cpow(a: Complex64, b: Complex64) -> Complex64;
    fn csqrtf(z: Complex32) -> Complex32;
    fn cexpf(z: Complex32) -> Complex32;
    fn clogf(z: Complex32) -> Complex32;
    fn csinf(z: Complex32) -> Complex32;
    fn ccosf(z: Complex32) -> Complex32;
    fn ctanf(z: Complex32) -> Complex32;
    fn csinhf(z: Complex32) -> Complex32;
    fn ccoshf(z: Complex32) -> Complex32;
    fn ctanhf(z: Complex32) -> Complex32;
    fn casinf(z: Complex32) -> Complex32;
    fn cacosf(z: Complex32) -> Complex32;
    fn catanf(z: Complex32) -> Complex32;
    fn casinhf(z: Complex32) -> Complex32;
    fn cacoshf(z: Complex32) -> Complex32;
    fn catanhf(z: Complex32) -> Complex32;
    fn cpowf(a: Complex32, b: Complex32) -> Complex32;
}

/// Defines the functions of one complex width; `$libc` lists the glibc function per op.
macro_rules! complex_math {
    (
        $(#[$doc:meta])* $m:ident, $c:ty, $f:ident, $log10e:expr, $log2e:expr, cpow = $cpow:ident,
        { $($op:ident => $libc:ident),* $(,)? }
    ) => {
        $(#[$doc])*
        pub(crate) mod $m {
            use super::*;

            /// `a * b` as NumPy's SIMD loop computes it (one rounding per part, through FMA).
            pub(crate) fn mul(a: $c, b: $c) -> $c {
                <$c>::new(a.re.mul_add(b.re, -(a.im * b.im)), a.re.mul_add(b.im, a.im * b.re))
            }

            /// `a * b` with two roundings per product, as NumPy's scalar C code (`npy_cpow`).
            fn mul_plain(a: $c, b: $c) -> $c {
                <$c>::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
            }

            /// `a / b` by Smith's algorithm, as NumPy: dividing by zero gives `a / 0` per part.
            pub(crate) fn div(a: $c, b: $c) -> $c {
                let (abs_br, abs_bi) = (b.re.abs(), b.im.abs());
                if abs_br >= abs_bi {
                    if abs_br == 0.0 && abs_bi == 0.0 {
                        <$c>::new(a.re / abs_br, a.im / abs_br)
                    } else {
                        let rat = b.im / b.re;
                        let scl = 1.0 / (b.re + b.im * rat);
                        <$c>::new((a.re + a.im * rat) * scl, (a.im - a.re * rat) * scl)
                    }
                } else {
                    // Also taken when a part of `b` is NaN (both comparisons are false).
                    let rat = b.re / b.im;
                    let scl = 1.0 / (b.im + b.re * rat);
                    <$c>::new((a.re * rat + a.im) * scl, (a.im * rat - a.re) * scl)
                }
            }

            /// `a ** b` as `npy_cpow`: `z**0 == 1`, `0**b` is 0 or NaN, integer exponents
            /// below 100 in magnitude by binary powering, the rest by libm's `cpow`.
            pub(crate) fn pow(a: $c, b: $c) -> $c {
                if b.re == 0.0 && b.im == 0.0 {
                    return <$c>::new(1.0, 0.0);
                }
                if a.re == 0.0 && a.im == 0.0 {
                    return if b.re > 0.0 {
                        <$c>::new(0.0, 0.0)
                    } else {
                        <$c>::new($f::NAN, $f::NAN)
                    };
                }
                if b.im == 0.0 && b.re > -100.0 && b.re < 100.0 && (b.re as i64) as $f == b.re {
                    let n = b.re as i64;
                    match n {
                        1 => return a,
                        2 => return mul_plain(a, a),
                        3 => return mul_plain(a, mul_plain(a, a)),
                        _ => {
                            let n = n.unsigned_abs();
                            let (mut acc, mut p, mut mask) = (<$c>::new(1.0, 0.0), a, 1u64);
                            loop {
                                if n & mask != 0 {
                                    acc = mul_plain(acc, p);
                                }
                                mask <<= 1;
                                if n < mask {
                                    break;
                                }
                                p = mul_plain(p, p);
                            }
                            return if b.re < 0.0 { div(<$c>::new(1.0, 0.0), acc) } else { acc };
                        }
                    }
                }
                // SAFETY: a pure libm function on plain values.
                unsafe { $cpow(a, b) }
            }

            /// `|z|` as NumPy's SIMD `absolute` loop: infinite beats NaN, then
            /// `max * sqrt(fma(r, r, 1))` with `r = min / max` (0 when `max` is 0 or both
            /// are infinite).
            pub(crate) fn abs(z: $c) -> $f {
                let (mut re, mut im) = (z.re.abs(), z.im.abs());
                if re == $f::INFINITY {
                    im = $f::INFINITY;
                }
                if im == $f::INFINITY {
                    re = $f::INFINITY;
                }
                if re.is_nan() || im.is_nan() {
                    return $f::NAN;
                }
                let (larger, smaller) = if re > im { (re, im) } else { (im, re) };
                let ratio = if larger == 0.0 || smaller == $f::INFINITY {
                    0.0
                } else {
                    smaller / larger
                };
                ratio.mul_add(ratio, 1.0).sqrt() * larger
            }

            /// `sign(z)` as NumPy 2's loop: `z / hypot(re, im)` (libm's `hypot`, not
            /// [`abs`]); `0` for zero, NaN for a NaN; with an infinite part, `±1` along it
            /// (NaN if both are infinite). Finite parts whose `hypot` overflows take the
            /// infinite branch too and give `±1` on the imaginary axis, as NumPy's do.
            pub(crate) fn sign(z: $c) -> $c {
                let unit = |v: $f| if v > 0.0 { 1.0 } else { -1.0 };
                let abs = z.re.hypot(z.im);
                if abs.is_nan() {
                    <$c>::new($f::NAN, $f::NAN)
                } else if abs.is_infinite() {
                    match (z.re.is_infinite(), z.im.is_infinite()) {
                        (true, true) => <$c>::new($f::NAN, $f::NAN),
                        (true, false) => <$c>::new(unit(z.re), 0.0),
                        _ => <$c>::new(0.0, unit(z.im)),
                    }
                } else if abs == 0.0 {
                    <$c>::new(0.0, 0.0)
                } else {
                    <$c>::new(z.re / abs, z.im / abs)
                }
            }

            /// `exp(z) - 1` as NumPy's `nc_expm1`.
            pub(crate) fn expm1(z: $c) -> $c {
                let a = (z.im / 2.0).sin();
                <$c>::new(z.re.exp_m1() * z.im.cos() - 2.0 * a * a, z.re.exp() * z.im.sin())
            }

            /// `log(1 + z)` as NumPy's `nc_log1p`: `log(hypot(re + 1, im))`, `atan2(im, re + 1)`.
            pub(crate) fn log1p(z: $c) -> $c {
                let l = (z.re + 1.0).hypot(z.im);
                <$c>::new(l.ln(), z.im.atan2(z.re + 1.0))
            }

            /// `log10(z)`: `log(z)` times `log10(e)`, part by part, as NumPy.
            pub(crate) fn log10(z: $c) -> $c {
                let l = unary(UnaryOp::Log, z).unwrap_or(z);
                <$c>::new(l.re * $log10e, l.im * $log10e)
            }

            /// `log2(z)`: `log(z)` times `log2(e)`, part by part, as NumPy.
            pub(crate) fn log2(z: $c) -> $c {
                let l = unary(UnaryOp::Log, z).unwrap_or(z);
                <$c>::new(l.re * $log2e, l.im * $log2e)
            }

            /// The complex-valued one-operand `op` on `z`, or `None` where `op` does not give
            /// a complex value (`abs`, `real`, `imag`, predicates) or is not defined on
            /// complex numbers.
            pub(crate) fn unary(op: UnaryOp, z: $c) -> Option<$c> {
                Some(match op {
                    UnaryOp::Neg => -z,
                    UnaryOp::Conj => z.conj(),
                    UnaryOp::Sign => sign(z),
                    UnaryOp::Expm1 => expm1(z),
                    UnaryOp::Log1p => log1p(z),
                    UnaryOp::Log10 => log10(z),
                    UnaryOp::Log2 => log2(z),
                    // SAFETY: pure libm functions on plain values.
                    $(UnaryOp::$op => unsafe { $libc(z) },)*
                    _ => return None,
                })
            }

            /// The complex-valued two-operand `op`, or `None` where it is not one.
            pub(crate) fn binary(op: BinaryOp, a: $c, b: $c) -> Option<$c> {
                Some(match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => mul(a, b),
                    BinaryOp::Div => div(a, b),
                    BinaryOp::Pow => pow(a, b),
                    _ => return None,
                })
            }
        }
    };
}

complex_math! {
    /// `complex64` math.
    c64, Complex32, f32,
    std::f32::consts::LOG10_E, std::f32::consts::LOG2_E, cpow = cpowf,
    {
        Sqrt => csqrtf, Exp => cexpf, Log => clogf, Sin => csinf, Cos => ccosf,
        Tan => ctanf, Sinh => csinhf, Cosh => ccoshf, Tanh => ctanhf, Arcsin => casinf,
        Arccos => cacosf, Arctan => catanf, Arcsinh => casinhf, Arccosh => cacoshf,
        Arctanh => catanhf,
    }
}

complex_math! {
    /// `complex128` math.
    c128, Complex64, f64,
    std::f64::consts::LOG10_E, std::f64::consts::LOG2_E, cpow = cpow,
    {
        Sqrt => csqrt, Exp => cexp, Log => clog, Sin => csin, Cos => ccos, Tan => ctan,
        Sinh => csinh, Cosh => ccosh, Tanh => ctanh, Arcsin => casin, Arccos => cacos,
        Arctan => catan, Arcsinh => casinh, Arccosh => cacosh, Arctanh => catanh,
    }
}

/// The unary ops that are calls ([`unary_fn`] has an entry point for each); the others on
/// complex (`-`, `conj`, `real`, `imag`, `round`, predicates) are inlined by the code
/// generator.
pub(crate) const CALLED_UNARY: [UnaryOp; 21] = [
    UnaryOp::Abs,
    UnaryOp::Sign,
    UnaryOp::Sqrt,
    UnaryOp::Exp,
    UnaryOp::Expm1,
    UnaryOp::Log,
    UnaryOp::Log1p,
    UnaryOp::Log10,
    UnaryOp::Log2,
    UnaryOp::Sin,
    UnaryOp::Cos,
    UnaryOp::Tan,
    UnaryOp::Sinh,
    UnaryOp::Cosh,
    UnaryOp::Tanh,
    UnaryOp::Arcsin,
    UnaryOp::Arccos,
    UnaryOp::Arctan,
    UnaryOp::Arcsinh,
    UnaryOp::Arccosh,
    UnaryOp::Arctanh,
];

/// The entry point computing complex `op` on `dt` (`C64` or `C128`), if it is a call
/// (every op of [`CALLED_UNARY`]). For `Abs`, `out` receives one part-dtype value.
pub(crate) fn unary_fn(op: UnaryOp, dt: DType) -> Option<UnaryFn> {
    macro_rules! pick {
        ($t:ty) => {{
            let f: UnaryFn = match op {
                UnaryOp::Abs => abs_entry::<$t>,
                UnaryOp::Sign => unary_entry::<$t, Sign>,
                UnaryOp::Sqrt => unary_entry::<$t, Sqrt>,
                UnaryOp::Exp => unary_entry::<$t, Exp>,
                UnaryOp::Expm1 => unary_entry::<$t, Expm1>,
                UnaryOp::Log => unary_entry::<$t, Log>,
                UnaryOp::Log1p => unary_entry::<$t, Log1p>,
                UnaryOp::Log10 => unary_entry::<$t, Log10>,
                UnaryOp::Log2 => unary_entry::<$t, Log2>,
                UnaryOp::Sin => unary_entry::<$t, Sin>,
                UnaryOp::Cos => unary_entry::<$t, Cos>,
                UnaryOp::Tan => unary_entry::<$t, Tan>,
                UnaryOp::Sinh => unary_entry::<$t, Sinh>,
                UnaryOp::Cosh => unary_entry::<$t, Cosh>,
                UnaryOp::Tanh => unary_entry::<$t, Tanh>,
                UnaryOp::Arcsin => unary_entry::<$t, Arcsin>,
                UnaryOp::Arccos => unary_entry::<$t, Arccos>,
                UnaryOp::Arctan => unary_entry::<$t, Arctan>,
                UnaryOp::Arcsinh => unary_entry::<$t, Arcsinh>,
                UnaryOp::Arccosh => unary_entry::<$t, Arccosh>,
                UnaryOp::Arctanh => unary_entry::<$t, Arctanh>,
                _ => return None,
            };
            Some(f)
        }};
    }
    match dt {
        DType::C64 => pick!(Complex32),
        DType::C128 => pick!(Complex64),
        _ => None,
    }
}

/// The entry point computing complex `op` on `dt` (`C64` or `C128`), if it is a call:
/// `/`, `**`, and `*` (which the code generator may instead inline with two FMAs).
pub(crate) fn binary_fn(op: BinaryOp, dt: DType) -> Option<BinaryFn> {
    macro_rules! pick {
        ($t:ty) => {{
            let f: BinaryFn = match op {
                BinaryOp::Mul => binary_entry::<$t, Mul>,
                BinaryOp::Div => binary_entry::<$t, Div>,
                BinaryOp::Pow => binary_entry::<$t, Pow>,
                _ => return None,
            };
            Some(f)
        }};
    }
    match dt {
        DType::C64 => pick!(Complex32),
        DType::C128 => pick!(Complex64),
        _ => None,
    }
}

/// A complex one-operand function, for both widths.
trait UnaryKernel {
    fn c64(x: Complex32) -> Complex32;
    fn c128(x: Complex64) -> Complex64;
}

/// A complex two-operand function, for both widths.
trait BinaryKernel {
    fn c64(a: Complex32, b: Complex32) -> Complex32;
    fn c128(a: Complex64, b: Complex64) -> Complex64;
}

/// A complex element type the entry points read and write.
trait Elem: Copy {
    /// The part type (`abs` writes one).
    type Part: Copy;
    fn unary<K: UnaryKernel>(x: Self) -> Self;
    fn binary<K: BinaryKernel>(a: Self, b: Self) -> Self;
    fn abs(x: Self) -> Self::Part;
}

impl Elem for Complex32 {
    type Part = f32;
    fn unary<K: UnaryKernel>(x: Self) -> Self {
        K::c64(x)
    }
    fn binary<K: BinaryKernel>(a: Self, b: Self) -> Self {
        K::c64(a, b)
    }
    fn abs(x: Self) -> f32 {
        c64::abs(x)
    }
}

impl Elem for Complex64 {
    type Part = f64;
    fn unary<K: UnaryKernel>(x: Self) -> Self {
        K::c128(x)
    }
    fn binary<K: BinaryKernel>(a: Self, b: Self) -> Self {
        K::c128(a, b)
    }
    fn abs(x: Self) -> f64 {
        c128::abs(x)
    }
}

unsafe extern "C" fn unary_entry<T: Elem, K: UnaryKernel>(x: *const u8, out: *mut u8) {
    // SAFETY: the kernel passes pointers to one readable/writable element of `T`.
    unsafe {
        let v = (x as *const T).read_unaligned();
        (out as *mut T).write_unaligned(T::unary::<K>(v));
    }
}

unsafe extern "C" fn abs_entry<T: Elem>(x: *const u8, out: *mut u8) {
    // SAFETY: the kernel passes a readable element of `T` and a writable one of its part type.
    unsafe {
        let v = (x as *const T).read_unaligned();
        (out as *mut T::Part).write_unaligned(T::abs(v));
    }
}

unsafe extern "C" fn binary_entry<T: Elem, K: BinaryKernel>(
    a: *const u8,
    b: *const u8,
    out: *mut u8,
) {
    // SAFETY: as `unary_entry`.
    unsafe {
        let (x, y) = (
            (a as *const T).read_unaligned(),
            (b as *const T).read_unaligned(),
        );
        (out as *mut T).write_unaligned(T::binary::<K>(x, y));
    }
}

/// Declares a [`UnaryKernel`] `$name` computing `UnaryOp::$name` in both widths.
macro_rules! unary_kernels {
    ($($name:ident),*) => {$(
        struct $name;
        impl UnaryKernel for $name {
            fn c64(x: Complex32) -> Complex32 {
                c64::unary(UnaryOp::$name, x).unwrap_or(x)
            }
            fn c128(x: Complex64) -> Complex64 {
                c128::unary(UnaryOp::$name, x).unwrap_or(x)
            }
        }
    )*};
}

/// Declares a [`BinaryKernel`] `$name` computing `BinaryOp::$name` in both widths.
macro_rules! binary_kernels {
    ($($name:ident),*) => {$(
        struct $name;
        impl BinaryKernel for $name {
            fn c64(a: Complex32, b: Complex32) -> Complex32 {
                c64::binary(BinaryOp::$name, a, b).unwrap_or(a)
            }
            fn c128(a: Complex64, b: Complex64) -> Complex64 {
                c128::binary(BinaryOp::$name, a, b).unwrap_or(a)
            }
        }
    )*};
}

unary_kernels!(
    Sign, Sqrt, Exp, Expm1, Log, Log1p, Log10, Log2, Sin, Cos, Tan, Sinh, Cosh, Tanh, Arcsin,
    Arccos, Arctan, Arcsinh, Arccosh, Arctanh
);
binary_kernels!(Mul, Div, Pow);

#[cfg(test)]
mod tests;
