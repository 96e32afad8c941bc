//! Slow, obviously-correct references: the documented association order written over
//! slices of `Scalar`s, and an `f64` Kahan sum for accuracy bounds.

use crate::ir::ReduceOp;
use crate::types::{Complex32, Complex64, DType, Scalar};

/// The documented pairwise order over a nonempty slice.
pub fn pairwise<A: Copy>(x: &[A], add: &impl Fn(A, A) -> A) -> A {
    let n = x.len();
    if n < 8 {
        return x[1..].iter().fold(x[0], |s, &v| add(s, v));
    }
    if n <= 128 {
        let full = n - n % 8;
        let mut r = [x[0]; 8];
        r.copy_from_slice(&x[..8]);
        for group in x[8..full].chunks_exact(8) {
            for (rj, &v) in r.iter_mut().zip(group) {
                *rj = add(*rj, v);
            }
        }
        let s = add(
            add(add(r[0], r[1]), add(r[2], r[3])),
            add(add(r[4], r[5]), add(r[6], r[7])),
        );
        return x[full..].iter().fold(s, |s, &v| add(s, v));
    }
    let m = n / 2 - (n / 2) % 8;
    add(pairwise(&x[..m], add), pairwise(&x[m..], add))
}

fn f64s(xs: &[Scalar]) -> Vec<f64> {
    xs.iter()
        .map(|s| match s.cast(DType::F64) {
            Scalar::F64(v) => v,
            _ => unreachable!(),
        })
        .collect()
}

fn c64s(xs: &[Scalar]) -> Vec<Complex32> {
    xs.iter()
        .map(|s| match s {
            Scalar::C64(z) => *z,
            _ => unreachable!(),
        })
        .collect()
}

fn c128s(xs: &[Scalar]) -> Vec<Complex64> {
    xs.iter()
        .map(|s| match s {
            Scalar::C128(z) => *z,
            _ => unreachable!(),
        })
        .collect()
}

fn f32s(xs: &[Scalar]) -> Vec<f32> {
    xs.iter()
        .map(|s| match s {
            Scalar::F32(v) => *v,
            _ => unreachable!(),
        })
        .collect()
}

fn is_nan(s: Scalar) -> bool {
    match s {
        Scalar::F32(v) => v.is_nan(),
        Scalar::F64(v) => v.is_nan(),
        _ => false,
    }
}

/// `a < b` for real scalars of one dtype.
fn less(a: Scalar, b: Scalar) -> bool {
    match (a, b) {
        (Scalar::F32(x), Scalar::F32(y)) => x < y,
        (Scalar::F64(x), Scalar::F64(y)) => x < y,
        (Scalar::U64(x), Scalar::U64(y)) => x < y,
        _ => {
            // Every other integer fits i64 after widening, unsigned ones below 2^32 too.
            let w = |s: Scalar| match s.cast(DType::I64) {
                Scalar::I64(v) => v as i128,
                _ => unreachable!(),
            };
            let (x, y) = match (a, b) {
                (Scalar::U32(x), Scalar::U32(y)) => (x as i128, y as i128),
                _ => (w(a), w(b)),
            };
            x < y
        }
    }
}

fn nonzero(s: Scalar) -> bool {
    s.cast(DType::Bool) == Scalar::Bool(true)
}

