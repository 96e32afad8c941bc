//! Every vector kernel against the scalar libm function it replaces: the ULP bound on
//! random inputs over its whole domain, libm's special values, and the kernel contract
//! (same bits for any `n`, position and in place).

use super::{binary, unary, VectorEntry, VectorFn};
use crate::ir::{BinaryOp, UnaryOp};
use crate::math::{self, MathFn};
use crate::testkit::{ulps32, ulps64, Rng};
use crate::types::DType;

/// Special values every kernel must get exactly as libm does.
const SPECIAL: [f64; 22] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    f64::MIN_POSITIVE,
    -f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    f64::MAX,
    f64::MIN,
    708.0,
    -708.0,
    709.9,
    -745.5,
    1e300,
    -1e300,
];

/// Inputs for a unary kernel: random in `[lo, hi)`, random bit patterns, specials.
fn inputs(lo: f64, hi: f64, seed: u64) -> Vec<f64> {
    let mut rng = Rng(seed);
    let mut v: Vec<f64> = (0..20_000).map(|_| rng.uniform(lo, hi)).collect();
    v.extend((0..5_000).map(|_| rng.any_f64()));
    // Small magnitudes of both signs, where relative accuracy is hardest.
    v.extend(
        (0..2_000).map(|_| rng.uniform(-1.0, 1.0) * 10f64.powi(-((rng.next_u64() % 20) as i32))),
    );
    v.extend(SPECIAL);
    v
}

fn run_unary64(e: VectorEntry, xs: &[f64]) -> Vec<f64> {
    let VectorFn::Unary(k) = e.func else {
        panic!("unary")
    };
    let mut out = vec![0.0; xs.len()];
    // SAFETY: both hold xs.len() elements.
    unsafe { k(xs.len(), xs.as_ptr().cast(), out.as_mut_ptr().cast()) };
    out
}

fn run_unary32(e: VectorEntry, xs: &[f32]) -> Vec<f32> {
    let VectorFn::Unary(k) = e.func else {
        panic!("unary")
    };
    let mut out = vec![0.0; xs.len()];
    // SAFETY: both hold xs.len() elements.
    unsafe { k(xs.len(), xs.as_ptr().cast(), out.as_mut_ptr().cast()) };
    out
}

fn run_binary64(e: VectorEntry, xs: &[f64], ys: &[f64]) -> Vec<f64> {
    let VectorFn::Binary(k) = e.func else {
        panic!("binary")
    };
    let mut out = vec![0.0; xs.len()];
    // SAFETY: all hold xs.len() elements.
    unsafe {
        k(
            xs.len(),
            xs.as_ptr().cast(),
            ys.as_ptr().cast(),
            out.as_mut_ptr().cast(),
        )
    };
    out
}

fn run_binary32(e: VectorEntry, xs: &[f32], ys: &[f32]) -> Vec<f32> {
    let VectorFn::Binary(k) = e.func else {
        panic!("binary")
    };
    let mut out = vec![0.0; xs.len()];
    // SAFETY: all hold xs.len() elements.
    unsafe {
        k(
            xs.len(),
            xs.as_ptr().cast(),
            ys.as_ptr().cast(),
            out.as_mut_ptr().cast(),
        )
    };
    out
}

/// Checks the unary kernel for `op` on both float dtypes against libm; `lo..hi` is where
/// random inputs are drawn (besides random bit patterns).
fn check_unary(op: UnaryOp, lo: f64, hi: f64) {
    let e64 = unary(op, DType::F64).expect("f64 kernel");
    let MathFn::F64(libm64) = math::unary(op, DType::F64).unwrap().func else {
        panic!()
    };
    let xs = inputs(lo, hi, 0x9e37_79b9 ^ op as u64);
    let got = run_unary64(e64, &xs);
    let mut worst = (0, 0.0);
    for (&x, &g) in xs.iter().zip(&got) {
        let d = ulps64(g, libm64(x));
        if d > worst.0 {
            worst = (d, x);
        }
    }
    eprintln!("{} f64: worst {} ulp vs libm", e64.name, worst.0);
    // libm itself is within 1 ULP of the correctly rounded result.
    assert!(
        worst.0 <= u64::from(e64.ulps) + 1,
        "{} f64: {} ulp at {:e} (bound {})",
        e64.name,
        worst.0,
        worst.1,
        e64.ulps
    );
    check_contract64(e64, &xs);

    let e32 = unary(op, DType::F32).expect("f32 kernel");
    let MathFn::F32(libm32) = math::unary(op, DType::F32).unwrap().func else {
        panic!()
    };
    let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
    let got = run_unary32(e32, &xs32);
    let mut worst = 0;
    for (&x, &g) in xs32.iter().zip(&got) {
        let d = ulps32(g, libm32(x));
        worst = worst.max(d);
        assert!(
            d <= u64::from(e32.ulps) + 1,
            "{} f32: {d} ulp at {x:e}",
            e32.name
        );
    }
    eprintln!("{} f32: worst {worst} ulp vs libm", e32.name);
}

