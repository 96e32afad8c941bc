//! Complex math for `complex64` and `complex128`, shared by the kernels (through the
//! `extern "C"` entry points below) and the reference interpreter.
//!
//! The entry points take pointers to one complex element (real part first, parts of the
//! complex dtype's part type, any alignment) so that Cranelift can call them through stack
//! slots without depending on how the C ABI passes small structs.

use crate::ir::{BinaryOp, UnaryOp};
use crate::types::{Complex32, Complex64, DType};

/// `out = op(x)`, each pointing at one complex element.
pub(crate) type UnaryFn = unsafe extern "C" fn(x: *const u8, out: *mut u8);
/// `out = op(a, b)`, each pointing at one complex element.
pub(crate) type BinaryFn = unsafe extern "C" fn(a: *const u8, b: *const u8, out: *mut u8);

/// The entry point computing complex `op` on `dt` (`C64` or `C128`), if it is a call.
pub(crate) fn unary_fn(op: UnaryOp, dt: DType) -> Option<UnaryFn> {
    macro_rules! pick {
        ($t:ty) => {{
            let f: UnaryFn = match op {
                UnaryOp::Sqrt => unary_entry::<$t, Sqrt>,
                UnaryOp::Exp => unary_entry::<$t, Exp>,
                UnaryOp::Log => unary_entry::<$t, Log>,
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

/// The entry point computing complex `op` on `dt` (`C64` or `C128`), if it is a call.
pub(crate) fn binary_fn(op: BinaryOp, dt: DType) -> Option<BinaryFn> {
    macro_rules! pick {
        ($t:ty) => {{
            let f: BinaryFn = match op {
                BinaryOp::Div => binary_entry::<$t, Div>,
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

/// A complex one-operand function, generic over the part type.
trait UnaryKernel {
    fn c64(x: Complex32) -> Complex32;
    fn c128(x: Complex64) -> Complex64;
}

/// A complex two-operand function, generic over the part type.
trait BinaryKernel {
    fn c64(a: Complex32, b: Complex32) -> Complex32;
    fn c128(a: Complex64, b: Complex64) -> Complex64;
}

/// A complex element type the entry points read and write.
trait Elem: Copy {
    fn unary<K: UnaryKernel>(x: Self) -> Self;
    fn binary<K: BinaryKernel>(a: Self, b: Self) -> Self;
}

impl Elem for Complex32 {
    fn unary<K: UnaryKernel>(x: Self) -> Self {
        K::c64(x)
    }
    fn binary<K: BinaryKernel>(a: Self, b: Self) -> Self {
        K::c64(a, b)
    }
}

impl Elem for Complex64 {
    fn unary<K: UnaryKernel>(x: Self) -> Self {
        K::c128(x)
    }
    fn binary<K: BinaryKernel>(a: Self, b: Self) -> Self {
        K::c128(a, b)
    }
}

unsafe extern "C" fn unary_entry<T: Elem, K: UnaryKernel>(x: *const u8, out: *mut u8) {
    // SAFETY: the kernel passes pointers to one readable/writable element of `T`.
    unsafe {
        let v = (x as *const T).read_unaligned();
        (out as *mut T).write_unaligned(T::unary::<K>(v));
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

macro_rules! unary_kernel {
    ($name:ident, $f:ident) => {
        struct $name;
        impl UnaryKernel for $name {
            fn c64(x: Complex32) -> Complex32 {
                $f(x)
            }
            fn c128(x: Complex64) -> Complex64 {
                $f(x)
            }
        }
    };
}

macro_rules! binary_kernel {
    ($name:ident, $f:ident) => {
        struct $name;
        impl BinaryKernel for $name {
            fn c64(a: Complex32, b: Complex32) -> Complex32 {
                $f(a, b)
            }
            fn c128(a: Complex64, b: Complex64) -> Complex64 {
                $f(a, b)
            }
        }
    };
}

unary_kernel!(Sqrt, sqrt);
unary_kernel!(Exp, exp);
unary_kernel!(Log, log);
binary_kernel!(Div, div);

// Placeholder semantics (num-complex); NumPy's exact algorithms replace these.
fn sqrt<F: num_complex::ComplexFloat>(x: F) -> F {
    x.sqrt()
}
fn exp<F: num_complex::ComplexFloat>(x: F) -> F {
    x.exp()
}
fn log<F: num_complex::ComplexFloat>(x: F) -> F {
    x.ln()
}
fn div<F: num_complex::ComplexFloat>(a: F, b: F) -> F {
    a / b
}
