//! numexpr's typing rules ([`Typing::Numexpr`](super::Typing::Numexpr)): the kinds numexpr
//! reads inputs as and how two of them promote. How lowering applies them is
//! `ir::lower::numexpr`.

use super::DType;

/// The dtype numexpr reads a `d` input as: `bool`, `int32` (integers of up to 32 bits but
/// `uint32`), `int64` (`uint32`, `int64`, `uint64`, the last wrapping as numexpr's cast
/// does), `float32`, `float64` or `complex128`. Strings are themselves.
pub fn numexpr_dtype(d: DType) -> DType {
    use DType::*;
    match d {
        I8 | I16 | I32 | U8 | U16 => I32,
        U32 | I64 | U64 => I64,
        C64 => C128,
        d => d,
    }
}

/// numexpr's kind order, `bool < int32 < int64 < float32 < float64 < complex128`, for
/// dtypes already mapped by [`numexpr_dtype`] (strings rank last).
pub fn numexpr_rank(d: DType) -> u8 {
    match numexpr_dtype(d) {
        DType::Bool => 0,
        DType::I32 => 1,
        DType::I64 => 2,
        DType::F32 => 3,
        DType::F64 => 4,
        DType::C128 => 5,
        _ => 6,
    }
}

/// numexpr's common kind of two operands: the higher-ranked of their numexpr dtypes.
/// `int64` with `float32` is `float32`, as numexpr computes it.
pub fn promote_numexpr(a: DType, b: DType) -> DType {
    let (a, b) = (numexpr_dtype(a), numexpr_dtype(b));
    if numexpr_rank(b) > numexpr_rank(a) {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numexpr_promotion() {
        use DType::*;
        assert_eq!(promote_numexpr(I32, F32), F32);
        assert_eq!(promote_numexpr(I64, F32), F32);
        assert_eq!(promote_numexpr(I8, U8), I32);
        assert_eq!(promote_numexpr(U32, Bool), I64);
        assert_eq!(promote_numexpr(C64, F32), C128);
        assert_eq!(promote_numexpr(Bool, Bool), Bool);
    }
}
