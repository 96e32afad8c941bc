//! Complex programs: every op on `complex64` and `complex128`, under every layout (the
//! broadcast one is how the runtime passes a scalar) and every length of [`super::LENS`].
//!
//! The inline ops are checked against the reference functions below, written from NumPy's
//! definitions (checked against NumPy 2.4); the ops that are calls are checked against
//! the [`crate::math::complex`] entry points themselves, which tests the spilling,
//! calling and reloading bit for bit whatever those functions compute.

use super::{check_with, B};
use crate::ir::{BinaryOp, Op, Program, UnaryOp, ValueId};
use crate::math::complex::{binary_fn, unary_fn};
use crate::types::{Complex64, DType, Scalar};

/// Part values: zeros, ±1, NaN, infinities, huge and tiny (subnormal in either precision),
/// and full mantissas, whose products round differently with and without FMA.
const PARTS: [f64; 21] = [
    0.1,
    -1.0 / 3.0,
    std::f64::consts::E,
    std::f64::consts::SQRT_2,
    123456.789,
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    3.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e300,
    -1e300,
    1e-310,
    1e-40,
    3e38,
    -7.25e20,
];

/// Special values of complex `dt`: every pair of [`PARTS`].
pub fn pool(dt: DType) -> Vec<Scalar> {
    PARTS
        .iter()
        .flat_map(|&re| {
            PARTS
                .iter()
                .map(move |&im| Scalar::C128(Complex64::new(re, im)))
        })
        .map(|z| z.cast(dt))
        .collect()
}

/// Calls the entry point of complex unary `op` on `z`, as a kernel does.
fn call_unary(op: UnaryOp, z: Scalar) -> Scalar {
    let f = unary_fn(op, z.dtype()).expect("a call");
    let (mut x, mut out) = ([0u8; 16], [0u8; 16]);
    z.write(&mut x);
    // SAFETY: both buffers hold one element of the dtype.
    unsafe { f(x.as_ptr(), out.as_mut_ptr()) };
    Scalar::read(z.dtype(), &out)
}

/// Calls the entry point of complex binary `op` on `a` and `b`, as a kernel does.
fn call_binary(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    let f = binary_fn(op, a.dtype()).expect("a call");
    let (mut x, mut y, mut out) = ([0u8; 16], [0u8; 16], [0u8; 16]);
    a.write(&mut x);
    b.write(&mut y);
    // SAFETY: all three buffers hold one element of the dtype.
    unsafe { f(x.as_ptr(), y.as_ptr(), out.as_mut_ptr()) };
    Scalar::read(a.dtype(), &out)
}

/// NumPy's definitions of the inline ops, in each precision.
macro_rules! reference {
    ($m:ident, $t:ty, $cv:ident, $rv:ident) => {
        mod $m {
            use super::*;
            type C = num_complex::Complex<$t>;
            fn c(re: $t, im: $t) -> Scalar {
                Scalar::$cv(C::new(re, im))
            }

            /// Unary `op` on `z`.
            pub fn unary(op: UnaryOp, z: C) -> Scalar {
                use UnaryOp::*;
                match op {
                    Neg => c(-z.re, -z.im),
                    Conj => c(z.re, -z.im),
                    Round => c(z.re.round_ties_even(), z.im.round_ties_even()),
                    Real => Scalar::$rv(z.re),
                    Imag => Scalar::$rv(z.im),
                    IsNan => Scalar::Bool(z.re.is_nan() || z.im.is_nan()),
                    IsInf => Scalar::Bool(z.re.is_infinite() || z.im.is_infinite()),
                    IsFinite => Scalar::Bool(z.re.is_finite() && z.im.is_finite()),
                    Abs if unary_fn(Abs, DType::$cv).is_none() => Scalar::$rv(z.re.hypot(z.im)),
                    // A call with a real result gives it as the real part.
                    Abs => match call_unary(op, Scalar::$cv(z)) {
                        Scalar::$cv(r) => Scalar::$rv(r.re),
                        other => other,
                    },
                    _ => call_unary(op, Scalar::$cv(z)),
                }
            }

            /// Binary `op` on `x` and `y`.
            pub fn binary(op: BinaryOp, x: C, y: C) -> Scalar {
                use BinaryOp::*;
                let order = |strict: bool, tie: bool| {
                    Scalar::Bool(
                        (strict && !x.im.is_nan() && !y.im.is_nan()) || (x.re == y.re && tie),
                    )
                };
                match op {
                    Add => c(x.re + y.re, x.im + y.im),
                    Sub => c(x.re - y.re, x.im - y.im),
                    // NumPy's array loops on FMA hardware.
                    Mul => c(
                        x.re.mul_add(y.re, -(x.im * y.im)),
                        x.re.mul_add(y.im, x.im * y.re),
                    ),
                    Eq => Scalar::Bool(x.re == y.re && x.im == y.im),
                    Ne => Scalar::Bool(x.re != y.re || x.im != y.im),
                    Lt => order(x.re < y.re, x.im < y.im),
                    Le => order(x.re < y.re, x.im <= y.im),
                    Gt => order(x.re > y.re, x.im > y.im),
                    Ge => order(x.re > y.re, x.im >= y.im),
                    _ => call_binary(op, Scalar::$cv(x), Scalar::$cv(y)),
                }
            }
        }
    };
}
reference!(r64, f32, C64, F32);
reference!(r128, f64, C128, F64);

