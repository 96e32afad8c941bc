//! Expected values in plain Rust, independent of Cranelift: integer ops computed exactly in
//! `i128` and wrapped, float ops with `std`.

use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::math;
use crate::types::{DType, Scalar};

fn to_i128(s: Scalar) -> i128 {
    match s {
        Scalar::Bool(v) => v as i128,
        Scalar::I8(v) => v as i128,
        Scalar::I16(v) => v as i128,
        Scalar::I32(v) => v as i128,
        Scalar::I64(v) => v as i128,
        Scalar::U8(v) => v as i128,
        Scalar::U16(v) => v as i128,
        Scalar::U32(v) => v as i128,
        Scalar::U64(v) => v as i128,
        _ => unreachable!("not an integer"),
    }
}

/// Wraps an exact result into `dt` (two's complement truncation).
fn wrap(v: i128, dt: DType) -> Scalar {
    Scalar::from_bits(dt, v as u64)
}

fn int_unary(op: UnaryOp, dt: DType, x: i128) -> Scalar {
    use UnaryOp::*;
    let b = |v: bool| Scalar::Bool(v);
    match op {
        Neg => wrap(-x, dt),
        Not => wrap(!x, dt),
        Abs => wrap(x.abs(), dt),
        Sign => wrap(x.signum(), dt),
        Ceil | Floor | Trunc | Round => wrap(x, dt),
        IsNan | IsInf => b(false),
        IsFinite => b(true),
        SignBit => b(x < 0),
        _ => unreachable!(),
    }
}

fn ipow(base: i128, exp: i128) -> i128 {
    if exp < 0 {
        return match base {
            1 => 1,
            -1 => 1 - 2 * (exp & 1),
            _ => 0,
        };
    }
    let (mut r, mut b, mut e) = (1u128, base as u128, exp as u128);
    while e > 0 {
        if e & 1 == 1 {
            r = r.wrapping_mul(b);
        }
        b = b.wrapping_mul(b);
        e >>= 1;
    }
    r as i128
}

fn int_binary(op: BinaryOp, dt: DType, x: i128, y: i128) -> Scalar {
    use BinaryOp::*;
    let b = |v: bool| Scalar::Bool(v);
    let bits = dt.bits() as i128;
    match op {
        Add => wrap(x + y, dt),
        Sub => wrap(x - y, dt),
        Mul => wrap(x.wrapping_mul(y), dt),
        FloorDiv if y == 0 => wrap(0, dt),
        FloorDiv => wrap(
            x.div_euclid(y) - if y < 0 && x.rem_euclid(y) != 0 { 1 } else { 0 },
            dt,
        ),
        Mod | Fmod if y == 0 => wrap(0, dt),
        Mod => {
            let r = x % y;
            wrap(
                if r != 0 && (r < 0) != (y < 0) {
                    r + y
                } else {
                    r
                },
                dt,
            )
        }
        Fmod => wrap(x % y, dt),
        Pow => wrap(ipow(x, y), dt),
        Shl => wrap(if y < 0 || y >= bits { 0 } else { x << y }, dt),
        Shr if y < 0 || y >= bits => wrap(if x < 0 { -1 } else { 0 }, dt),
        Shr => wrap(x >> y, dt),
        And => wrap(x & y, dt),
        Or => wrap(x | y, dt),
        Xor => wrap(x ^ y, dt),
        Lt => b(x < y),
        Le => b(x <= y),
        Eq => b(x == y),
        Ne => b(x != y),
        Ge => b(x >= y),
        Gt => b(x > y),
        Max => wrap(x.max(y), dt),
        Min => wrap(x.min(y), dt),
        _ => unreachable!(),
    }
}

fn bool_binary(op: BinaryOp, x: bool, y: bool) -> Scalar {
    use BinaryOp::*;
    Scalar::Bool(match op {
        Add | Or | Max => x | y,
        Mul | And | Min => x & y,
        Sub | Xor | Ne => x ^ y,
        Eq => x == y,
        Lt => !x & y,
        Le => x <= y,
        Gt => x & !y,
        Ge => x >= y,
        Pow => x | !y,
        Shl => x,
        Shr => x && !y,
        FloorDiv => x & y,
        Mod | Fmod => false,
        _ => unreachable!(),
    })
}

/// The inverse hyperbolic functions as NumPy (and jitex's math table) compute them: libm's,
/// not std's composed formulas, which differ by an ULP on some inputs.
trait LibmHyperbolic {
    fn libm_asinh(self) -> Self;
    fn libm_acosh(self) -> Self;
    fn libm_atanh(self) -> Self;
}

impl LibmHyperbolic for f64 {
    fn libm_asinh(self) -> f64 {
        crate::math::float::arcsinh_f64(self)
    }
    fn libm_acosh(self) -> f64 {
        crate::math::float::arccosh_f64(self)
    }
    fn libm_atanh(self) -> f64 {
        crate::math::float::arctanh_f64(self)
    }
}

impl LibmHyperbolic for f32 {
    fn libm_asinh(self) -> f32 {
        crate::math::float::arcsinh_f32(self)
    }
    fn libm_acosh(self) -> f32 {
        crate::math::float::arccosh_f32(self)
    }
    fn libm_atanh(self) -> f32 {
        crate::math::float::arctanh_f32(self)
    }
}

