//! The Rust element types jitex reads and writes directly.

use crate::types::{Complex32, Complex64, DType, Scalar};

/// A Rust element type jitex can read and write: `bool`, `i8`…`u64`, `f32`, `f64`, and
/// `Complex32`/`Complex64` (`#[repr(C)]`: real part, then imaginary part, as NumPy's).
///
/// Sealed in spirit: every implementor's in-memory layout must be exactly its dtype's
/// (`size_of::<T>() == DTYPE.size()`, native endianness), which is what the kernels assume.
pub trait Element: Copy + Send + Sync + 'static {
    /// Its dtype.
    const DTYPE: DType;

    /// Converts a scalar of exactly this dtype back to `Self`; `None` for any other dtype.
    fn from_scalar(s: Scalar) -> Option<Self>;
}

macro_rules! element {
    ($($t:ty => $d:ident),* $(,)?) => {$(
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            fn from_scalar(s: Scalar) -> Option<Self> {
                match s {
                    Scalar::$d(v) => Some(v),
                    _ => None,
                }
            }
        }
    )*};
}

element!(
    bool => Bool, i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    u8 => U8, u16 => U16, u32 => U32, u64 => U64, f32 => F32, f64 => F64,
    Complex32 => C64, Complex64 => C128,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_dtypes() {
        fn check<T: Element>() {
            assert_eq!(std::mem::size_of::<T>(), T::DTYPE.size(), "{}", T::DTYPE);
            assert!(std::mem::align_of::<T>() <= 8);
        }
        check::<bool>();
        check::<i8>();
        check::<i16>();
        check::<i32>();
        check::<i64>();
        check::<u8>();
        check::<u16>();
        check::<u32>();
        check::<u64>();
        check::<f32>();
        check::<f64>();
        check::<Complex32>();
        check::<Complex64>();
    }

    #[test]
    fn from_scalar_checks_dtype() {
        assert_eq!(f64::from_scalar(Scalar::F64(1.5)), Some(1.5));
        assert_eq!(f64::from_scalar(Scalar::F32(1.5)), None);
        assert_eq!(bool::from_scalar(Scalar::Bool(true)), Some(true));
        let z = Complex64::new(1.5, -2.0);
        assert_eq!(Complex64::from_scalar(Scalar::C128(z)), Some(z));
        assert_eq!(Complex32::from_scalar(Scalar::C128(z)), None);
    }
}
