//! The `f32`-lane kernels against the correctly rounded result (the `f64` libm function
//! on the exact widened argument, rounded once), on every variant this CPU runs: dense
//! samples of all bit patterns and of the fast domain, eye values, the kernel contract,
//! and (ignored: run in release) every one of the 2^32 floats.

use super::{atan, exp, hyperbolic, log, log1p, trig};
use crate::math::float;
use crate::math::vector::driver::Unary;
use crate::math::vector::UnaryKernel;
use crate::testkit::{ulps32, Rng};

/// One `f32` kernel with what it is checked against.
#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    kernel: Unary,
    /// The bound in ULPs from the correctly rounded result, in the fast domain.
    ulps: u64,
    /// The function in `f64`: rounded to `f32`, the correctly rounded result (but for
    /// double roundings far rarer than any sample here).
    reference: fn(f64) -> f64,
    /// What the kernel must give, bit for bit, outside the fast domain.
    libm: extern "C" fn(f32) -> f32,
    fast: fn(f32) -> bool,
    /// Where dense random samples are drawn.
    range: (f32, f32),
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "exp",
            kernel: exp::EXP,
            ulps: 1,
            reference: f64::exp,
            libm: float::exp_f32,
            fast: exp::fast,
            range: (-87.0, 88.0),
        },
        Case {
            name: "log",
            kernel: log::LOG,
            ulps: 1,
            reference: f64::ln,
            libm: float::log_f32,
            fast: log::fast,
            range: (0.0, 4.0),
        },
        Case {
            name: "sin",
            kernel: trig::SIN,
            ulps: 1,
            reference: f64::sin,
            libm: float::sin_f32,
            fast: trig::fast,
            range: (-100.0, 100.0),
        },
        Case {
            name: "cos",
            kernel: trig::COS,
            ulps: 1,
            reference: f64::cos,
            libm: float::cos_f32,
            fast: trig::fast,
            range: (-100.0, 100.0),
        },
        Case {
            name: "tan",
            kernel: trig::TAN,
            ulps: 1,
            reference: f64::tan,
            libm: float::tan_f32,
            fast: trig::fast,
            range: (-100.0, 100.0),
        },
        Case {
            name: "expm1",
            kernel: super::expm1::EXPM1,
            ulps: 2,
            reference: f64::exp_m1,
            libm: float::expm1_f32,
            fast: exp::fast,
            range: (-2.0, 2.0),
        },
        Case {
            name: "log1p",
            kernel: log1p::LOG1P,
            ulps: 2,
            reference: f64::ln_1p,
            libm: float::log1p_f32,
            fast: log1p::fast,
            range: (-1.0, 3.0),
        },
        Case {
            name: "log2",
            kernel: super::log2::LOG2,
            ulps: 1,
            reference: f64::log2,
            libm: float::log2_f32,
            fast: log::fast,
            range: (0.0, 4.0),
        },
        Case {
            name: "log10",
            kernel: super::log2::LOG10,
            ulps: 1,
            reference: f64::log10,
            libm: float::log10_f32,
            fast: log::fast,
            range: (0.0, 4.0),
        },
        Case {
            name: "arctan",
            kernel: atan::ATAN,
            ulps: 2,
            reference: f64::atan,
            libm: float::arctan_f32,
            fast: atan::atan_fast,
            range: (-10.0, 10.0),
        },
        Case {
            name: "arcsin",
            kernel: atan::ASIN,
            ulps: 2,
            reference: f64::asin,
            libm: float::arcsin_f32,
            fast: atan::asin_fast,
            range: (-1.0, 1.0),
        },
        Case {
            name: "arccos",
            kernel: atan::ACOS,
            ulps: 2,
            reference: f64::acos,
            libm: float::arccos_f32,
            fast: atan::asin_fast,
            range: (-1.0, 1.0),
        },
        Case {
            name: "tanh",
            kernel: hyperbolic::TANH,
            ulps: 2,
            reference: f64::tanh,
            libm: float::tanh_f32,
            fast: hyperbolic::tanh_fast,
            range: (-5.0, 5.0),
        },
        Case {
            name: "sinh",
            kernel: hyperbolic::SINH,
            ulps: 2,
            reference: f64::sinh,
            libm: float::sinh_f32,
            fast: hyperbolic::sinh_cosh_fast,
            range: (-5.0, 5.0),
        },
        Case {
            name: "cosh",
            kernel: hyperbolic::COSH,
            ulps: 2,
            reference: f64::cosh,
            libm: float::cosh_f32,
            fast: hyperbolic::sinh_cosh_fast,
            range: (-5.0, 5.0),
        },
    ]
}

/// The variants of `k` this CPU runs, by name.
fn variants(k: Unary) -> Vec<(&'static str, UnaryKernel)> {
    #[allow(unused_mut)]
    // The SSE2 variant is the widened `float64` kernel, checked with those.
    let mut v: Vec<(&'static str, UnaryKernel)> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx2") && has!("fma") {
            v.push(("avx2", k.avx2));
        }
        if has!("avx512f") && has!("avx512dq") && has!("fma") {
            v.push(("avx512", k.avx512));
        }
    }
    v
}

