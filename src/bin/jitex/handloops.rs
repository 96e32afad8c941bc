//! The benchmark suite, and for each expression the plain Rust loop a programmer would
//! write by hand: the baseline jitex's fused kernels are measured against.
//!
//! Each loop slices its inputs to the output length first, so rustc can drop the bounds
//! checks and vectorise — this is the fair, idiomatic baseline, not a strawman. Semantics
//! match NumPy's for the same expression: literals take the array's dtype (`2*x` on
//! `float32` multiplies in `float32`), integer `*`/`+` wrap, and `%` takes the divisor's sign.

// Indexed loops on purpose: they are the "plain for loop" baseline the benchmark promises.
#![allow(clippy::needless_range_loop)]

use jitex::DType;

/// The generated input columns, each at least as long as the largest benchmarked N.
pub struct Data {
    /// `float64` in `[0, 1)`.
    pub a: Vec<f64>,
    /// `float64` in `[0, 1)`.
    pub b: Vec<f64>,
    /// `float64` in `[0, 1)`.
    pub c: Vec<f64>,
    /// `int64` in `[-1000, 1000)`.
    pub i1: Vec<i64>,
    /// `int64` in `[-1000, 1000)`.
    pub i2: Vec<i64>,
    /// `float32` in `[0, 1)`.
    pub x: Vec<f32>,
    /// `float32` in `[0, 1)`.
    pub y: Vec<f32>,
}

impl Data {
    /// Deterministic pseudo-random data (xorshift64*), `n` elements per column.
    pub fn generate(n: usize) -> Data {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        // The top 53 bits give a uniform double in [0, 1).
        let mut unit = move || (next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        let mut floats = |n| (0..n).map(|_| unit()).collect::<Vec<f64>>();
        let (a, b, c) = (floats(n), floats(n), floats(n));
        let to_int = |v: &[f64]| {
            v.iter()
                .map(|&u| (u * 2000.0) as i64 - 1000)
                .collect::<Vec<i64>>()
        };
        let to_f32 = |v: &[f64]| v.iter().map(|&u| u as f32).collect::<Vec<f32>>();
        let (i1, i2) = (to_int(&floats(n)), to_int(&floats(n)));
        let (x, y) = (to_f32(&floats(n)), to_f32(&floats(n)));
        Data {
            a,
            b,
            c,
            i1,
            i2,
            x,
            y,
        }
    }

    /// The first `n` elements of column `name`, as an input argument.
    pub fn column(&self, name: &str, n: usize) -> jitex::Arg<'_> {
        match name {
            "a" => jitex::Arg::from(&self.a[..n]),
            "b" => jitex::Arg::from(&self.b[..n]),
            "c" => jitex::Arg::from(&self.c[..n]),
            "i1" => jitex::Arg::from(&self.i1[..n]),
            "i2" => jitex::Arg::from(&self.i2[..n]),
            "x" => jitex::Arg::from(&self.x[..n]),
            "y" => jitex::Arg::from(&self.y[..n]),
            _ => unreachable!("the suite only names generated columns"),
        }
    }

    /// The dtype of column `name`.
    pub fn dtype(name: &str) -> DType {
        match name {
            "i1" | "i2" => DType::I64,
            "x" | "y" => DType::F32,
            _ => DType::F64,
        }
    }
}

/// A hand-written loop writing `out.len()` elements, typed by its output.
#[derive(Clone, Copy)]
pub enum Hand {
    /// `float64` result.
    F64(fn(&Data, &mut [f64])),
    /// `float32` result.
    F32(fn(&Data, &mut [f32])),
    /// `int64` result.
    I64(fn(&Data, &mut [i64])),
    /// `bool` result.
    Bool(fn(&Data, &mut [bool])),
}

impl Hand {
    /// The result dtype.
    pub fn dtype(self) -> DType {
        match self {
            Hand::F64(_) => DType::F64,
            Hand::F32(_) => DType::F32,
            Hand::I64(_) => DType::I64,
            Hand::Bool(_) => DType::Bool,
        }
    }
}

/// One benchmark: the expression, the columns it reads, and its hand-written twin.
pub struct Case {
    /// The jitex source.
    pub expr: &'static str,
    /// Input column names, as used in `expr`.
    pub inputs: &'static [&'static str],
    /// The Rust loop computing the same thing.
    pub hand: Hand,
}

/// The suite, in the order the table lists it.
pub const SUITE: &[Case] = &[
    Case {
        expr: "2*a + 3*b",
        inputs: &["a", "b"],
        hand: Hand::F64(axpby),
    },
    Case {
        expr: "a*b + c",
        inputs: &["a", "b", "c"],
        hand: Hand::F64(fma_like),
    },
    Case {
        expr: "a**2 + b**2 + 2*a*b",
        inputs: &["a", "b"],
        hand: Hand::F64(square_sum),
    },
    Case {
        expr: "0.25*a**3 + 0.75*a**2 - 1.5*a - 2",
        inputs: &["a"],
        hand: Hand::F64(cubic),
    },
    Case {
        expr: "sqrt(a*a + b*b)",
        inputs: &["a", "b"],
        hand: Hand::F64(hypot_like),
    },
    Case {
        expr: "where(a > b, a, b)",
        inputs: &["a", "b"],
        hand: Hand::F64(select_max),
    },
    Case {
        expr: "(a > 0.5) & (b < 0.5)",
        inputs: &["a", "b"],
        hand: Hand::Bool(both),
    },
    Case {
        expr: "sin(a)**2 + cos(b)**2",
        inputs: &["a", "b"],
        hand: Hand::F64(trig),
    },
    Case {
        expr: "exp(-a*b)",
        inputs: &["a", "b"],
        hand: Hand::F64(exp_neg),
    },
    Case {
        expr: "log(1 + a)",
        inputs: &["a"],
        hand: Hand::F64(log1p_like),
    },
    Case {
        expr: "arctan2(a, b)",
        inputs: &["a", "b"],
        hand: Hand::F64(atan2),
    },
    Case {
        expr: "i1*3 + i2 % 7",
        inputs: &["i1", "i2"],
        hand: Hand::I64(int_mix),
    },
    Case {
        expr: "2*x + 3*y",
        inputs: &["x", "y"],
        hand: Hand::F32(axpby_f32),
    },
];

