//! The complex kernels against the interpreter: division bit for bit, `abs`, `exp`, `log`
//! and `sqrt` within their bounds (and bit for bit where they fall back), every variant
//! this CPU runs, and the kernel contract (any `n`, any position, in place).

use super::super::driver::{Binary, Unary};
use super::super::{binary, unary, VectorFn};
use super::{abs, arith, exp, log, sqrt};
use crate::interp;
use crate::ir::{BinaryOp, UnaryOp};
use crate::testkit::{ulps, within_ulps, Rng};
use crate::types::{Complex32, Complex64, DType, Scalar};

/// Parts every kernel must get as the interpreter does.
const SPECIAL: [f64; 20] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    f64::MIN_POSITIVE,
    5e-324,
    -1e-310,
    f64::MAX,
    -1e300,
    1e-300,
    707.5,
    -745.5,
    88.5,
    std::f64::consts::FRAC_PI_2,
    1e6,
];

/// Complex test values: random moderate ones, random bit patterns, mixed scales, and
/// every pair of special parts.
fn values(seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Rng(seed);
    let mut v: Vec<(f64, f64)> = (0..8_000)
        .map(|_| (rng.uniform(-20.0, 20.0), rng.uniform(-20.0, 20.0)))
        .collect();
    v.extend((0..2_000).map(|_| (rng.any_f64(), rng.any_f64())));
    v.extend((0..2_000).map(|_| {
        let scale = |r: &mut Rng| 10f64.powi((r.next_u64() % 600) as i32 - 300);
        (
            rng.uniform(-1.0, 1.0) * scale(&mut rng),
            rng.uniform(-1.0, 1.0) * scale(&mut rng),
        )
    }));
    // Near the unit circle, where `log |z|` cancels.
    v.extend((0..2_000).map(|_| {
        let t = rng.uniform(-4.0, 4.0);
        let r = 1.0 + rng.uniform(-1.0, 1.0) * 10f64.powi(-((rng.next_u64() % 16) as i32));
        (r * t.cos(), r * t.sin())
    }));
    for &a in &SPECIAL {
        for &b in &SPECIAL {
            v.push((a, b));
        }
    }
    v
}

fn scalar(dt: DType, (re, im): (f64, f64)) -> Scalar {
    match dt {
        DType::C64 => Scalar::C64(Complex32::new(re as f32, im as f32)),
        _ => Scalar::C128(Complex64::new(re, im)),
    }
}

/// The interleaved bytes of `xs` as `dt` elements.
fn bytes(dt: DType, xs: &[(f64, f64)]) -> Vec<u8> {
    let mut out = Vec::new();
    for &z in xs {
        match scalar(dt, z) {
            Scalar::C64(c) => {
                out.extend(c.re.to_ne_bytes());
                out.extend(c.im.to_ne_bytes());
            }
            Scalar::C128(c) => {
                out.extend(c.re.to_ne_bytes());
                out.extend(c.im.to_ne_bytes());
            }
            _ => unreachable!(),
        }
    }
    out
}

/// Element `i` of `buf` read as `dt` (complex, or its part for `abs`).
fn read(dt: DType, buf: &[u8], i: usize) -> Scalar {
    let s = dt.size();
    let b = &buf[i * s..(i + 1) * s];
    let f32_at = |k: usize| f32::from_ne_bytes(b[k..k + 4].try_into().unwrap());
    let f64_at = |k: usize| f64::from_ne_bytes(b[k..k + 8].try_into().unwrap());
    match dt {
        DType::C64 => Scalar::C64(Complex32::new(f32_at(0), f32_at(4))),
        DType::C128 => Scalar::C128(Complex64::new(f64_at(0), f64_at(8))),
        DType::F32 => Scalar::F32(f32_at(0)),
        _ => Scalar::F64(f64_at(0)),
    }
}

fn run_unary(k: VectorFn, n: usize, x: &[u8], out_size: usize) -> Vec<u8> {
    let VectorFn::Unary(f) = k else {
        panic!("unary")
    };
    let mut out = vec![0u8; n * out_size];
    // SAFETY: `x` holds n elements, `out` n results.
    unsafe { f(n, x.as_ptr(), out.as_mut_ptr()) };
    out
}