fn ref_unary(op: UnaryOp, z: Scalar) -> Scalar {
    match z {
        Scalar::C64(z) => r64::unary(op, z),
        Scalar::C128(z) => r128::unary(op, z),
        other => panic!("not complex: {other:?}"),
    }
}

fn ref_binary(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (Scalar::C64(x), Scalar::C64(y)) => r64::binary(op, x, y),
        (Scalar::C128(x), Scalar::C128(y)) => r128::binary(op, x, y),
        other => panic!("not complex: {other:?}"),
    }
}

/// Pushes an instruction of any dtype (the builder's helpers assume real results).
fn push(b: &mut B, op: Op, dtype: DType) -> ValueId {
    b.push(op, dtype)
}

/// The unary ops compiled on complex operands, with their result dtype.
fn unary_ops(dt: DType) -> Vec<(UnaryOp, DType)> {
    use UnaryOp::*;
    let part = dt.real_part();
    let mut ops = vec![
        (Neg, dt),
        (Conj, dt),
        (Real, part),
        (Imag, part),
        (Abs, part),
        (Round, dt),
        (IsNan, DType::Bool),
        (IsFinite, DType::Bool),
        (IsInf, DType::Bool),
    ];
    // Every call `math::complex` offers (`abs` is listed there and above).
    for op in crate::math::complex::CALLED_UNARY {
        assert!(unary_fn(op, dt).is_some(), "{op:?} is listed as a call");
        if op != Abs {
            ops.push((op, dt));
        }
    }
    ops
}

/// The binary ops compiled on complex operands, with their result dtype.
fn binary_ops(dt: DType) -> Vec<(BinaryOp, DType)> {
    use BinaryOp::*;
    let mut ops: Vec<(BinaryOp, DType)> = [Add, Sub, Mul].iter().map(|&o| (o, dt)).collect();
    ops.extend([Eq, Ne, Lt, Le, Gt, Ge].iter().map(|&o| (o, DType::Bool)));
    for op in [Div, Pow, Max, Min] {
        if binary_fn(op, dt).is_some() {
            ops.push((op, dt));
        }
    }
    ops
}

#[test]
fn unary_ops_match_numpy_definitions() {
    for dt in DType::COMPLEX {
        for (op, out) in unary_ops(dt) {
            let mut b = B::default();
            let x = b.input(dt);
            let r = push(&mut b, Op::Unary(op, x), out);
            check_with(&b.ret(r), &|args| ref_unary(op, args[0]));
        }
    }
}

#[test]
fn binary_ops_match_numpy_definitions() {
    for dt in DType::COMPLEX {
        for (op, out) in binary_ops(dt) {
            let mut b = B::default();
            let (x, y) = (b.input(dt), b.input(dt));
            let r = push(&mut b, Op::Binary(op, x, y), out);
            check_with(&b.ret(r), &|args| ref_binary(op, args[0], args[1]));
        }
    }
}

#[test]
fn casts_to_from_and_between_complex_follow_scalar_cast() {
    for to in DType::COMPLEX {
        for from in DType::ALL.into_iter().chain(DType::COMPLEX) {
            let mut b = B::default();
            let x = b.input(from);
            let r = b.cast(x, to);
            check_with(&b.ret(r), &|args| args[0].cast(to));
        }
    }
    for from in DType::COMPLEX {
        for to in DType::ALL {
            let mut b = B::default();
            let x = b.input(from);
            let r = b.cast(x, to);
            check_with(&b.ret(r), &|args| args[0].cast(to));
        }
    }
}