fn axpby(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let (a, b) = (&d.a[..n], &d.b[..n]);
    for i in 0..n {
        out[i] = 2.0 * a[i] + 3.0 * b[i];
    }
}

fn fma_like(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let (a, b, c) = (&d.a[..n], &d.b[..n], &d.c[..n]);
    for i in 0..n {
        out[i] = a[i] * b[i] + c[i];
    }
}

fn square_sum(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let (a, b) = (&d.a[..n], &d.b[..n]);
    for i in 0..n {
        out[i] = a[i] * a[i] + b[i] * b[i] + 2.0 * a[i] * b[i];
    }
}

fn cubic(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let a = &d.a[..n];
    for i in 0..n {
        let x = a[i];
        out[i] = 0.25 * (x * x * x) + 0.75 * (x * x) - 1.5 * x - 2.0;
    }
}

fn hypot_like(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let (a, b) = (&d.a[..n], &d.b[..n]);
    for i in 0..n {
        out[i] = (a[i] * a[i] + b[i] * b[i]).sqrt();
    }
}

fn select_max(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let (a, b) = (&d.a[..n], &d.b[..n]);
    for i in 0..n {
        out[i] = if a[i] > b[i] { a[i] } else { b[i] };
    }
}

fn both(d: &Data, out: &mut [bool]) {
    let n = out.len();
    let (a, b) = (&d.a[..n], &d.b[..n]);
    for i in 0..n {
        out[i] = (a[i] > 0.5) & (b[i] < 0.5);
    }
}

fn trig(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let (a, b) = (&d.a[..n], &d.b[..n]);
    for i in 0..n {
        let (s, c) = (a[i].sin(), b[i].cos());
        out[i] = s * s + c * c;
    }
}

fn exp_neg(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let (a, b) = (&d.a[..n], &d.b[..n]);
    for i in 0..n {
        out[i] = (-a[i] * b[i]).exp();
    }
}

fn log1p_like(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let a = &d.a[..n];
    for i in 0..n {
        // `log(1 + a)` as written, not `ln_1p`: the same rounding jitex is asked for.
        out[i] = (1.0 + a[i]).ln();
    }
}

fn atan2(d: &Data, out: &mut [f64]) {
    let n = out.len();
    let (a, b) = (&d.a[..n], &d.b[..n]);
    for i in 0..n {
        out[i] = a[i].atan2(b[i]);
    }
}

fn int_mix(d: &Data, out: &mut [i64]) {
    let n = out.len();
    let (i1, i2) = (&d.i1[..n], &d.i2[..n]);
    for i in 0..n {
        // NumPy's `%` has the divisor's sign; with a positive divisor that is rem_euclid.
        out[i] = i1[i].wrapping_mul(3).wrapping_add(i2[i].rem_euclid(7));
    }
}

fn axpby_f32(d: &Data, out: &mut [f32]) {
    let n = out.len();
    let (x, y) = (&d.x[..n], &d.y[..n]);
    for i in 0..n {
        out[i] = 2.0 * x[i] + 3.0 * y[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_has_the_required_size_and_consistent_inputs() {
        assert!(SUITE.len() >= 12);
        for case in SUITE {
            for name in case.inputs {
                assert!(
                    case.expr.contains(name),
                    "{} does not use {name}",
                    case.expr
                );
            }
        }
    }

    #[test]
    fn generated_data_is_in_range_and_deterministic() {
        let d = Data::generate(1000);
        assert!(d
            .a
            .iter()
            .chain(&d.b)
            .chain(&d.c)
            .all(|v| (0.0..1.0).contains(v)));
        assert!(d.i1.iter().chain(&d.i2).all(|v| (-1000..1000).contains(v)));
        assert!(
            d.i2.iter().any(|&v| v < 0),
            "negative operands exercise `%`'s sign rule"
        );
        assert!(d.x.iter().chain(&d.y).all(|v| (0.0..=1.0).contains(v)));
        assert_eq!(Data::generate(1000).a, d.a);
        assert_ne!(d.a, d.b);
    }

    #[test]
    fn hand_loops_follow_numpy_semantics() {
        let mut d = Data::generate(4);
        d.i1 = vec![-5, 0, 7, i64::MAX];
        d.i2 = vec![-8, 8, -1, 0];
        let Hand::I64(f) = SUITE[11].hand else {
            panic!("case 11 is the int64 one")
        };
        let mut out = vec![0i64; 4];
        f(&d, &mut out);
        // -5*3 + (-8 mod 7 = 6), 0 + 1, 21 + 6, wrapping MAX*3 + 0.
        assert_eq!(out, vec![-9, 1, 27, i64::MAX.wrapping_mul(3)]);
        let Hand::F64(g) = SUITE[5].hand else {
            panic!("case 5 is where")
        };
        let mut out = vec![0.0; 4];
        g(&d, &mut out);
        for ((o, a), b) in out.iter().zip(&d.a).zip(&d.b) {
            assert_eq!(*o, a.max(*b));
        }
    }
}