fn run_binary(k: VectorFn, n: usize, x: &[u8], y: &[u8]) -> Vec<u8> {
    let VectorFn::Binary(f) = k else {
        panic!("binary")
    };
    let mut out = vec![0u8; x.len()];
    // SAFETY: all hold n elements.
    unsafe { f(n, x.as_ptr(), y.as_ptr(), out.as_mut_ptr()) };
    out
}

/// The variants of a unary kernel this CPU can run.
fn unary_variants(k: Unary) -> Vec<VectorFn> {
    let mut v = vec![VectorFn::Unary(k.base)];
    #[cfg(target_arch = "x86_64")]
    {
        let fma = std::arch::is_x86_feature_detected!("fma");
        if fma && std::arch::is_x86_feature_detected!("avx2") {
            v.push(VectorFn::Unary(k.avx2));
        }
        if fma && std::arch::is_x86_feature_detected!("avx512f") {
            v.push(VectorFn::Unary(k.avx512));
        }
    }
    v
}

/// The variants of a binary kernel this CPU can run, `libm` included.
fn binary_variants(k: Binary) -> Vec<VectorFn> {
    let mut v = vec![VectorFn::Binary(k.base), VectorFn::Binary(k.libm)];
    #[cfg(target_arch = "x86_64")]
    {
        let fma = std::arch::is_x86_feature_detected!("fma");
        if fma && std::arch::is_x86_feature_detected!("avx2") {
            v.push(VectorFn::Binary(k.avx2));
        }
        if fma && std::arch::is_x86_feature_detected!("avx512f") {
            v.push(VectorFn::Binary(k.avx512));
        }
    }
    v
}

/// Same bits, NaNs equal whatever their payload.
fn same(a: Scalar, b: Scalar) -> bool {
    ulps(a, b) == 0
}

#[test]
fn division_is_the_interpreters_bit_for_bit() {
    let xs = values(1);
    let mut ys = values(2);
    ys.rotate_left(37);
    let ops = [(BinaryOp::Div, arith::DIV_C128, arith::DIV_C64)];
    for (op, k128, k64) in ops {
        for (dt, k) in [(DType::C128, k128), (DType::C64, k64)] {
            let (x, y) = (bytes(dt, &xs), bytes(dt, &ys));
            for variant in binary_variants(k) {
                let out = run_binary(variant, xs.len(), &x, &y);
                for i in 0..xs.len() {
                    let (a, b) = (read(dt, &x, i), read(dt, &y, i));
                    let want = interp::binary(op, a, b, dt);
                    let got = read(dt, &out, i);
                    assert!(
                        same(got, want),
                        "{op:?} {dt}: {a:?} {b:?} gave {got:?}, want {want:?}"
                    );
                }
            }
            assert!(binary(op, dt).is_some_and(|e| e.ulps == 0));
        }
    }
}

/// The largest part distance of `kernel` from the interpreter's `op` on `xs`, checking
/// on the way that every result is within `bound` with the interpreter's signs.
fn measure(op: UnaryOp, dt: DType, kernel: VectorFn, xs: &[(f64, f64)], bound: u64) -> u64 {
    let result = if op == UnaryOp::Abs {
        dt.real_part()
    } else {
        dt
    };
    let x = bytes(dt, xs);
    let out = run_unary(kernel, xs.len(), &x, result.size());
    let mut worst = 0;
    for i in 0..xs.len() {
        let z = read(dt, &x, i);
        let want = interp::unary(op, z, result);
        let got = read(result, &out, i);
        assert!(
            within_ulps(got, want, bound),
            "{op:?} {dt}: {z:?} gave {got:?}, want {want:?} (bound {bound})"
        );
        worst = worst.max(ulps(got, want));
    }
    worst
}

#[test]
fn functions_are_within_their_bounds_and_libm_blocks_are_exact() {
    let xs = values(3);
    let cases = [
        (UnaryOp::Abs, abs::ABS_C128, abs::ABS_C64),
        (UnaryOp::Exp, exp::EXP_C128, exp::EXP_C64),
        (UnaryOp::Sqrt, sqrt::SQRT_C128, sqrt::SQRT_C64),
        (UnaryOp::Log, log::LOG_C128, log::LOG_C64),
    ];
    for (op, k128, k64) in cases {
        for (dt, k) in [(DType::C128, k128), (DType::C64, k64)] {
            let e = unary(op, dt).expect("registered");
            // Against the interpreter (itself within about an ULP of the true value).
            let bound = u64::from(e.ulps) + 1;
            for variant in unary_variants(k) {
                let worst = measure(op, dt, variant, &xs, bound);
                eprintln!("{op:?} {dt}: at most {worst} ULPs from the interpreter");
            }
            assert_eq!(measure(op, dt, VectorFn::Unary(k.libm), &xs, 0), 0);
        }
    }
}