#[test]
fn complex_builds_from_parts_and_real_ops_pass_reals_through() {
    for part in [DType::F32, DType::F64] {
        let mut b = B::default();
        let (re, im) = (b.input(part), b.input(part));
        let z = push(
            &mut b,
            Op::Binary(BinaryOp::Complex, re, im),
            part.to_complex(),
        );
        check_with(&b.ret(z), &|args| {
            Scalar::C128(Complex64::new(as_f64(args[0]), as_f64(args[1]))).cast(part.to_complex())
        });
        // `real`, `imag` and `conj` of a real number.
        for (op, want) in [
            (UnaryOp::Real, 1.0),
            (UnaryOp::Imag, 0.0),
            (UnaryOp::Conj, 1.0),
        ] {
            let mut b = B::default();
            let x = b.input(part);
            let r = push(&mut b, Op::Unary(op, x), part);
            check_with(&b.ret(r), &|args| {
                if want == 0.0 {
                    Scalar::F64(0.0).cast(part)
                } else {
                    args[0]
                }
            });
        }
    }
}

fn as_f64(s: Scalar) -> f64 {
    match s.cast(DType::F64) {
        Scalar::F64(v) => v,
        _ => unreachable!("cast to float64"),
    }
}

#[test]
fn where_picks_whole_complex_values() {
    for dt in DType::COMPLEX {
        let mut b = B::default();
        let (c, x, y) = (b.input(DType::Bool), b.input(dt), b.input(dt));
        let r = b.select(c, x, y);
        check_with(&b.ret(r), &|args| {
            if args[0] == Scalar::Bool(true) {
                args[1]
            } else {
                args[2]
            }
        });
    }
}

/// `re(a*b + k) * 2 > imag(conj(a) - k)` style programs: constants from the pool (with
/// NaN and signed-zero parts), chains of inline ops and calls, and a real result.
#[test]
fn programs_mixing_constants_inline_ops_and_calls() {
    let consts = [
        Complex64::new(1.0, 0.0),
        Complex64::new(-0.0, f64::NAN),
        Complex64::new(2.5, -1e300),
    ];
    for dt in DType::COMPLEX {
        for k in consts {
            let kc = Scalar::C128(k).cast(dt);
            let mut b = B::default();
            let (x, y) = (b.input(dt), b.input(dt));
            let m = b.bin(BinaryOp::Mul, x, y);
            let kv = b.konst(kc);
            let s = b.bin(BinaryOp::Add, m, kv);
            let re = push(&mut b, Op::Unary(UnaryOp::Real, s), dt.real_part());
            let cj = b.un(UnaryOp::Conj, x);
            let d = b.bin(BinaryOp::Sub, cj, kv);
            let d = match binary_fn(BinaryOp::Div, dt) {
                Some(_) => b.bin(BinaryOp::Div, d, y),
                None => d,
            };
            let im = push(&mut b, Op::Unary(UnaryOp::Imag, d), dt.real_part());
            let r = b.bin(BinaryOp::Gt, re, im);
            let p = b.ret(r);
            check_with(&p, &|args| {
                let (a, bb) = (args[0], args[1]);
                let s = ref_binary(BinaryOp::Add, ref_binary(BinaryOp::Mul, a, bb), kc);
                let d = ref_binary(BinaryOp::Sub, ref_unary(UnaryOp::Conj, a), kc);
                let d = match binary_fn(BinaryOp::Div, dt) {
                    Some(_) => ref_binary(BinaryOp::Div, d, bb),
                    None => d,
                };
                let (re, im) = (ref_unary(UnaryOp::Real, s), ref_unary(UnaryOp::Imag, d));
                Scalar::Bool(as_f64(re) > as_f64(im))
            });
        }
    }
}

/// A complex result built from a broadcast constant and a `where` over a complex
/// comparison, stored strided and contiguous.
#[test]
fn complex_results_of_where_over_comparisons() {
    for dt in DType::COMPLEX {
        let mut b = B::default();
        let (x, y) = (b.input(dt), b.input(dt));
        let eq = b.bin(BinaryOp::Eq, x, y);
        let nan = b.konst(Scalar::C128(Complex64::new(f64::NAN, -0.0)).cast(dt));
        let sum = b.bin(BinaryOp::Add, x, y);
        let r = b.select(eq, nan, sum);
        check_with(&b.ret(r), &|args| {
            if ref_binary(BinaryOp::Eq, args[0], args[1]) == Scalar::Bool(true) {
                Scalar::C128(Complex64::new(f64::NAN, -0.0)).cast(dt)
            } else {
                ref_binary(BinaryOp::Add, args[0], args[1])
            }
        });
    }
}

