//! Data types, typed scalars, and NumPy 2's promotion rules.
//!
//! jitex follows NumPy 2 (NEP 50): arrays and named scalar inputs have a *strong*
//! dtype; Python-style literals (`2`, `2.5`, `True`) are *weak* and take the dtype of
//! the array they meet (`f32_array * 2.0` stays `float32`).

use std::fmt;

/// An element type. All are native: jitex never widens small integers behind the user's back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// `bool`, one byte, 0 or 1.
    Bool,
    /// `int8`.
    I8,
    /// `int16`.
    I16,
    /// `int32`.
    I32,
    /// `int64`.
    I64,
    /// `uint8`.
    U8,
    /// `uint16`.
    U16,
    /// `uint32`.
    U32,
    /// `uint64`.
    U64,
    /// `float32`.
    F32,
    /// `float64`.
    F64,
}

/// The broad family of a dtype, in NumPy's order `bool < int < float`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `bool`.
    Bool,
    /// Signed or unsigned integers.
    Int,
    /// Floating point.
    Float,
}

impl DType {
    /// Every dtype, in declaration order.
    pub const ALL: [DType; 11] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F32,
        DType::F64,
    ];

    /// Size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 => 8,
        }
    }

    /// Size of one element in bits.
    pub fn bits(self) -> u32 {
        self.size() as u32 * 8
    }

    /// NumPy's name for the dtype (`"float64"`).
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// Parses NumPy's name or jitex's short name (`"float64"`, `"f64"`, `"i32"`, `"b1"`).
    pub fn from_name(name: &str) -> Option<DType> {
        Some(match name {
            "bool" | "b1" | "?" => DType::Bool,
            "int8" | "i8" | "i1" => DType::I8,
            "int16" | "i16" | "i2" => DType::I16,
            "int32" | "i32" | "i4" => DType::I32,
            "int64" | "i64" => DType::I64,
            "uint8" | "u8" | "u1" => DType::U8,
            "uint16" | "u16" | "u2" => DType::U16,
            "uint32" | "u32" | "u4" => DType::U32,
            "uint64" | "u64" => DType::U64,
            "float32" | "f32" | "f4" => DType::F32,
            "float64" | "f64" | "f8" => DType::F64,
            _ => return None,
        })
    }

    /// The family of this dtype.
    pub fn kind(self) -> Kind {
        match self {
            DType::Bool => Kind::Bool,
            DType::F32 | DType::F64 => Kind::Float,
            _ => Kind::Int,
        }
    }

    /// `true` for `float32` and `float64`.
    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }

    /// `true` for signed and unsigned integers (not `bool`).
    pub fn is_int(self) -> bool {
        self.kind() == Kind::Int
    }

    /// `true` for signed integers.
    pub fn is_signed_int(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    /// `true` for unsigned integers.
    pub fn is_unsigned_int(self) -> bool {
        matches!(self, DType::U8 | DType::U16 | DType::U32 | DType::U64)
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One typed value: a constant in the IR, a scalar input, or an element in the interpreter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// A `bool`.
    Bool(bool),
    /// An `int8`.
    I8(i8),
    /// An `int16`.
    I16(i16),
    /// An `int32`.
    I32(i32),
    /// An `int64`.
    I64(i64),
    /// A `uint8`.
    U8(u8),
    /// A `uint16`.
    U16(u16),
    /// A `uint32`.
    U32(u32),
    /// A `uint64`.
    U64(u64),
    /// A `float32`.
    F32(f32),
    /// A `float64`.
    F64(f64),
}

impl Scalar {
    /// The dtype of this value.
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::I8(_) => DType::I8,
            Scalar::I16(_) => DType::I16,
            Scalar::I32(_) => DType::I32,
            Scalar::I64(_) => DType::I64,
            Scalar::U8(_) => DType::U8,
            Scalar::U16(_) => DType::U16,
            Scalar::U32(_) => DType::U32,
            Scalar::U64(_) => DType::U64,
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
        }
    }

    /// The value's bit pattern, zero-extended to 64 bits (as stored in memory, little end first).
    pub fn to_bits(self) -> u64 {
        match self {
            Scalar::Bool(v) => v as u64,
            Scalar::I8(v) => v as u8 as u64,
            Scalar::I16(v) => v as u16 as u64,
            Scalar::I32(v) => v as u32 as u64,
            Scalar::I64(v) => v as u64,
            Scalar::U8(v) => v as u64,
            Scalar::U16(v) => v as u64,
            Scalar::U32(v) => v as u64,
            Scalar::U64(v) => v,
            Scalar::F32(v) => v.to_bits() as u64,
            Scalar::F64(v) => v.to_bits(),
        }
    }

    /// Rebuilds a value from the low `dtype.bits()` bits of `bits`. A `bool` is true when nonzero.
    pub fn from_bits(dtype: DType, bits: u64) -> Scalar {
        match dtype {
            DType::Bool => Scalar::Bool(bits as u8 != 0),
            DType::I8 => Scalar::I8(bits as i8),
            DType::I16 => Scalar::I16(bits as i16),
            DType::I32 => Scalar::I32(bits as i32),
            DType::I64 => Scalar::I64(bits as i64),
            DType::U8 => Scalar::U8(bits as u8),
            DType::U16 => Scalar::U16(bits as u16),
            DType::U32 => Scalar::U32(bits as u32),
            DType::U64 => Scalar::U64(bits),
            DType::F32 => Scalar::F32(f32::from_bits(bits as u32)),
            DType::F64 => Scalar::F64(f64::from_bits(bits)),
        }
    }

    /// Reads one element of `dtype` from the start of `bytes` (native endianness).
    ///
    /// Panics if `bytes` is shorter than `dtype.size()`.
    pub fn read(dtype: DType, bytes: &[u8]) -> Scalar {
        let mut buf = [0u8; 8];
        buf[..dtype.size()].copy_from_slice(&bytes[..dtype.size()]);
        Scalar::from_bits(dtype, u64::from_le_bytes(buf))
    }

    /// Writes this value into the start of `bytes` (native endianness).
    ///
    /// Panics if `bytes` is shorter than the value's size.
    pub fn write(self, bytes: &mut [u8]) {
        let n = self.dtype().size();
        bytes[..n].copy_from_slice(&self.to_bits().to_le_bytes()[..n]);
    }

    /// Converts to `to` with NumPy's `astype` semantics (documented in docs/language.md):
    /// integers wrap, `x != 0` gives `bool`, and float → integer truncates toward zero,
    /// saturating out-of-range values and mapping NaN to 0 (NumPy leaves those
    /// platform-defined; jitex picks Rust's `as`).
    pub fn cast(self, to: DType) -> Scalar {
        macro_rules! conv {
            ($v:expr) => {
                match to {
                    DType::Bool => Scalar::Bool($v != (0 as _)),
                    DType::I8 => Scalar::I8($v as i8),
                    DType::I16 => Scalar::I16($v as i16),
                    DType::I32 => Scalar::I32($v as i32),
                    DType::I64 => Scalar::I64($v as i64),
                    DType::U8 => Scalar::U8($v as u8),
                    DType::U16 => Scalar::U16($v as u16),
                    DType::U32 => Scalar::U32($v as u32),
                    DType::U64 => Scalar::U64($v as u64),
                    DType::F32 => Scalar::F32($v as f32),
                    DType::F64 => Scalar::F64($v as f64),
                }
            };
        }
        match self {
            Scalar::Bool(v) => conv!(v as u8),
            Scalar::I8(v) => conv!(v),
            Scalar::I16(v) => conv!(v),
            Scalar::I32(v) => conv!(v),
            Scalar::I64(v) => conv!(v),
            Scalar::U8(v) => conv!(v),
            Scalar::U16(v) => conv!(v),
            Scalar::U32(v) => conv!(v),
            Scalar::U64(v) => conv!(v),
            Scalar::F32(v) => {
                if to == DType::Bool {
                    // NaN is truthy, as in NumPy.
                    Scalar::Bool(v != 0.0)
                } else {
                    conv!(v)
                }
            }
            Scalar::F64(v) => {
                if to == DType::Bool {
                    Scalar::Bool(v != 0.0)
                } else {
                    conv!(v)
                }
            }
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Scalar::Bool(v) => write!(f, "{}", if v { "True" } else { "False" }),
            Scalar::I8(v) => write!(f, "{v}"),
            Scalar::I16(v) => write!(f, "{v}"),
            Scalar::I32(v) => write!(f, "{v}"),
            Scalar::I64(v) => write!(f, "{v}"),
            Scalar::U8(v) => write!(f, "{v}"),
            Scalar::U16(v) => write!(f, "{v}"),
            Scalar::U32(v) => write!(f, "{v}"),
            Scalar::U64(v) => write!(f, "{v}"),
            Scalar::F32(v) => write!(f, "{v:?}"),
            Scalar::F64(v) => write!(f, "{v:?}"),
        }
    }
}