fn run(k: UnaryKernel, xs: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0f32; xs.len()];
    // SAFETY: both hold xs.len() elements.
    unsafe { k(xs.len(), xs.as_ptr().cast(), out.as_mut_ptr().cast()) };
    out
}

/// The worst case of one variant over some inputs.
#[derive(Default)]
struct Worst {
    /// ULPs from the correctly rounded result, and where.
    ulps: u64,
    at: f32,
    /// The largest error in fractional ULPs of the result (against the `f64` value).
    frac: f64,
    frac_at: f32,
    checked: u64,
}

impl Worst {
    fn merge(&mut self, o: &Worst) {
        if o.ulps > self.ulps {
            self.ulps = o.ulps;
            self.at = o.at;
        }
        if o.frac > self.frac {
            self.frac = o.frac;
            self.frac_at = o.frac_at;
        }
        self.checked += o.checked;
    }
}

/// Checks `got` for `xs`: within the bound in the fast domain, libm's bits elsewhere.
fn check(c: &Case, variant: &str, xs: &[f32], got: &[f32]) -> Worst {
    let mut w = Worst::default();
    for (&x, &g) in xs.iter().zip(got) {
        if !(c.fast)(x) {
            let want = (c.libm)(x);
            assert!(
                g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
                "{} {variant}: {g:e} at {x:e} outside the fast domain, libm gives {want:e}",
                c.name
            );
            continue;
        }
        let exact = (c.reference)(f64::from(x));
        let cr = exact as f32;
        let d = ulps32(g, cr);
        assert!(
            d <= c.ulps,
            "{} {variant}: {g:e} at {x:e} ({:#010x}) is {d} ulp from {cr:e}",
            c.name,
            x.to_bits()
        );
        let ulp = f64::from(f32::from_bits(cr.abs().to_bits() + 1) - cr.abs());
        let frac = (f64::from(g) - exact).abs() / ulp;
        if d > w.ulps {
            w.ulps = d;
            w.at = x;
        }
        if frac > w.frac {
            w.frac = frac;
            w.frac_at = x;
        }
        w.checked += 1;
    }
    w
}

/// Bit patterns spread over all of `u32`, random values in the fast domain, small
/// integers and their neighbours.
fn samples(c: &Case, seed: u64) -> Vec<f32> {
    let mut v: Vec<f32> = (0..1u64 << 32)
        .step_by(4093)
        .map(|b| f32::from_bits(b as u32))
        .collect();
    let mut rng = Rng(seed);
    let (lo, hi) = (f64::from(c.range.0), f64::from(c.range.1));
    v.extend((0..300_000).map(|_| rng.uniform(lo, hi) as f32));
    for k in -100..=100 {
        let x = k as f32;
        v.extend([x, x.next_up(), x.next_down(), x * 0.5]);
    }
    v
}

#[test]
fn dense_samples_within_bound() {
    for c in cases() {
        let xs = samples(&c, 0x32f3 ^ c.name.len() as u64);
        for (variant, k) in variants(c.kernel) {
            let w = check(&c, variant, &xs, &run(k, &xs));
            eprintln!(
                "{} {variant}: {} checked, worst {} ulp at {:e}, {:.3} ulp fractional at {:e}",
                c.name, w.checked, w.ulps, w.at, w.frac, w.frac_at
            );
        }
    }
}

/// Correctly rounded where a user looks first: `exp(0)`, `exp(1)`, `log`, `log2`,
/// `log10` and `log1p` of powers of two and ten, and the zeros of every function.
#[test]
fn eye_values_are_correctly_rounded() {
    let mut pows: Vec<f32> = (-126..=127).map(|k| 2f32.powi(k)).collect();
    pows.extend((0..=10).map(|k| 10f32.powi(k)));
    for c in cases() {
        let mut xs = vec![0.0f32, -0.0];
        if c.name.starts_with("log") {
            xs.extend(&pows);
        }
        if c.name == "exp" {
            xs.push(1.0);
        }
        for (variant, k) in variants(c.kernel) {
            for (&x, &g) in xs.iter().zip(&run(k, &xs)) {
                let want = if (c.fast)(x) {
                    (c.reference)(f64::from(x)) as f32
                } else {
                    (c.libm)(x)
                };
                assert_eq!(g.to_bits(), want.to_bits(), "{} {variant}({x})", c.name);
            }
        }
    }
    for (variant, k) in variants(exp::EXP) {
        assert_eq!(run(k, &[1.0])[0], std::f32::consts::E, "exp {variant}(1)");
    }
}

