//! Random well-typed expressions involving complex numbers, as source text, over inputs of
//! dtypes complex64, complex128, float32, float64, int32 and bool, and random values for
//! them with NaN, ±inf, ±0, huge and tiny values in either part. Shaped by jitex's (NumPy 2)
//! rules for complex numbers: no ordering, `floor ceil trunc` or bitwise ops; `complex(re, im)` takes
//! two reals; unary `-` never meets a `bool`. Not declared in `common/mod.rs`: only the
//! complex differential test uses it.

use crate::common::rng::Rng;
use jitex::types::{Complex32, Complex64, Kind};
use jitex::{DType, Scalar};

/// The input dtypes drawn.
pub const DTYPES: [DType; 6] = [
    DType::C64,
    DType::C128,
    DType::F32,
    DType::F64,
    DType::I32,
    DType::Bool,
];

/// One-argument functions defined on every numeric kind, complex included.
const FUNCTIONS: [&str; 19] = [
    "sqrt", "exp", "expm1", "log", "log1p", "log10", "log2", "sin", "cos", "tan", "sinh", "cosh",
    "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
];
const PREDICATES: [&str; 3] = ["isnan", "isfinite", "isinf"];
/// Weak literals: complex (Python syntax), float and int.
const LITERALS: [(&str, Kind); 12] = [
    ("2j", Kind::Complex),
    ("(1-2j)", Kind::Complex),
    ("0j", Kind::Complex),
    ("(-0.5+1e-3j)", Kind::Complex),
    ("1e300j", Kind::Complex),
    ("(3+0j)", Kind::Complex),
    ("1.5", Kind::Float),
    ("0.0", Kind::Float),
    ("1e-310", Kind::Float),
    ("2", Kind::Int),
    ("0", Kind::Int),
    ("7", Kind::Int),
];

/// A generated expression and the kind of its result.
#[derive(Clone, Debug)]
pub struct Gen {
    /// Source text.
    pub text: String,
    /// `bool`, integer, float or complex.
    pub kind: Kind,
}

fn node(text: String, kind: Kind) -> Gen {
    Gen { text, kind }
}

/// `g` made real: a complex value through `real` or `imag`, anything else unchanged.
fn as_real(rng: &mut Rng, g: Gen) -> Gen {
    if g.kind == Kind::Complex {
        let f = rng.pick(&["real", "imag", "abs"]);
        node(format!("{f}({})", g.text), Kind::Float)
    } else {
        g
    }
}

/// `g` made something unary `-` accepts: a `bool` becomes an int32 or float64.
fn as_signed(rng: &mut Rng, g: Gen) -> Gen {
    if g.kind == Kind::Bool {
        let (f, kind) = rng.pick(&[("int32", Kind::Int), ("float64", Kind::Float)]);
        node(format!("{f}({})", g.text), kind)
    } else {
        g
    }
}

fn leaf(rng: &mut Rng, inputs: &[(&str, DType)]) -> Gen {
    if rng.chance(0.75) {
        let (name, dtype) = inputs[rng.below(inputs.len())];
        return node(name.to_string(), dtype.kind());
    }
    let (text, kind) = rng.pick(&LITERALS);
    node(text.to_string(), kind)
}