macro_rules! float_ref {
    ($un:ident, $bin:ident, $t:ty, $v:ident, $sfx:ident) => {
        fn $un(op: UnaryOp, x: $t) -> Scalar {
            use UnaryOp::*;
            let r = match op {
                Neg => -x,
                Abs => x.abs(),
                Sign => {
                    if x > 0.0 {
                        1.0
                    } else if x < 0.0 {
                        -1.0
                    } else if x == 0.0 {
                        0.0
                    } else {
                        x
                    }
                }
                Ceil => x.ceil(),
                Floor => x.floor(),
                Trunc => x.trunc(),
                Round => x.round_ties_even(),
                Sqrt => x.sqrt(),
                Sin => x.sin(),
                Cos => x.cos(),
                Tan => x.tan(),
                Arcsin => x.asin(),
                Arccos => x.acos(),
                Arctan => x.atan(),
                Sinh => x.sinh(),
                Cosh => x.cosh(),
                Tanh => x.tanh(),
                Arcsinh => LibmHyperbolic::libm_asinh(x),
                Arccosh => LibmHyperbolic::libm_acosh(x),
                Arctanh => LibmHyperbolic::libm_atanh(x),
                Exp => x.exp(),
                Expm1 => x.exp_m1(),
                Log => x.ln(),
                Log1p => x.ln_1p(),
                Log2 => x.log2(),
                Log10 => x.log10(),
                IsNan => return Scalar::Bool(x.is_nan()),
                IsFinite => return Scalar::Bool(x.is_finite()),
                IsInf => return Scalar::Bool(x.is_infinite()),
                SignBit => return Scalar::Bool(x.is_sign_negative()),
                Not => unreachable!(),
            };
            Scalar::$v(r)
        }

        fn $bin(op: BinaryOp, x: $t, y: $t) -> Scalar {
            use BinaryOp::*;
            let b = |v: bool| Scalar::Bool(v);
            let r = match op {
                Add => x + y,
                Sub => x - y,
                Mul => x * y,
                Div => x / y,
                FloorDiv => paste_fn!($sfx, floordiv)(x, y),
                Mod => paste_fn!($sfx, remainder)(x, y),
                Fmod => x % y,
                Pow => x.powf(y),
                Arctan2 => x.atan2(y),
                Hypot => x.hypot(y),
                Nextafter => paste_fn!($sfx, nextafter)(x, y),
                Copysign => x.copysign(y),
                Max => {
                    if x > y || x.is_nan() {
                        x
                    } else {
                        y
                    }
                }
                Min => {
                    if x < y || x.is_nan() {
                        x
                    } else {
                        y
                    }
                }
                Lt => return b(x < y),
                Le => return b(x <= y),
                Eq => return b(x == y),
                Ne => return b(x != y),
                Ge => return b(x >= y),
                Gt => return b(x > y),
                _ => unreachable!(),
            };
            Scalar::$v(r)
        }
    };
}

macro_rules! paste_fn {
    (f64, floordiv) => {
        math::divmod::floordiv_f64
    };
    (f64, remainder) => {
        math::divmod::remainder_f64
    };
    (f64, nextafter) => {
        math::float::nextafter_f64
    };
    (f32, floordiv) => {
        math::divmod::floordiv_f32
    };
    (f32, remainder) => {
        math::divmod::remainder_f32
    };
    (f32, nextafter) => {
        math::float::nextafter_f32
    };
}

float_ref!(f64_unary, f64_binary, f64, F64, f64);
float_ref!(f32_unary, f32_binary, f32, F32, f32);

/// One unary op on one value.
pub fn unary(op: UnaryOp, x: Scalar) -> Scalar {
    match x {
        Scalar::F64(v) => f64_unary(op, v),
        Scalar::F32(v) => f32_unary(op, v),
        Scalar::Bool(v) => match op {
            UnaryOp::Not => Scalar::Bool(!v),
            UnaryOp::Abs | UnaryOp::Sign => x,
            _ => int_unary(op, DType::Bool, v as i128),
        },
        _ => int_unary(op, x.dtype(), to_i128(x)),
    }
}

/// One binary op on two values of one dtype.
pub fn binary(op: BinaryOp, x: Scalar, y: Scalar) -> Scalar {
    match (x, y) {
        (Scalar::F64(a), Scalar::F64(b)) => f64_binary(op, a, b),
        (Scalar::F32(a), Scalar::F32(b)) => f32_binary(op, a, b),
        (Scalar::Bool(a), Scalar::Bool(b)) => bool_binary(op, a, b),
        _ => int_binary(op, x.dtype(), to_i128(x), to_i128(y)),
    }
}

/// Evaluates `program` on one element per input.
pub fn eval(program: &Program, inputs: &[Scalar]) -> Scalar {
    let mut vals: Vec<Scalar> = Vec::with_capacity(program.insts.len());
    for inst in &program.insts {
        let v = match inst.op {
            Op::Input(k) => inputs[k],
            Op::Const(c) => c,
            Op::Cast(a) => vals[a as usize].cast(inst.dtype),
            Op::Unary(op, a) => unary(op, vals[a as usize]),
            Op::Binary(op, a, b) => binary(op, vals[a as usize], vals[b as usize]),
            Op::Select(c, a, b) => {
                if vals[c as usize] == Scalar::Bool(true) {
                    vals[a as usize]
                } else {
                    vals[b as usize]
                }
            }
        };
        vals.push(v);
    }
    vals[program.result as usize]
}
