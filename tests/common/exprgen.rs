//! Random expressions as source text, over inputs `a`–`d` of given dtypes, shaped to be
//! well typed under jitex's (NumPy 2) rules: operands of bitwise ops and shifts are cast
//! to integers, `-` never meets two `bool`s, literals are small and non-negative so they
//! fit every integer dtype. Not declared in `common/mod.rs`: only end-to-end tests use it.

use crate::common::rng::Rng;
use jitex::types::Kind;
use jitex::DType;

const TRANSCENDENTAL: [&str; 19] = [
    "sqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
    "arccosh", "arctanh", "exp", "expm1", "log", "log1p", "log2", "log10",
];
const ROUNDING: [&str; 6] = ["abs", "sign", "ceil", "floor", "trunc", "round"];
const PREDICATES: [&str; 4] = ["isnan", "isfinite", "isinf", "signbit"];
const FLOAT2: [&str; 4] = ["arctan2", "hypot", "nextafter", "copysign"];
const CASTS: [&str; 11] = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32",
    "float64",
];
const INT_CASTS: [&str; 4] = ["int8", "int32", "uint16", "int64"];

/// A generated expression and the kind of its result.
#[derive(Clone, Debug)]
pub struct Gen {
    /// Source text.
    pub text: String,
    /// `bool`, integer or float.
    pub kind: Kind,
    /// `true` for a bare literal (negating it would make a negative literal).
    pub literal: bool,
}

fn node(text: String, kind: Kind) -> Gen {
    Gen {
        text,
        kind,
        literal: false,
    }
}

/// Casts `g` to an integer dtype unless it already is one.
fn as_int(rng: &mut Rng, g: Gen) -> Gen {
    if g.kind == Kind::Int {
        g
    } else {
        node(format!("{}({})", rng.pick(&INT_CASTS), g.text), Kind::Int)
    }
}

/// Casts `g` to an integer dtype if it is a float (bitwise ops take bools and ints).
fn as_bits(rng: &mut Rng, g: Gen) -> Gen {
    if g.kind == Kind::Float {
        as_int(rng, g)
    } else {
        g
    }
}

fn leaf(rng: &mut Rng, inputs: &[(&str, DType)]) -> Gen {
    if rng.chance(0.7) {
        let (name, dtype) = inputs[rng.below(inputs.len())];
        return Gen {
            text: name.to_string(),
            kind: dtype.kind(),
            literal: false,
        };
    }
    let (text, kind) = match rng.below(3) {
        0 => (rng.below(21).to_string(), Kind::Int),
        1 => (
            rng.pick(&["0.5", "2.0", "1e-3", "3.25", "0.0", "100.5"])
                .to_string(),
            Kind::Float,
        ),
        _ => (rng.pick(&["True", "False"]).to_string(), Kind::Bool),
    };
    Gen {
        text,
        kind,
        literal: true,
    }
}

/// A random expression of depth at most `depth`.
pub fn expr(rng: &mut Rng, depth: usize, inputs: &[(&str, DType)]) -> Gen {
    if depth == 0 || rng.chance(0.2) {
        return leaf(rng, inputs);
    }
    let d = depth - 1;
    match rng.below(12) {
        0..=2 => {
            let a = expr(rng, d, inputs);
            let mut op = rng.pick(&["+", "-", "*", "/", "//", "%", "**"]);
            let b = if op == "**" {
                // Small, non-negative literal exponents, or an input.
                if rng.chance(0.5) {
                    let text = rng.pick(&["0", "1", "2", "3", "0.5", "2.0"]);
                    let kind = if text.contains('.') {
                        Kind::Float
                    } else {
                        Kind::Int
                    };
                    Gen {
                        text: text.to_string(),
                        kind,
                        literal: true,
                    }
                } else {
                    leaf(rng, inputs)
                }
            } else {
                expr(rng, d, inputs)
            };
            if op == "-" && a.kind == Kind::Bool && b.kind == Kind::Bool {
                op = "+";
            }
            let kind = match op {
                "/" => Kind::Float,
                _ => a.kind.max(b.kind).max(if op == "+" || op == "*" {
                    Kind::Bool
                } else {
                    Kind::Int
                }),
            };
            node(format!("({} {op} {})", a.text, b.text), kind)
        }
        3 => {
            let a = expr(rng, d, inputs);
            let a = as_bits(rng, a);
            let b = expr(rng, d, inputs);
            let b = as_bits(rng, b);
            let kind = a.kind.max(b.kind);
            node(
                format!("({} {} {})", a.text, rng.pick(&["&", "|", "^"]), b.text),
                kind,
            )
        }
        4 => {
            let a = expr(rng, d, inputs);
            let a = as_int(rng, a);
            let b = expr(rng, d, inputs);
            let b = as_int(rng, b);
            node(
                format!("({} {} {})", a.text, rng.pick(&["<<", ">>"]), b.text),
                Kind::Int,
            )
        }
        5 => {
            let a = expr(rng, d, inputs);
            let b = expr(rng, d, inputs);
            let op = rng.pick(&["<", "<=", "==", "!=", ">=", ">"]);
            node(format!("({} {op} {})", a.text, b.text), Kind::Bool)
        }
        6 => {
            let a = expr(rng, d, inputs);
            if rng.chance(0.5) && !a.literal {
                let a = if a.kind == Kind::Bool {
                    as_int(rng, a)
                } else {
                    a
                };
                node(format!("(-{})", a.text), a.kind)
            } else {
                let a = as_bits(rng, a);
                node(format!("(~{})", a.text), a.kind)
            }
        }
        7 => {
            let a = expr(rng, d, inputs);
            match rng.below(3) {
                0 => node(
                    format!("{}({})", rng.pick(&TRANSCENDENTAL), a.text),
                    Kind::Float,
                ),
                1 => {
                    let a = if a.kind == Kind::Bool {
                        as_int(rng, a)
                    } else {
                        a
                    };
                    node(format!("{}({})", rng.pick(&ROUNDING), a.text), a.kind)
                }
                _ => node(format!("{}({})", rng.pick(&PREDICATES), a.text), Kind::Bool),
            }
        }
        8 => {
            let a = expr(rng, d, inputs);
            let b = expr(rng, d, inputs);
            match rng.below(3) {
                0 => node(
                    format!("{}({}, {})", rng.pick(&FLOAT2), a.text, b.text),
                    Kind::Float,
                ),
                1 => {
                    let kind = a.kind.max(b.kind);
                    let f = rng.pick(&["maximum", "minimum"]);
                    node(format!("{f}({}, {})", a.text, b.text), kind)
                }
                _ => {
                    let a = if a.kind == Kind::Bool {
                        as_int(rng, a)
                    } else {
                        a
                    };
                    let kind = a.kind.max(b.kind).max(Kind::Int);
                    node(format!("fmod({}, {})", a.text, b.text), kind)
                }
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
            let to = rng.pick(&CASTS);
            let kind = DType::from_name(to).map_or(Kind::Float, DType::kind);
            node(format!("{to}({})", a.text), kind)
        }
    }
}

/// `text` with every whole-word occurrence of the name `name` replaced by `with`.
#[allow(dead_code)] // Only the program tests substitute names.
pub fn replace_name(text: &str, name: &str, with: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_word(c) {
            word.push(c);
            continue;
        }
        out.push_str(if word == name { with } else { &word });
        word.clear();
        out.push(c);
    }
    out.pop();
    out
}