/// A random expression of depth at most `depth`.
pub fn expr(rng: &mut Rng, depth: usize, inputs: &[(&str, DType)]) -> Gen {
    if depth == 0 || rng.chance(0.15) {
        return leaf(rng, inputs);
    }
    let d = depth - 1;
    match rng.below(11) {
        0..=2 => {
            let a = expr(rng, d, inputs);
            let b = expr(rng, d, inputs);
            let mut op = rng.pick(&["+", "-", "*", "/", "**"]);
            let bools = a.kind == Kind::Bool && b.kind == Kind::Bool;
            if bools && (op == "-" || op == "**") {
                op = "+";
            }
            let kind = match op {
                "/" => a.kind.max(b.kind).max(Kind::Float),
                "**" => a.kind.max(b.kind).max(Kind::Int),
                _ => a.kind.max(b.kind),
            };
            node(format!("({} {op} {})", a.text, b.text), kind)
        }
        3 => {
            let a = expr(rng, d, inputs);
            let a = as_signed(rng, a);
            let kind = a.kind;
            node(format!("(-{})", a.text), kind)
        }
        4 => {
            let a = expr(rng, d, inputs);
            let b = expr(rng, d, inputs);
            let op = rng.pick(&["==", "!="]);
            node(format!("({} {op} {})", a.text, b.text), Kind::Bool)
        }
        5 | 6 => {
            let a = expr(rng, d, inputs);
            let kind = if a.kind == Kind::Complex {
                Kind::Complex
            } else {
                Kind::Float
            };
            node(format!("{}({})", rng.pick(&FUNCTIONS), a.text), kind)
        }
        7 => {
            let a = expr(rng, d, inputs);
            let f = rng.pick(&["abs", "real", "imag", "conj", "sign", "round"]);
            let a = if f == "sign" { as_signed(rng, a) } else { a };
            let kind = match (f, a.kind) {
                ("conj" | "sign", k) => k,
                // NumPy's float16 for bool, float32 in jitex.
                ("round", Kind::Bool) => Kind::Float,
                ("round", k) => k,
                (_, Kind::Complex) => Kind::Float,
                (_, k) => k,
            };
            // The parts also as attributes, as numexpr writes them.
            if matches!(f, "real" | "imag") && rng.chance(0.5) {
                return node(format!("({}).{f}", a.text), kind);
            }
            node(format!("{f}({})", a.text), kind)
        }
        8 => {
            if rng.chance(0.5) {
                let re = expr(rng, d, inputs);
                let re = as_real(rng, re);
                let im = expr(rng, d, inputs);
                let im = as_real(rng, im);
                node(format!("complex({}, {})", re.text, im.text), Kind::Complex)
            } else {
                let a = expr(rng, d, inputs);
                let f = rng.pick(&["complex64", "complex128"]);
                node(format!("{f}({})", a.text), Kind::Complex)
            }
        }
        9 => {
            let c = expr(rng, d, inputs);
            let x = expr(rng, d, inputs);
            let y = expr(rng, d, inputs);
            let kind = x.kind.max(y.kind);
            node(format!("where({}, {}, {})", c.text, x.text, y.text), kind)
        }
        _ => {
            let a = expr(rng, d, inputs);
            node(format!("{}({})", rng.pick(&PREDICATES), a.text), Kind::Bool)
        }
    }
}

/// One part of a complex value: a special (NaN, ±inf, ±0, huge, tiny, subnormal) a third
/// of the time, else a small ordinary value or a random magnitude over the whole range.
fn part(rng: &mut Rng) -> f64 {
    const SPECIALS: [f64; 16] = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        1e300,
        -1e300,
        1e-300,
        -5e-324,
        3e38,
        -1e-40,
        f64::MAX,
        f64::MIN_POSITIVE,
    ];
    if rng.chance(0.33) {
        return rng.pick(&SPECIALS);
    }
    if rng.chance(0.6) {
        return (rng.below(400) as f64 - 200.0) / 16.0;
    }
    // A random sign and a random exponent across (most of) the float64 range.
    let mag = 10f64.powi(rng.below(600) as i32 - 300) * (1.0 + rng.below(1000) as f64 / 1000.0);
    if rng.chance(0.5) {
        -mag
    } else {
        mag
    }
}

/// A random value of `dtype` (one of [`DTYPES`]); complex values draw each part separately.
pub fn value(rng: &mut Rng, dtype: DType) -> Scalar {
    match dtype {
        // `as f32` rounds huge float64 parts to ±inf and tiny ones to (sub)normals or ±0.
        DType::C64 => Scalar::C64(Complex32::new(part(rng) as f32, part(rng) as f32)),
        DType::C128 => Scalar::C128(Complex64::new(part(rng), part(rng))),
        DType::F32 => Scalar::F32(part(rng) as f32),
        DType::F64 => Scalar::F64(part(rng)),
        _ => rng.scalar(dtype),
    }
}