/// Checks the binary kernel for `op`; `pairs` draws random operand pairs.
fn check_binary(op: BinaryOp, pairs: impl Fn(&mut Rng) -> (f64, f64)) {
    let e64 = binary(op, DType::F64).expect("f64 kernel");
    let MathFn::F64x2(libm64) = math::binary(op, DType::F64).unwrap().func else {
        panic!()
    };
    let mut rng = Rng(0x5151 ^ op as u64);
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for _ in 0..20_000 {
        let (a, b) = pairs(&mut rng);
        xs.push(a);
        ys.push(b);
    }
    for _ in 0..5_000 {
        xs.push(rng.any_f64());
        ys.push(rng.any_f64());
    }
    for a in SPECIAL {
        for b in SPECIAL {
            xs.push(a);
            ys.push(b);
        }
    }
    let got = run_binary64(e64, &xs, &ys);
    let mut worst = (0, 0.0, 0.0);
    for k in 0..xs.len() {
        let d = ulps64(got[k], libm64(xs[k], ys[k]));
        if d > worst.0 {
            worst = (d, xs[k], ys[k]);
        }
    }
    eprintln!("{} f64: worst {} ulp vs libm", e64.name, worst.0);
    assert!(
        worst.0 <= u64::from(e64.ulps) + 1,
        "{} f64: {} ulp at ({:e}, {:e})",
        e64.name,
        worst.0,
        worst.1,
        worst.2
    );
    check_contract_binary64(e64, &xs, &ys);

    let e32 = binary(op, DType::F32).expect("f32 kernel");
    let MathFn::F32x2(libm32) = math::binary(op, DType::F32).unwrap().func else {
        panic!()
    };
    let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
    let ys32: Vec<f32> = ys.iter().map(|&x| x as f32).collect();
    let got = run_binary32(e32, &xs32, &ys32);
    let mut worst = 0;
    for k in 0..xs32.len() {
        let d = ulps32(got[k], libm32(xs32[k], ys32[k]));
        worst = worst.max(d);
        assert!(
            d <= u64::from(e32.ulps) + 1,
            "{} f32: {d} ulp at ({:e}, {:e})",
            e32.name,
            xs32[k],
            ys32[k]
        );
    }
    eprintln!("{} f32: worst {worst} ulp vs libm", e32.name);
}

/// Same bits at every length and offset, and in place over either operand.
fn check_contract_binary64(e: VectorEntry, xs: &[f64], ys: &[f64]) {
    let whole = run_binary64(e, xs, ys);
    for n in [0, 1, 3, 7, 8, 63, 64, 65, 129] {
        for off in [0, 1, 5] {
            if off + n > xs.len() {
                continue;
            }
            let part = run_binary64(e, &xs[off..off + n], &ys[off..off + n]);
            for (a, b) in part.iter().zip(&whole[off..off + n]) {
                assert_eq!(a.to_bits(), b.to_bits(), "{}: n={n} off={off}", e.name);
            }
        }
    }
    let VectorFn::Binary(k) = e.func else {
        unreachable!()
    };
    for into_x in [true, false] {
        let (mut a, mut b) = (xs.to_vec(), ys.to_vec());
        let out = if into_x {
            a.as_mut_ptr()
        } else {
            b.as_mut_ptr()
        };
        // SAFETY: all hold xs.len() elements; `out` is exactly one of the operands.
        unsafe { k(a.len(), a.as_ptr().cast(), b.as_ptr().cast(), out.cast()) };
        let res = if into_x { &a } else { &b };
        assert!(
            res.iter()
                .zip(&whole)
                .all(|(p, q)| p.to_bits() == q.to_bits()),
            "{}: in place (into x: {into_x})",
            e.name
        );
    }
}

