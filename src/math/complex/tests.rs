//! Special values and branch cuts of the complex functions (expected values are NumPy 2.4's),
//! and agreement of the kernels' entry points with the plain functions.

use super::*;

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

/// Same bits, or both parts NaN where one is.
fn same(a: Complex64, b: Complex64) -> bool {
    let eq = |x: f64, y: f64| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
    eq(a.re, b.re) && eq(a.im, b.im)
}

const SAMPLES: [(f64, f64); 10] = [
    (0.0, 0.0),
    (-0.0, -0.0),
    (1.5, -2.25),
    (-3.0, 0.5),
    (1e-300, 1e300),
    (f64::INFINITY, 1.0),
    (1.0, f64::NAN),
    (-f64::INFINITY, f64::INFINITY),
    (0.7, 0.7),
    (-1.0, -0.0),
];

#[test]
fn branch_cuts_follow_the_sign_of_zero() {
    let pi = std::f64::consts::PI;
    assert!(same(
        c128::unary(UnaryOp::Sqrt, c(-1.0, 0.0)).unwrap(),
        c(0.0, 1.0)
    ));
    assert!(same(
        c128::unary(UnaryOp::Sqrt, c(-1.0, -0.0)).unwrap(),
        c(0.0, -1.0)
    ));
    assert!(same(
        c128::unary(UnaryOp::Log, c(-1.0, 0.0)).unwrap(),
        c(0.0, pi)
    ));
    assert!(same(
        c128::unary(UnaryOp::Log, c(-1.0, -0.0)).unwrap(),
        c(0.0, -pi)
    ));
    // log(0) is -inf with the argument of the zero.
    assert!(same(
        c128::unary(UnaryOp::Log, c(-0.0, 0.0)).unwrap(),
        c(f64::NEG_INFINITY, pi)
    ));
}

#[test]
fn division_is_smiths_with_numpys_zero_and_nan_rules() {
    let inf = f64::INFINITY;
    assert!(same(c128::div(c(1.0, -1.0), c(0.0, 0.0)), c(inf, -inf)));
    assert!(same(c128::div(c(0.0, 1.0), c(0.0, 0.0)), c(f64::NAN, inf)));
    assert!(same(
        c128::div(c(1.0, 0.0), c(f64::NAN, 0.0)),
        c(f64::NAN, f64::NAN)
    ));
    // Smith's `br + bi * rat` overflows here, in NumPy too: 0 * inf gives a NaN real part.
    assert!(same(
        c128::div(c(1e308, 1e308), c(1e308, 1e308)),
        c(f64::NAN, 0.0)
    ));
    assert!(same(
        c128::div(c(1e300, 1e300), c(1e300, 1e300)),
        c(1.0, 0.0)
    ));
    assert!(same(c128::div(c(3.0, 4.0), c(0.0, 2.0)), c(2.0, -1.5)));
}

#[test]
fn power_special_cases_and_small_integer_exponents() {
    let z = c(1.5, -0.5);
    assert!(same(c128::pow(z, c(0.0, 0.0)), c(1.0, 0.0)));
    assert!(same(c128::pow(c(f64::NAN, 0.0), c(0.0, 0.0)), c(1.0, 0.0)));
    assert!(same(c128::pow(c(0.0, 0.0), c(2.5, 1.0)), c(0.0, 0.0)));
    assert!(same(
        c128::pow(c(0.0, -0.0), c(-1.0, 0.0)),
        c(f64::NAN, f64::NAN)
    ));
    assert!(same(c128::pow(z, c(1.0, 0.0)), z));
    // Integer exponents multiply without FMA, as NumPy's scalar C code.
    let sq = c(z.re * z.re - z.im * z.im, z.re * z.im + z.im * z.re);
    assert!(same(c128::pow(z, c(2.0, 0.0)), sq));
    let inv = c128::div(c(1.0, 0.0), c128::pow(z, c(5.0, 0.0)));
    assert!(same(c128::pow(z, c(-5.0, 0.0)), inv));
    // Other exponents go through cpow: 4 ** 0.5 == 2.
    let r = c128::pow(c(4.0, 0.0), c(0.5, 0.0));
    assert!((r.re - 2.0).abs() < 1e-15 && r.im.abs() < 1e-15);
}