/// The expected result of `op` over `xs` (elements of `dtype`), or `None` when it must be
/// an error. Float results follow the documented order exactly.
pub fn expect(op: ReduceOp, dtype: DType, xs: &[Scalar]) -> Option<Scalar> {
    let out = op.result_dtype(dtype)?;
    let n = xs.len();
    if n == 0 {
        return match op {
            ReduceOp::Sum | ReduceOp::Any => Some(Scalar::Bool(false).cast(out)),
            ReduceOp::Prod | ReduceOp::All => Some(Scalar::Bool(true).cast(out)),
            _ => None,
        };
    }
    let c32 = |a: Complex32, b: Complex32| Complex32::new(a.re + b.re, a.im + b.im);
    let c128 = |a: Complex64, b: Complex64| Complex64::new(a.re + b.re, a.im + b.im);
    Some(match op {
        ReduceOp::Sum | ReduceOp::Mean => match dtype {
            DType::F32 => {
                let s = pairwise(&f32s(xs), &|a, b| a + b) + 0.0;
                if op == ReduceOp::Mean {
                    Scalar::F32((s as f64 / n as f64) as f32)
                } else {
                    Scalar::F32(s)
                }
            }
            DType::C64 => {
                let s = pairwise(&c64s(xs), &c32);
                let (re, im) = (s.re + 0.0, s.im + 0.0);
                if op == ReduceOp::Mean {
                    // NumPy: a `complex128` Smith division by `n + 0j`, i.e. each part
                    // (plus the other times zero) times `1/n`, rounded to `complex64`.
                    let (re, im, scl) = (re as f64, im as f64, 1.0 / n as f64);
                    let (re, im) = ((re + im * 0.0) * scl, (im - re * 0.0) * scl);
                    Scalar::C64(Complex32::new(re as f32, im as f32))
                } else {
                    Scalar::C64(Complex32::new(re, im))
                }
            }
            DType::C128 => {
                let s = pairwise(&c128s(xs), &c128);
                let (re, im) = (s.re + 0.0, s.im + 0.0);
                if op == ReduceOp::Mean {
                    // NumPy: Smith's division by `n + 0j`.
                    let scl = 1.0 / n as f64;
                    Scalar::C128(Complex64::new((re + im * 0.0) * scl, (im - re * 0.0) * scl))
                } else {
                    Scalar::C128(Complex64::new(re, im))
                }
            }
            _ if op == ReduceOp::Mean || dtype == DType::F64 => {
                let s = pairwise(&f64s(xs), &|a, b| a + b) + 0.0;
                Scalar::F64(if op == ReduceOp::Mean {
                    s / n as f64
                } else {
                    s
                })
            }
            _ if out == DType::U64 => Scalar::U64(xs.iter().fold(0u64, |s, x| {
                let Scalar::U64(v) = x.cast(DType::U64) else {
                    unreachable!()
                };
                s.wrapping_add(v)
            })),
            _ => Scalar::I64(xs.iter().fold(0i64, |s, x| {
                let Scalar::I64(v) = x.cast(DType::I64) else {
                    unreachable!()
                };
                s.wrapping_add(v)
            })),
        },
        ReduceOp::Prod => match dtype {
            DType::F32 => Scalar::F32(f32s(xs).into_iter().fold(1.0, |p, v| p * v)),
            DType::F64 => Scalar::F64(f64s(xs).into_iter().fold(1.0, |p, v| p * v)),
            DType::C64 => {
                let v = c64s(xs);
                // From NumPy's identity `1+0j`, as NumPy folds.
                Scalar::C64(v.iter().fold(Complex32::new(1.0, 0.0), |a, b| {
                    Complex32::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
                }))
            }
            DType::C128 => {
                let v = c128s(xs);
                // From NumPy's identity `1+0j`, as NumPy folds.
                Scalar::C128(v.iter().fold(Complex64::new(1.0, 0.0), |a, b| {
                    Complex64::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
                }))
            }
            _ if out == DType::U64 => Scalar::U64(xs.iter().fold(1u64, |s, x| {
                let Scalar::U64(v) = x.cast(DType::U64) else {
                    unreachable!()
                };
                s.wrapping_mul(v)
            })),
            _ => Scalar::I64(xs.iter().fold(1i64, |s, x| {
                let Scalar::I64(v) = x.cast(DType::I64) else {
                    unreachable!()
                };
                s.wrapping_mul(v)
            })),
        },
        ReduceOp::Min | ReduceOp::Max if dtype == DType::Bool => {
            let all = xs.iter().all(|&x| nonzero(x));
            let any = xs.iter().any(|&x| nonzero(x));
            Scalar::Bool(if op == ReduceOp::Min { all } else { any })
        }
        ReduceOp::Min | ReduceOp::Max => {
            if let Some(&nan) = xs.iter().find(|&&x| is_nan(x)) {
                return Some(nan);
            }
            let mut best = xs[0];
            for &x in &xs[1..] {
                let better = if op == ReduceOp::Min {
                    less(x, best)
                } else {
                    less(best, x)
                };
                if better {
                    best = x;
                }
            }
            best
        }
        ReduceOp::Any => Scalar::Bool(xs.iter().any(|&x| nonzero(x))),
        ReduceOp::All => Scalar::Bool(xs.iter().all(|&x| nonzero(x))),
    })
}

/// Σx with Kahan–Babuška compensation in `f64`, and Σ|x|, over real parts (or, with
/// `imag`, imaginary parts) of float or complex scalars.
pub fn kahan(xs: &[Scalar], imag: bool) -> (f64, f64) {
    let part = |s: &Scalar| match *s {
        Scalar::C64(z) => (if imag { z.im } else { z.re }) as f64,
        Scalar::C128(z) => {
            if imag {
                z.im
            } else {
                z.re
            }
        }
        s => match s.cast(DType::F64) {
            Scalar::F64(v) => v,
            _ => unreachable!(),
        },
    };
    let (mut sum, mut comp, mut abs) = (0.0f64, 0.0f64, 0.0f64);
    for x in xs.iter().map(part) {
        let t = sum + x;
        comp += if sum.abs() >= x.abs() {
            (sum - t) + x
        } else {
            (x - t) + sum
        };
        sum = t;
        abs += x.abs();
    }
    (sum + comp, abs)
}