/// Same bits at every length, offset and in place.
fn check_contract64(e: VectorEntry, xs: &[f64]) {
    let whole = run_unary64(e, xs);
    for n in [0, 1, 3, 7, 8, 63, 64, 65, 129] {
        for off in [0, 1, 5] {
            if off + n > xs.len() {
                continue;
            }
            let part = run_unary64(e, &xs[off..off + n]);
            for (a, b) in part.iter().zip(&whole[off..off + n]) {
                assert_eq!(a.to_bits(), b.to_bits(), "{}: n={n} off={off}", e.name);
            }
        }
    }
    let VectorFn::Unary(k) = e.func else {
        unreachable!()
    };
    let mut v = xs.to_vec();
    // SAFETY: in place over v's elements.
    unsafe { k(v.len(), v.as_ptr().cast(), v.as_mut_ptr().cast()) };
    assert!(v
        .iter()
        .zip(&whole)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    // Unaligned: shift the data by 4 bytes inside a byte buffer.
    let mut bytes = vec![0u8; xs.len() * 8 + 8];
    for (j, x) in xs.iter().enumerate() {
        bytes[4 + 8 * j..12 + 8 * j].copy_from_slice(&x.to_ne_bytes());
    }
    let p = bytes[4..].as_mut_ptr();
    // SAFETY: in place over xs.len() unaligned elements inside `bytes`.
    unsafe { k(xs.len(), p, p) };
    for (j, w) in whole.iter().enumerate() {
        let got = f64::from_ne_bytes(bytes[4 + 8 * j..12 + 8 * j].try_into().unwrap());
        assert_eq!(got.to_bits(), w.to_bits(), "{}: unaligned", e.name);
    }
}

#[test]
fn exp_within_bound() {
    check_unary(UnaryOp::Exp, -745.0, 710.0);
}

#[test]
fn log_within_bound() {
    check_unary(UnaryOp::Log, 0.0, 1e6);
}

/// Multiples of π/2 (and their neighbours), where the reduced argument cancels most.
fn near_half_pi_multiples() -> Vec<f64> {
    let mut v = Vec::new();
    for k in (-2000i32..2000).chain([100_000, 355_113, 667_000, -666_000]) {
        let c = f64::from(k) * std::f64::consts::FRAC_PI_2;
        let mut x = c;
        for _ in 0..4 {
            x = x.next_down();
        }
        for _ in 0..9 {
            v.push(x);
            x = x.next_up();
        }
    }
    v
}

/// `op` at `xs` against libm, within the kernel's bound (plus libm's 1 ULP).
fn check_unary_at(op: UnaryOp, xs: &[f64]) {
    let e = unary(op, DType::F64).unwrap();
    let MathFn::F64(libm) = math::unary(op, DType::F64).unwrap().func else {
        panic!()
    };
    for (&x, &g) in xs.iter().zip(&run_unary64(e, xs)) {
        let d = ulps64(g, libm(x));
        assert!(d <= u64::from(e.ulps) + 1, "{}: {d} ulp at {x:e}", e.name);
    }
}

/// The sign of a zero result is libm's (`ulps64` counts ±0 as equal).
fn check_zero_signs(op: UnaryOp) {
    for dtype in [DType::F64, DType::F32] {
        let e = unary(op, dtype).unwrap();
        let MathFn::F64(libm) = math::unary(op, DType::F64).unwrap().func else {
            panic!()
        };
        for x in [0.0, -0.0] {
            let (want, got) = if dtype == DType::F64 {
                (libm(x), run_unary64(e, &[x])[0])
            } else {
                (libm(x), f64::from(run_unary32(e, &[x as f32])[0]))
            };
            assert_eq!(got.to_bits(), want.to_bits(), "{}({x:?}) {dtype:?}", e.name);
        }
    }
}

#[test]
fn sin_within_bound() {
    check_unary(UnaryOp::Sin, -1e4, 1e4);
}

#[test]
fn sin_small_and_near_half_pi() {
    check_unary(UnaryOp::Sin, -4.0, 4.0);
    check_unary(UnaryOp::Sin, -1.1e6, 1.1e6);
    check_unary_at(UnaryOp::Sin, &near_half_pi_multiples());
    check_zero_signs(UnaryOp::Sin);
}

#[test]
fn cos_within_bound() {
    check_unary(UnaryOp::Cos, -1e4, 1e4);
}

#[test]
fn cos_small_and_near_half_pi() {
    check_unary(UnaryOp::Cos, -4.0, 4.0);
    check_unary(UnaryOp::Cos, -1.1e6, 1.1e6);
    check_unary_at(UnaryOp::Cos, &near_half_pi_multiples());
    check_zero_signs(UnaryOp::Cos);
}

#[test]
fn tan_within_bound() {
    check_unary(UnaryOp::Tan, -1e4, 1e4);
}

#[test]
fn tan_small_and_near_half_pi() {
    check_unary(UnaryOp::Tan, -4.0, 4.0);
    check_unary(UnaryOp::Tan, -1.1e6, 1.1e6);
    check_unary_at(UnaryOp::Tan, &near_half_pi_multiples());
    check_zero_signs(UnaryOp::Tan);
}

#[test]
fn arctan_within_bound() {
    check_unary(UnaryOp::Arctan, -1e3, 1e3);
    check_unary(UnaryOp::Arctan, -4.0, 4.0);
    // Around the interval ends 7/16, 11/16, 19/16, 39/16.
    check_unary(UnaryOp::Arctan, 0.4, 2.5);
    check_zero_signs(UnaryOp::Arctan);
}

#[test]
fn arcsin_and_arccos_within_bound() {
    for op in [UnaryOp::Arcsin, UnaryOp::Arccos] {
        check_unary(op, -1.0, 1.0);
        // Near ±1, where 1 - x² cancels, and near 0.
        check_unary(op, 0.999, 1.0);
        check_unary(op, -1.0, -0.999);
        check_unary(op, -1e-3, 1e-3);
    }
    check_zero_signs(UnaryOp::Arcsin);
}

#[test]
fn arctan2_within_bound() {
    check_binary(BinaryOp::Arctan2, |r| {
        (r.uniform(-10.0, 10.0), r.uniform(-10.0, 10.0))
    });
    // Mixed magnitudes and signs: ratios from 10^-40 to 10^40.
    check_binary(BinaryOp::Arctan2, |r| {
        let m = |r: &mut Rng| 10f64.powi((r.next_u64() % 81) as i32 - 40);
        let y = r.uniform(-1.0, 1.0) * m(r);
        (y, r.uniform(-1.0, 1.0) * m(r))
    });
}

#[test]
fn log1p_within_bound() {
    check_unary(UnaryOp::Log1p, -0.999, 1e6);
}

#[test]
fn log1p_near_zero_within_bound() {
    check_unary(UnaryOp::Log1p, -1e-3, 1e-3);
}

#[test]
fn expm1_within_bound() {
    check_unary(UnaryOp::Expm1, -745.0, 710.0);
}

#[test]
fn expm1_near_zero_within_bound() {
    check_unary(UnaryOp::Expm1, -1e-3, 1e-3);
}

#[test]
fn log2_within_bound() {
    check_unary(UnaryOp::Log2, 0.0, 1e6);
}

#[test]
fn log10_within_bound() {
    check_unary(UnaryOp::Log10, 0.0, 1e6);
}

#[test]
fn tanh_within_bound() {
    check_unary(UnaryOp::Tanh, -25.0, 25.0);
}

#[test]
fn tanh_near_zero_within_bound() {
    check_unary(UnaryOp::Tanh, -1e-3, 1e-3);
}

#[test]
fn sinh_within_bound() {
    check_unary(UnaryOp::Sinh, -712.0, 712.0);
}

#[test]
fn sinh_near_zero_within_bound() {
    check_unary(UnaryOp::Sinh, -1e-3, 1e-3);
}

#[test]
fn cosh_within_bound() {
    check_unary(UnaryOp::Cosh, -712.0, 712.0);
}

/// Runs the kernel for `op` on `xs` in both dtypes (the `f32` run on `xs as f32`).
fn run_both(op: UnaryOp, xs: &[f64]) -> (Vec<f64>, Vec<f32>) {
    let x32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
    (
        run_unary64(unary(op, DType::F64).unwrap(), xs),
        run_unary32(unary(op, DType::F32).unwrap(), &x32),
    )
}

#[test]
fn log2_of_powers_of_two_is_exact() {
    let ks: Vec<i32> = (-1022..=1023).collect();
    let xs: Vec<f64> = ks.iter().map(|&k| 2f64.powi(k)).collect();
    let (g64, g32) = run_both(UnaryOp::Log2, &xs);
    for (j, &k) in ks.iter().enumerate() {
        assert_eq!(g64[j], f64::from(k), "log2(2^{k})");
        if (-126..=127).contains(&k) {
            assert_eq!(g32[j], k as f32, "log2f(2^{k})");
        }
    }
}

#[test]
fn log10_of_powers_of_ten_is_exact() {
    // 10^k is exact in f64 for k <= 22, in f32 for k <= 10.
    let xs: Vec<f64> = (0..=22).map(|k| 10f64.powi(k)).collect();
    let (g64, g32) = run_both(UnaryOp::Log10, &xs);
    for k in 0..=22 {
        assert_eq!(g64[k], k as f64, "log10(1e{k})");
        if k <= 10 {
            assert_eq!(g32[k], k as f32, "log10f(1e{k})");
        }
    }
}

#[test]
fn odd_functions_keep_the_sign_of_zero() {
    for op in [UnaryOp::Log1p, UnaryOp::Expm1, UnaryOp::Tanh, UnaryOp::Sinh] {
        let (g64, g32) = run_both(op, &[-0.0, 0.0]);
        assert_eq!(g64[0].to_bits(), (-0.0f64).to_bits(), "{op:?}(-0.0)");
        assert_eq!(g64[1].to_bits(), 0, "{op:?}(0.0)");
        assert_eq!(g32[0].to_bits(), (-0.0f32).to_bits(), "{op:?}f(-0.0)");
        assert_eq!(g32[1].to_bits(), 0, "{op:?}f(0.0)");
    }
}

/// A lone NaN or infinity among ordinary values, at every position of a few vectors and a
/// tail: a kernel's fast-domain mask must send its lane to libm (with a special value
/// elsewhere in the vector, the whole vector is redone anyway, so `SPECIAL` alone does not
/// catch a mask that misses it).
#[test]
fn lone_special_lanes_match_libm() {
    const N: usize = 37;
    let base = |i: usize| 0.25 + 0.01 * i as f64;
    for special in [f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for op in [
            UnaryOp::Exp,
            UnaryOp::Log,
            UnaryOp::Log1p,
            UnaryOp::Log2,
            UnaryOp::Log10,
            UnaryOp::Sin,
            UnaryOp::Cos,
            UnaryOp::Tan,
            UnaryOp::Arctan,
            UnaryOp::Arcsin,
            UnaryOp::Arccos,
            UnaryOp::Tanh,
            UnaryOp::Sinh,
            UnaryOp::Cosh,
            UnaryOp::Expm1,
        ] {
            let e = unary(op, DType::F64).expect("f64 kernel");
            let MathFn::F64(libm) = math::unary(op, DType::F64).unwrap().func else {
                panic!()
            };
            for at in 0..N {
                let mut xs: Vec<f64> = (0..N).map(base).collect();
                xs[at] = special;
                let got = run_unary64(e, &xs);
                let want = libm(special);
                assert_eq!(ulps64(got[at], want), 0, "{} at {at} of {special}", e.name);
            }
        }
        let e = binary(BinaryOp::Arctan2, DType::F64).expect("f64 kernel");
        let MathFn::F64x2(libm) = math::binary(BinaryOp::Arctan2, DType::F64).unwrap().func else {
            panic!()
        };
        for at in 0..N {
            for first in [true, false] {
                let (mut ys, mut xs): (Vec<f64>, Vec<f64>) = (
                    (0..N).map(|i| -base(i)).collect(),
                    (0..N).map(base).collect(),
                );
                if first {
                    ys[at] = special;
                } else {
                    xs[at] = special;
                }
                let got = run_binary64(e, &ys, &xs);
                let want = libm(ys[at], xs[at]);
                assert_eq!(
                    ulps64(got[at], want),
                    0,
                    "arctan2 at {at} ({}, {})",
                    ys[at],
                    xs[at]
                );
            }
        }
    }
}