#[test]
fn abs_prefers_infinity_to_nan_and_does_not_overflow() {
    assert_eq!(c128::abs(c(3.0, -4.0)), 5.0);
    assert_eq!(c128::abs(c(f64::NAN, -f64::INFINITY)), f64::INFINITY);
    assert!(c128::abs(c(f64::NAN, 1.0)).is_nan());
    assert_eq!(c128::abs(c(-0.0, 0.0)), 0.0);
    assert_eq!(c128::abs(c(1e308, 1e308)), 1e308 * std::f64::consts::SQRT_2);
    assert_eq!(c64::abs(Complex32::new(3.0, 4.0)), 5.0);
}

#[test]
fn sign_is_z_over_hypot_with_numpys_special_cases() {
    let (inf, nan) = (f64::INFINITY, f64::NAN);
    // (input, NumPy 2.4's `np.sign` of it)
    let cases = [
        (c(3.0, 4.0), c(0.6, 0.8)),
        (c(-0.0, -0.0), c(0.0, 0.0)),
        (c(nan, 0.0), c(nan, nan)),
        (c(inf, nan), c(1.0, 0.0)),
        (c(nan, -inf), c(0.0, -1.0)),
        (c(-inf, 5.0), c(-1.0, 0.0)),
        (c(inf, -inf), c(nan, nan)),
        // `hypot` rounds to the smallest subnormal, so each part divides to 1.
        (c(5e-324, 5e-324), c(1.0, 1.0)),
        (c(-0.0, 5e-324), c(-0.0, 1.0)),
        // `hypot` overflows on finite parts: NumPy's infinite branch, the imaginary axis.
        (c(1.7e308, 1.7e308), c(0.0, 1.0)),
    ];
    for (z, want) in cases {
        assert!(same(c128::sign(z), want), "sign({z}) = {}", c128::sign(z));
    }
    let s = c64::sign(Complex32::new(3e38, 3e38));
    assert_eq!((s.re, s.im), (0.0, 1.0));
}

#[test]
fn entry_points_compute_the_plain_functions() {
    for &(re, im) in &SAMPLES {
        let z = c(re, im);
        for &op in &CALLED_UNARY {
            let f = unary_fn(op, DType::C128).expect("every listed op has an entry point");
            if op == UnaryOp::Abs {
                let mut out = 0.0f64;
                // SAFETY: pointers to one complex128 and one float64.
                unsafe { f(&z as *const _ as *const u8, &mut out as *mut _ as *mut u8) };
                assert_eq!(out.to_bits(), c128::abs(z).to_bits(), "{op:?} {z}");
                continue;
            }
            let mut out = c(0.0, 0.0);
            // SAFETY: pointers to one complex128 each.
            unsafe { f(&z as *const _ as *const u8, &mut out as *mut _ as *mut u8) };
            assert!(same(out, c128::unary(op, z).unwrap()), "{op:?} {z}");

            let z32 = Complex32::new(re as f32, im as f32);
            let g = unary_fn(op, DType::C64).unwrap();
            let mut out32 = Complex32::new(0.0, 0.0);
            // SAFETY: pointers to one complex64 each.
            unsafe {
                g(
                    &z32 as *const _ as *const u8,
                    &mut out32 as *mut _ as *mut u8,
                )
            };
            let want = c64::unary(op, z32).unwrap();
            let widen = |v: Complex32| c(v.re as f64, v.im as f64);
            assert!(same(widen(out32), widen(want)), "{op:?} {z32}");
        }
        for op in [BinaryOp::Mul, BinaryOp::Div, BinaryOp::Pow] {
            let w = c(im, re);
            let f = binary_fn(op, DType::C128).unwrap();
            let mut out = c(0.0, 0.0);
            // SAFETY: pointers to one complex128 each.
            unsafe {
                f(
                    &z as *const _ as *const u8,
                    &w as *const _ as *const u8,
                    &mut out as *mut _ as *mut u8,
                )
            };
            assert!(same(out, c128::binary(op, z, w).unwrap()), "{op:?} {z} {w}");
        }
    }
    assert!(unary_fn(UnaryOp::Sqrt, DType::F64).is_none());
    assert!(unary_fn(UnaryOp::Neg, DType::C64).is_none());
    assert!(binary_fn(BinaryOp::Add, DType::C128).is_none());
}