/// NumPy's `result_type` for two strong dtypes: the smallest dtype both cast to safely.
///
/// `int64` with `uint64` gives `float64`, as NumPy does.
pub fn promote(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    match (a.kind(), b.kind()) {
        (Kind::Bool, _) => b,
        (_, Kind::Bool) => a,
        (Kind::Float, Kind::Float) => F64,
        (Kind::Float, Kind::Int) => float_for(a, b),
        (Kind::Int, Kind::Float) => float_for(b, a),
        (Kind::Int, Kind::Int) => {
            let (sa, sb) = (a.is_signed_int(), b.is_signed_int());
            if sa == sb {
                if a.size() >= b.size() {
                    a
                } else {
                    b
                }
            } else {
                let (s, u) = if sa { (a, b) } else { (b, a) };
                if s.size() > u.size() {
                    s
                } else {
                    match u.size() {
                        1 => I16,
                        2 => I32,
                        4 => I64,
                        _ => F64,
                    }
                }
            }
        }
    }
}

/// The float dtype that holds both float `f` and integer `i` exactly (NumPy's rule:
/// `float32` holds 8- and 16-bit integers, wider ones need `float64`).
fn float_for(f: DType, i: DType) -> DType {
    if f == DType::F64 || i.size() > 2 {
        DType::F64
    } else {
        DType::F32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_matches_numpy_examples() {
        use DType::*;
        assert_eq!(promote(I8, U8), I16);
        assert_eq!(promote(I64, U64), F64);
        assert_eq!(promote(U8, I16), I16);
        assert_eq!(promote(I16, F32), F32);
        assert_eq!(promote(I32, F32), F64);
        assert_eq!(promote(Bool, F32), F32);
        assert_eq!(promote(U32, I32), I64);
    }

    #[test]
    fn bits_roundtrip() {
        for v in [
            Scalar::I8(-1),
            Scalar::F32(-0.0),
            Scalar::U64(u64::MAX),
            Scalar::Bool(true),
        ] {
            assert_eq!(Scalar::from_bits(v.dtype(), v.to_bits()), v);
        }
    }
}