/// Same bits at every length, offset, alignment and in place.
#[test]
fn kernel_contract() {
    for c in cases() {
        let xs = samples(&c, 7);
        let xs = &xs[xs.len() - 5000..];
        for (variant, k) in variants(c.kernel) {
            let whole = run(k, xs);
            for n in [0, 1, 3, 15, 16, 17, 127, 128, 129, 300] {
                for off in [0, 1, 5] {
                    let part = run(k, &xs[off..off + n]);
                    for (a, b) in part.iter().zip(&whole[off..off + n]) {
                        assert_eq!(a.to_bits(), b.to_bits(), "{} {variant}: n={n}", c.name);
                    }
                }
            }
            // In place and unaligned: the data shifted by 2 bytes inside a byte buffer.
            let mut bytes = vec![0u8; xs.len() * 4 + 4];
            for (j, x) in xs.iter().enumerate() {
                bytes[2 + 4 * j..6 + 4 * j].copy_from_slice(&x.to_ne_bytes());
            }
            let p = bytes[2..].as_mut_ptr();
            // SAFETY: in place over xs.len() unaligned elements inside `bytes`.
            unsafe { k(xs.len(), p, p) };
            for (j, w) in whole.iter().enumerate() {
                let got = f32::from_ne_bytes(bytes[2 + 4 * j..6 + 4 * j].try_into().unwrap());
                assert_eq!(got.to_bits(), w.to_bits(), "{} {variant}: in place", c.name);
            }
        }
    }
}

/// Every float, on every variant: `cargo test --release --lib lanes32 -- --ignored
/// --nocapture` (a few minutes per function on two cores).
#[test]
#[ignore]
fn exhaustive_within_bound() {
    let only = std::env::var("JITEX_EXHAUSTIVE").ok();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    for c in cases() {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|n| n == c.name))
        {
            continue;
        }
        for (variant, k) in variants(c.kernel) {
            let total = std::thread::scope(|s| {
                let hs: Vec<_> = (0..threads)
                    .map(|t| {
                        s.spawn(move || {
                            let mut w = Worst::default();
                            let mut chunk = t;
                            const CHUNK: u64 = 1 << 16;
                            while chunk < (1u64 << 32) / CHUNK {
                                let xs: Vec<f32> = (chunk * CHUNK..(chunk + 1) * CHUNK)
                                    .map(|b| f32::from_bits(b as u32))
                                    .collect();
                                w.merge(&check(&c, variant, &xs, &run(k, &xs)));
                                chunk += threads;
                            }
                            w
                        })
                    })
                    .collect();
                let mut w = Worst::default();
                for h in hs {
                    w.merge(&h.join().unwrap());
                }
                w
            });
            eprintln!(
                "{} {variant}: all {} fast-domain floats, worst {} ulp at {:e}, {:.3} ulp fractional at {:e}",
                c.name, total.checked, total.ulps, total.at, total.frac, total.frac_at
            );
        }
    }
}

/// `arctan2` on random pairs of every sign and of magnitudes 2^-80 to 2^80 (ratios far
/// beyond both ends), and on pairs of random bit patterns.
#[test]
fn arctan2_within_bound() {
    use crate::math::vector::BinaryKernel;
    let k = atan::ATAN2;
    let mut rng = Rng(0xa7a2);
    let mut ys = Vec::new();
    let mut xs = Vec::new();
    for _ in 0..400_000 {
        let m = |r: &mut Rng| 2f64.powi((r.next_u64() % 161) as i32 - 80);
        ys.push((rng.uniform(-1.0, 1.0) * m(&mut rng)) as f32);
        xs.push((rng.uniform(-1.0, 1.0) * m(&mut rng)) as f32);
        ys.push(rng.uniform(-10.0, 10.0) as f32);
        xs.push(rng.uniform(-10.0, 10.0) as f32);
        ys.push(f32::from_bits(rng.next_u64() as u32));
        xs.push(f32::from_bits(rng.next_u64() as u32));
    }
    #[allow(unused_mut)]
    let mut vs: Vec<(&str, BinaryKernel)> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx2") && has!("fma") {
            vs.push(("avx2", k.avx2));
        }
        if has!("avx512f") && has!("avx512dq") && has!("fma") {
            vs.push(("avx512", k.avx512));
        }
    }
    for (variant, k) in vs {
        let mut out = vec![0.0f32; xs.len()];
        // SAFETY: all hold xs.len() elements.
        unsafe {
            k(
                xs.len(),
                ys.as_ptr().cast(),
                xs.as_ptr().cast(),
                out.as_mut_ptr().cast(),
            )
        };
        let (mut worst, mut frac) = (0, 0.0f64);
        for j in 0..xs.len() {
            let (y, x, g) = (ys[j], xs[j], out[j]);
            if !atan::atan2_fast(y, x) {
                let want = float::arctan2_f32(y, x);
                assert!(g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()));
                continue;
            }
            let exact = f64::from(y).atan2(f64::from(x));
            let cr = exact as f32;
            let d = ulps32(g, cr);
            assert!(
                d <= 2,
                "arctan2 {variant}({y:e}, {x:e}) = {g:e}: {d} ulp from {cr:e}"
            );
            worst = worst.max(d);
            let ulp = f64::from(f32::from_bits(cr.abs().to_bits() + 1) - cr.abs());
            frac = frac.max((f64::from(g) - exact).abs() / ulp);
        }
        eprintln!("arctan2 {variant}: worst {worst} ulp, {frac:.3} ulp fractional");
    }
}
