//! Data types, typed scalars, and NumPy 2's promotion rules.
//!
//! jitex follows NumPy 2 (NEP 50): arrays and named scalar inputs have a *strong*
//! dtype; Python-style literals (`2`, `2.5`, `True`) are *weak* and take the dtype of
//! the array they meet (`f32_array * 2.0` stays `float32`).

mod numexpr;

pub use num_complex::{Complex32, Complex64};
pub use numexpr::{numexpr_dtype, numexpr_rank, promote_numexpr};
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
    /// `complex64`: two `float32`, real part first.
    C64,
    /// `complex128`: two `float64`, real part first.
    C128,
    /// NumPy's `S<n>`: fixed-width byte strings of `n` bytes, padded with NUL.
    Bytes(u32),
    /// NumPy's `U<n>`: fixed-width strings of `n` UCS-4 code points (native-endian `u32`),
    /// padded with NUL.
    Str(u32),
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
    /// Complex floating point.
    Complex,
    /// Byte strings (`S`) and unicode strings (`U`): they only compare and `contains`.
    String,
}

impl DType {
    /// Every real (non-complex, non-string) dtype, in declaration order.
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

    /// The two complex dtypes.
    pub const COMPLEX: [DType; 2] = [DType::C64, DType::C128];

    /// Size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 | DType::C64 => 8,
            DType::C128 => 16,
            DType::Bytes(n) => n as usize,
            DType::Str(n) => 4 * n as usize,
        }
    }

    /// Size of one element in bits.
    pub fn bits(self) -> u32 {
        self.size() as u32 * 8
    }

    /// NumPy's name for the dtype (`"float64"`, `"S5"`, `"U3"`).
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        match self {
            DType::Bytes(n) => format!("S{n}").into(),
            DType::Str(n) => format!("U{n}").into(),
            _ => self.static_name().into(),
        }
    }

    fn static_name(self) -> &'static str {
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
            DType::C64 => "complex64",
            DType::C128 => "complex128",
            DType::Bytes(_) => "bytes",
            DType::Str(_) => "str",
        }
    }

    /// Parses a dtype as NumPy spells it: a full name (`"bool"`, `"int8"` … `"uint64"`,
    /// `"float32"`, `"float64"`, `"complex64"`, `"complex128"`), a type code with NumPy's
    /// meaning, kind and size in *bytes* (`"?"`/`"b1"`, `"i1"` `"i2"` `"i4"` `"i8"`, `"u1"`
    /// … `"u8"`, `"f4"` `"f8"`, `"c8"` `"c16"`: so `"i8"` is int64, as in NumPy), or a string
    /// dtype (`"S5"`, `"U3"`). Bit-count names such as `"i32"` or `"f64"` are not NumPy's and
    /// are refused, so that no name means two dtypes.
    pub fn from_name(name: &str) -> Option<DType> {
        if let Some(rest) = name.strip_prefix('S') {
            return parse_width(rest).map(DType::Bytes);
        }
        if let Some(rest) = name.strip_prefix('U') {
            return parse_width(rest).map(DType::Str);
        }
        Some(match name {
            "bool" | "b1" | "?" => DType::Bool,
            "int8" | "i1" => DType::I8,
            "int16" | "i2" => DType::I16,
            "int32" | "i4" => DType::I32,
            "int64" | "i8" => DType::I64,
            "uint8" | "u1" => DType::U8,
            "uint16" | "u2" => DType::U16,
            "uint32" | "u4" => DType::U32,
            "uint64" | "u8" => DType::U64,
            "float32" | "f4" => DType::F32,
            "float64" | "f8" => DType::F64,
            "complex64" | "c8" => DType::C64,
            "complex128" | "c16" => DType::C128,
            _ => return None,
        })
    }

    /// The family of this dtype.
    pub fn kind(self) -> Kind {
        match self {
            DType::Bool => Kind::Bool,
            DType::F32 | DType::F64 => Kind::Float,
            DType::C64 | DType::C128 => Kind::Complex,
            DType::Bytes(_) | DType::Str(_) => Kind::String,
            _ => Kind::Int,
        }
    }

    /// `true` for `complex64` and `complex128`.
    pub fn is_complex(self) -> bool {
        self.kind() == Kind::Complex
    }

    /// `true` for byte and unicode strings.
    pub fn is_string(self) -> bool {
        self.kind() == Kind::String
    }

    /// `true` for the numeric dtypes: everything but strings.
    pub fn is_numeric(self) -> bool {
        !self.is_string()
    }

    /// For a complex dtype, the dtype of its parts (`complex64` → `float32`); otherwise itself.
    pub fn real_part(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            d => d,
        }
    }

    /// The complex dtype whose parts are float dtype `self` (`float32` → `complex64`).
    pub fn to_complex(self) -> DType {
        match self {
            DType::F32 | DType::C64 => DType::C64,
            _ => DType::C128,
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

/// A string dtype's width: 1 to 2^24 characters (wider is refused as absurd, not silently truncated).
fn parse_width(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u32>()
        .ok()
        .filter(|&n| (1..=1 << 24).contains(&n))
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
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
    /// A `complex64`.
    C64(Complex32),
    /// A `complex128`.
    C128(Complex64),
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
            Scalar::C64(_) => DType::C64,
            Scalar::C128(_) => DType::C128,
        }
    }

    /// The value's bit pattern, zero-extended to 128 bits (as stored in memory, little end
    /// first: a complex value's real part is the low half).
    pub fn to_bits(self) -> u128 {
        match self {
            Scalar::C64(z) => (z.re.to_bits() as u128) | (z.im.to_bits() as u128) << 32,
            Scalar::C128(z) => (z.re.to_bits() as u128) | (z.im.to_bits() as u128) << 64,
            s => s.to_bits64() as u128,
        }
    }

    /// The bit pattern of a value of at most 8 bytes (a `complex128` gives its real part).
    fn to_bits64(self) -> u64 {
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
            Scalar::C64(_) | Scalar::C128(_) => self.to_bits() as u64,
        }
    }

    /// Rebuilds a value from the low `dtype.bits()` bits of `bits`. A `bool` is true when
    /// nonzero; a string dtype (which has no scalar) gives `bool` false.
    pub fn from_bits(dtype: DType, bits: u128) -> Scalar {
        let low = bits as u64;
        match dtype {
            DType::Bool => Scalar::Bool(low as u8 != 0),
            DType::I8 => Scalar::I8(low as i8),
            DType::I16 => Scalar::I16(low as i16),
            DType::I32 => Scalar::I32(low as i32),
            DType::I64 => Scalar::I64(low as i64),
            DType::U8 => Scalar::U8(low as u8),
            DType::U16 => Scalar::U16(low as u16),
            DType::U32 => Scalar::U32(low as u32),
            DType::U64 => Scalar::U64(low),
            DType::F32 => Scalar::F32(f32::from_bits(low as u32)),
            DType::F64 => Scalar::F64(f64::from_bits(low)),
            DType::C64 => Scalar::C64(Complex32::new(
                f32::from_bits(low as u32),
                f32::from_bits((low >> 32) as u32),
            )),
            DType::C128 => Scalar::C128(Complex64::new(
                f64::from_bits(low),
                f64::from_bits((bits >> 64) as u64),
            )),
            DType::Bytes(_) | DType::Str(_) => Scalar::Bool(false),
        }
    }

    /// Reads one element of numeric `dtype` from the start of `bytes` (native endianness).
    ///
    /// Panics if `bytes` is shorter than `dtype.size()`. A string dtype reads nothing and
    /// gives `bool` false (strings are not scalars).
    pub fn read(dtype: DType, bytes: &[u8]) -> Scalar {
        let mut buf = [0u8; 16];
        let n = if dtype.is_string() { 0 } else { dtype.size() };
        buf[..n].copy_from_slice(&bytes[..n]);
        Scalar::from_bits(dtype, u128::from_le_bytes(buf))
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
    ///
    /// Complex → real keeps the real part (NumPy warns and does the same); complex → `bool`
    /// is `z != 0`; real → complex has a zero imaginary part. A string `to` (never asked
    /// for by lowering) gives `self` unchanged.
    pub fn cast(self, to: DType) -> Scalar {
        if to.is_string() || to == self.dtype() {
            return self;
        }
        match (self, to) {
            (Scalar::C64(z), DType::C128) => {
                return Scalar::C128(Complex64::new(z.re as f64, z.im as f64))
            }
            (Scalar::C128(z), DType::C64) => {
                return Scalar::C64(Complex32::new(z.re as f32, z.im as f32))
            }
            (Scalar::C64(z), DType::Bool) => return Scalar::Bool(z.re != 0.0 || z.im != 0.0),
            (Scalar::C128(z), DType::Bool) => return Scalar::Bool(z.re != 0.0 || z.im != 0.0),
            (Scalar::C64(z), _) => return Scalar::F32(z.re).cast(to),
            (Scalar::C128(z), _) => return Scalar::F64(z.re).cast(to),
            (_, DType::C64) => {
                let Scalar::F32(re) = self.cast(DType::F32) else {
                    unreachable!()
                };
                return Scalar::C64(Complex32::new(re, 0.0));
            }
            (_, DType::C128) => {
                let Scalar::F64(re) = self.cast(DType::F64) else {
                    unreachable!()
                };
                return Scalar::C128(Complex64::new(re, 0.0));
            }
            _ => {}
        }
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
                    // Handled before the macro is used.
                    DType::C64 | DType::C128 | DType::Bytes(_) | DType::Str(_) => self,
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
            Scalar::C64(_) | Scalar::C128(_) => self,
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
            Scalar::C64(z) => write!(f, "({:?}{:+?}j)", z.re, z.im),
            Scalar::C128(z) => write!(f, "({:?}{:+?}j)", z.re, z.im),
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
        // Strings never meet numbers in arithmetic (lowering refuses first); keep `a`.
        (Kind::String, _) | (_, Kind::String) => a,
        (Kind::Complex, _) | (_, Kind::Complex) => {
            // The complex dtype whose parts hold both: `complex64` needs both sides to fit
            // `float32`.
            let part = |d: DType| if d.is_complex() { d.real_part() } else { d };
            match promote(part(a), part(b)) {
                DType::F32 | DType::Bool | DType::I8 | DType::U8 | DType::I16 | DType::U16 => {
                    DType::C64
                }
                _ => DType::C128,
            }
        }
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

/// Which typing rules an expression is checked with.
///
/// jitex's own rules are NumPy 2's. Code written for numexpr (pandas' `eval`, say) expects
/// numexpr's answers, whose dtypes differ (`int32 * float32` is `float32` there, `abs` of an
/// integer is `float64`), so the Python binding's numexpr stand-in asks for [`Typing::Numexpr`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Typing {
    /// NumPy 2 (NEP 50): native dtypes, weak literals.
    #[default]
    NumPy,
    /// numexpr 2.14: every input is read as one of numexpr's six kinds (see
    /// [`numexpr_dtype`]), literals are strong (`int32` when they fit, else `int64`;
    /// `float64`; `complex128`), and two kinds promote to the higher in the order
    /// [`numexpr_rank`] gives.
    Numexpr,
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
    fn names_have_numpy_meanings() {
        use DType::*;
        let cases = [
            ("bool", Bool),
            ("?", Bool),
            ("b1", Bool),
            ("i1", I8),
            ("i2", I16),
            ("i4", I32),
            ("i8", I64),
            ("u1", U8),
            ("u2", U16),
            ("u4", U32),
            ("u8", U64),
            ("f4", F32),
            ("f8", F64),
            ("c8", C64),
            ("c16", C128),
            ("S5", Bytes(5)),
            ("U3", Str(3)),
        ];
        for (name, dtype) in cases {
            assert_eq!(DType::from_name(name), Some(dtype), "{name}");
        }
        // Every full name is the dtype's own name.
        for d in [
            Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, C64, C128,
        ] {
            assert_eq!(DType::from_name(&d.to_string()), Some(d));
        }
        // Bit-count names are not NumPy's: `i8` would otherwise mean two things.
        for name in [
            "i16", "i32", "i64", "u16", "u64", "f32", "f64", "c64", "c128", "f2", "i",
        ] {
            assert_eq!(DType::from_name(name), None, "{name}");
        }
    }

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
