//! Which math function implements an IR operation on a dtype, and under which symbol name
//! the JIT imports it.

use super::{divmod, float, int};
use crate::ir::{BinaryOp, UnaryOp};
use crate::types::DType;

/// A math function, by signature.
#[derive(Clone, Copy, Debug)]
pub enum MathFn {
    /// `f64 -> f64`.
    F64(extern "C" fn(f64) -> f64),
    /// `f32 -> f32`.
    F32(extern "C" fn(f32) -> f32),
    /// `(f64, f64) -> f64`.
    F64x2(extern "C" fn(f64, f64) -> f64),
    /// `(f32, f32) -> f32`.
    F32x2(extern "C" fn(f32, f32) -> f32),
    /// `(i64, i64) -> i64`.
    I64x2(extern "C" fn(i64, i64) -> i64),
    /// `(u64, u64) -> u64`.
    U64x2(extern "C" fn(u64, u64) -> u64),
}

impl MathFn {
    /// The function's address, for the JIT's symbol table.
    pub fn addr(self) -> *const u8 {
        match self {
            MathFn::F64(f) => f as *const u8,
            MathFn::F32(f) => f as *const u8,
            MathFn::F64x2(f) => f as *const u8,
            MathFn::F32x2(f) => f as *const u8,
            MathFn::I64x2(f) => f as *const u8,
            MathFn::U64x2(f) => f as *const u8,
        }
    }

    /// Number of arguments.
    pub fn arity(self) -> usize {
        match self {
            MathFn::F64(_) | MathFn::F32(_) => 1,
            _ => 2,
        }
    }
}

/// A named math function.
#[derive(Clone, Copy, Debug)]
pub struct MathEntry {
    /// The symbol name the JIT imports it under (unique per function).
    pub name: &'static str,
    /// The function.
    pub func: MathFn,
}

macro_rules! by_float {
    ($dt:expr, $n:literal, $f64:path, $f32:path, $v64:ident, $v32:ident) => {
        match $dt {
            DType::F64 => Some(MathEntry {
                name: concat!("jitex_", $n, "_f64"),
                func: MathFn::$v64($f64),
            }),
            DType::F32 => Some(MathEntry {
                name: concat!("jitex_", $n, "_f32"),
                func: MathFn::$v32($f32),
            }),
            _ => None,
        }
    };
}

/// The function computing unary `op` on `dtype`, if the op is a call there.
pub fn unary(op: UnaryOp, dtype: DType) -> Option<MathEntry> {
    use UnaryOp::*;
    macro_rules! u {
        ($n:literal, $a:ident, $b:ident) => {
            by_float!(dtype, $n, float::$a, float::$b, F64, F32)
        };
    }
    match op {
        Sin => u!("sin", sin_f64, sin_f32),
        Cos => u!("cos", cos_f64, cos_f32),
        Tan => u!("tan", tan_f64, tan_f32),
        Arcsin => u!("arcsin", arcsin_f64, arcsin_f32),
        Arccos => u!("arccos", arccos_f64, arccos_f32),
        Arctan => u!("arctan", arctan_f64, arctan_f32),
        Sinh => u!("sinh", sinh_f64, sinh_f32),
        Cosh => u!("cosh", cosh_f64, cosh_f32),
        Tanh => u!("tanh", tanh_f64, tanh_f32),
        Arcsinh => u!("arcsinh", arcsinh_f64, arcsinh_f32),
        Arccosh => u!("arccosh", arccosh_f64, arccosh_f32),
        Arctanh => u!("arctanh", arctanh_f64, arctanh_f32),
        Exp => u!("exp", exp_f64, exp_f32),
        Expm1 => u!("expm1", expm1_f64, expm1_f32),
        Log => u!("log", log_f64, log_f32),
        Log1p => u!("log1p", log1p_f64, log1p_f32),
        Log2 => u!("log2", log2_f64, log2_f32),
        Log10 => u!("log10", log10_f64, log10_f32),
        _ => None,
    }
}

/// The function computing binary `op` on operands of `dtype`, if the op is a call there:
/// float `pow // % fmod arctan2 hypot nextafter`, and integer `**`.
pub fn binary(op: BinaryOp, dtype: DType) -> Option<MathEntry> {
    use BinaryOp::*;
    macro_rules! f {
        ($m:ident, $n:literal, $a:ident, $b:ident) => {
            by_float!(dtype, $n, $m::$a, $m::$b, F64x2, F32x2)
        };
    }
    match op {
        Pow if dtype.is_signed_int() => Some(MathEntry {
            name: "jitex_ipow_i64",
            func: MathFn::I64x2(int::ipow_i64),
        }),
        Pow if !dtype.is_float() => Some(MathEntry {
            name: "jitex_ipow_u64",
            func: MathFn::U64x2(int::ipow_u64),
        }),
        Pow => f!(float, "pow", pow_f64, pow_f32),
        FloorDiv => f!(divmod, "floordiv", floordiv_f64, floordiv_f32),
        Mod => f!(divmod, "remainder", remainder_f64, remainder_f32),
        Fmod => f!(float, "fmod", fmod_f64, fmod_f32),
        Arctan2 => f!(float, "arctan2", arctan2_f64, arctan2_f32),
        Hypot => f!(float, "hypot", hypot_f64, hypot_f32),
        Nextafter => f!(float, "nextafter", nextafter_f64, nextafter_f32),
        _ => None,
    }
}

/// Every entry, for registering them all with a JIT.
pub fn all() -> Vec<MathEntry> {
    const UNARY: [UnaryOp; 18] = {
        use UnaryOp::*;
        [
            Sin, Cos, Tan, Arcsin, Arccos, Arctan, Sinh, Cosh, Tanh, Arcsinh, Arccosh, Arctanh,
            Exp, Expm1, Log, Log1p, Log2, Log10,
        ]
    };
    const BINARY: [BinaryOp; 7] = {
        use BinaryOp::*;
        [Pow, FloorDiv, Mod, Fmod, Arctan2, Hypot, Nextafter]
    };
    let mut out = Vec::new();
    for dt in [DType::F64, DType::F32, DType::I64, DType::U64] {
        out.extend(UNARY.iter().filter_map(|&op| unary(op, dt)));
        out.extend(BINARY.iter().filter_map(|&op| binary(op, dt)));
    }
    out
}