/// Malformed complex programs are errors, not miscompiled kernels.
#[test]
fn validation_rejects_malformed_complex_programs() {
    use super::super::{compile, Access, CodegenOptions, Layout};
    let compile1 = |p: &Program| {
        let layout = Layout {
            inputs: vec![Access::Contiguous; p.inputs.len()],
            outputs: vec![Access::Contiguous],
        };
        compile(p, &layout, &CodegenOptions::default())
    };
    let c = DType::C128;
    let cases: Vec<(Op, DType, &str)> = vec![
        (Op::Unary(UnaryOp::Real, 0), c, "real gives the part dtype"),
        (Op::Unary(UnaryOp::Abs, 0), c, "abs gives the part dtype"),
        (
            Op::Unary(UnaryOp::Neg, 0),
            DType::F64,
            "neg keeps the dtype",
        ),
        (Op::Unary(UnaryOp::SignBit, 0), DType::Bool, "no signbit"),
        (Op::Unary(UnaryOp::Not, 0), c, "no bitwise not"),
        (
            Op::Binary(BinaryOp::Add, 0, 0),
            DType::F64,
            "add keeps the dtype",
        ),
        (Op::Binary(BinaryOp::And, 0, 0), c, "no bitwise and"),
        (Op::Binary(BinaryOp::FloorDiv, 0, 0), c, "no floor division"),
        (
            Op::Binary(BinaryOp::Complex, 0, 0),
            c,
            "complex() takes floats",
        ),
    ];
    for (op, dt, why) in cases {
        let mut b = B::default();
        b.input(c);
        let r = push(&mut b, op, dt);
        assert!(compile1(&b.ret(r)).is_err(), "{why}");
    }
    // `complex(re, im)` of mismatched or wrong result dtypes.
    let mut b = B::default();
    let (re, im) = (b.input(DType::F32), b.input(DType::F32));
    let r = push(&mut b, Op::Binary(BinaryOp::Complex, re, im), DType::C128);
    assert!(compile1(&b.ret(r)).is_err());
    let mut b = B::default();
    let (re, im) = (b.input(DType::F32), b.input(DType::F64));
    let r = push(&mut b, Op::Binary(BinaryOp::Complex, re, im), DType::C64);
    assert!(compile1(&b.ret(r)).is_err());
    // And a well-typed one compiles.
    let mut b = B::default();
    let (re, im) = (b.input(DType::F32), b.input(DType::F32));
    let r = push(&mut b, Op::Binary(BinaryOp::Complex, re, im), DType::C64);
    assert!(compile1(&b.ret(r)).is_ok());
}

/// The pool covers NaN, infinite, huge and subnormal parts in both precisions.
#[test]
fn pool_has_special_parts() {
    for dt in DType::COMPLEX {
        let p = pool(dt);
        let parts = |f: fn(f64) -> bool| {
            p.iter().any(|z| match *z {
                Scalar::C64(z) => f(z.re as f64) && f(z.im as f64),
                Scalar::C128(z) => f(z.re) && f(z.im),
                _ => false,
            })
        };
        assert!(parts(f64::is_nan));
        assert!(parts(f64::is_infinite));
        assert!(parts(|v| v != 0.0 && v.abs() < f32::MIN_POSITIVE as f64));
        assert!(p.iter().all(|z| z.dtype() == dt));
    }
}

/// Every complex op against the interpreter, the oracle of all other differential tests.
///
/// Except the orderings `< <= > >=`: the interpreter does not order complex numbers yet
/// (NumPy does, lexicographically; `binary_ops_match_numpy_definitions` checks them).
#[test]
fn every_op_matches_the_interpreter() {
    for dt in DType::COMPLEX {
        for (op, out) in unary_ops(dt) {
            let mut b = B::default();
            let x = b.input(dt);
            let r = push(&mut b, Op::Unary(op, x), out);
            super::check(&b.ret(r));
        }
        let ordering = |op| {
            matches!(
                op,
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
            )
        };
        for (op, out) in binary_ops(dt).into_iter().filter(|&(op, _)| !ordering(op)) {
            let mut b = B::default();
            let (x, y) = (b.input(dt), b.input(dt));
            let r = push(&mut b, Op::Binary(op, x, y), out);
            super::check(&b.ret(r));
        }
        for from in DType::ALL.into_iter().chain(DType::COMPLEX) {
            let mut b = B::default();
            let x = b.input(from);
            let r = b.cast(x, dt);
            super::check(&b.ret(r));
            let mut b = B::default();
            let x = b.input(dt);
            let r = b.cast(x, from);
            super::check(&b.ret(r));
        }
        let mut b = B::default();
        let (c, x, y) = (b.input(DType::Bool), b.input(dt), b.input(dt));
        let r = b.select(c, x, y);
        super::check(&b.ret(r));
    }
}