#[test]
fn abs_is_within_its_bound_of_hypot() {
    let xs = values(4);
    let x = bytes(DType::C128, &xs);
    for variant in unary_variants(abs::ABS_C128) {
        let out = run_unary(variant, xs.len(), &x, 8);
        for (i, &(re, im)) in xs.iter().enumerate() {
            let Scalar::F64(got) = read(DType::F64, &out, i) else {
                unreachable!()
            };
            let want = re.hypot(im);
            // libm's `hypot` is within 1 ULP of the true value.
            let d = ulps(Scalar::F64(got), Scalar::F64(want));
            assert!(
                d <= u64::from(abs::ABS_ULPS) + 1,
                "abs({re}, {im}) = {got}, hypot {want}"
            );
        }
    }
}

#[test]
fn exp_keeps_signed_zero_parts_and_special_values() {
    let k = unary(UnaryOp::Exp, DType::C128).unwrap().func;
    let zs = [
        (0.0, -0.0),
        (-1.5, 0.0),
        (2.0, -0.0),
        (f64::NEG_INFINITY, 1.0),
        (f64::INFINITY, f64::NAN),
        (1000.0, 0.5),
        (-800.0, 2.0),
    ];
    let x = bytes(DType::C128, &zs);
    let out = run_unary(k, zs.len(), &x, 16);
    for (i, &z) in zs.iter().enumerate() {
        let want = interp::unary(UnaryOp::Exp, scalar(DType::C128, z), DType::C128);
        let got = read(DType::C128, &out, i);
        // Zero imaginary parts keep their sign exactly; the rest are the fallback's.
        assert!(
            same(got, want) || (z.1 == 0.0 && within_ulps(got, want, 3)),
            "exp{z:?}: {got:?} vs {want:?}"
        );
        if z.1 == 0.0 {
            let Scalar::C128(g) = got else { unreachable!() };
            assert_eq!(g.im.to_bits(), z.1.to_bits(), "exp{z:?}");
        }
    }
}

#[test]
fn results_do_not_depend_on_length_position_or_place() {
    let xs = values(5);
    let ys = values(6);
    for dt in [DType::C128, DType::C64] {
        let (x, y) = (bytes(dt, &xs), bytes(dt, &ys));
        let size = dt.size();
        for op in [UnaryOp::Abs, UnaryOp::Exp, UnaryOp::Sqrt, UnaryOp::Log] {
            let out_size = if op == UnaryOp::Abs { size / 2 } else { size };
            let f = unary(op, dt).unwrap().func;
            let all = run_unary(f, xs.len(), &x, out_size);
            for start in [0, 1, 63, 64, 65, 1000] {
                for n in [1, 3, 64, 65, 130] {
                    let part = run_unary(f, n, &x[start * size..], out_size);
                    let same = part[..] == all[start * out_size..(start + n) * out_size];
                    assert!(same, "{op:?} {dt}: {n} at {start}");
                }
            }
            if op != UnaryOp::Abs {
                let mut inplace = x.clone();
                let VectorFn::Unary(k) = f else {
                    unreachable!()
                };
                // SAFETY: in place, exactly the same elements.
                unsafe { k(xs.len(), inplace.as_ptr(), inplace.as_mut_ptr()) };
                assert!(inplace == all, "{op:?} {dt} in place");
            }
        }
        for op in [BinaryOp::Div] {
            let f = binary(op, dt).unwrap().func;
            let all = run_binary(f, xs.len(), &x, &y);
            for start in [0, 5, 64, 999] {
                let part = run_binary(f, 70, &x[start * size..], &y[start * size..]);
                assert!(
                    part[..70 * size] == all[start * size..(start + 70) * size],
                    "{op:?} {dt} at {start}"
                );
            }
            let mut inplace = x.clone();
            let VectorFn::Binary(k) = f else {
                unreachable!()
            };
            // SAFETY: in place, exactly the same elements as the first operand.
            unsafe { k(xs.len(), inplace.as_ptr(), y.as_ptr(), inplace.as_mut_ptr()) };
            assert!(inplace == all, "{op:?} {dt} in place");
        }
    }
}
