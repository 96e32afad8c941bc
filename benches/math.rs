//! Criterion benchmarks of the transcendental functions, one thread, N = 4096 (in L1/L2):
//! each expression with the vector kernels of `jitex::math::vector` (the default) and
//! with per-element libm calls (`MathImpl::Libm`), so the two are measured in one run.
//! The `kernel/*` rows call the float64 vector kernels alone at N = 10 000 (the numbers of
//! `docs/math.md`), timed by the thread's CPU time (on Linux), so that other processes on a
//! loaded machine do not inflate them; `JITEX_VECTOR_MATH_AVX2=1` measures the AVX2 path
//! on an AVX-512 host.
//!
//! `cargo bench --bench math`.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jitex::ir::{BinaryOp, UnaryOp};
use jitex::math::vector::{binary, unary, VectorFn};
use jitex::{Arg, ArrayViewMut, DType, EvalOptions, Expr, MathImpl};

mod common;
use common::column;

/// One function each, on float64 `a` (and `b`) and on float32 `x` (and `y`), and the two
/// float32 mixes of the reference comparison with NumPy.
const EXPRESSIONS: &[&str] = &[
    "exp(a)",
    "log(a)",
    "sin(a)",
    "cos(a)",
    "tan(a)",
    "arctan(a)",
    "arcsin(a)",
    "arccos(a)",
    "arctan2(a, b)",
    "tanh(a)",
    "expm1(a)",
    "log1p(a)",
    "log10(a)",
    "exp(x)",
    "sin(x)",
    "log(x)",
    "cos(x)",
    "tan(x)",
    "arctan(x)",
    "arcsin(x)",
    "arctan2(x, y)",
    "tanh(x)",
    "expm1(x)",
    "log1p(x)",
    "log10(x)",
    "exp(x) + sin(y)",
    "log(x) * cos(y)",
];

const N: usize = 4096;

fn math(c: &mut Criterion) {
    let (a, b) = (column(N, 1), column(N, 2));
    let x: Vec<f32> = a.iter().map(|&v| v as f32).collect();
    let y: Vec<f32> = b.iter().map(|&v| v as f32).collect();
    let inputs = [
        ("a", Arg::from(&a[..])),
        ("b", Arg::from(&b[..])),
        ("x", Arg::from(&x[..])),
        ("y", Arg::from(&y[..])),
    ];
    for &src in EXPRESSIONS {
        let expr = Expr::compile(src).expect("suite expressions compile");
        let mut group = c.benchmark_group(src);
        group.throughput(Throughput::Elements(N as u64));
        for math in [MathImpl::Vector, MathImpl::Libm] {
            let opts = EvalOptions {
                threads: Some(1),
                math,
                ..Default::default()
            };
            let (mut f64s, mut f32s) = (vec![0.0f64; N], vec![0.0f32; N]);
            let label = format!("{math:?}");
            group.bench_function(BenchmarkId::new(label, N), |bench| {
                bench.iter(|| {
                    let mut out = if src.contains("(x") {
                        ArrayViewMut::from_slice_mut(&mut f32s[..])
                    } else {
                        ArrayViewMut::from_slice_mut(&mut f64s[..])
                    };
                    expr.eval_into(&inputs, &mut out, &opts)
                        .expect("suite expressions run")
                })
            });
        }
        group.finish();
    }
}

/// Inputs of the `kernel/*` rows: uniform in each function's usual range (`arctan2`'s
/// two operands in `KERNEL_ATAN2`).
const KERNELS: &[(&str, UnaryOp, f64, f64)] = &[
    ("exp", UnaryOp::Exp, -700.0, 700.0),
    ("log", UnaryOp::Log, 0.001, 1000000.0),
    ("sin", UnaryOp::Sin, -1000.0, 1000.0),
    ("cos", UnaryOp::Cos, -1000.0, 1000.0),
    ("tan", UnaryOp::Tan, -1000.0, 1000.0),
    ("arctan", UnaryOp::Arctan, -100.0, 100.0),
    ("arcsin", UnaryOp::Arcsin, -1.0, 1.0),
    ("arccos", UnaryOp::Arccos, -1.0, 1.0),
    ("log1p", UnaryOp::Log1p, -0.9, 100.0),
    ("log2", UnaryOp::Log2, 0.001, 1000000.0),
    ("log10", UnaryOp::Log10, 0.001, 1000000.0),
    ("expm1", UnaryOp::Expm1, -20.0, 20.0),
    ("tanh", UnaryOp::Tanh, -5.0, 5.0),
    ("sinh", UnaryOp::Sinh, -20.0, 20.0),
    ("cosh", UnaryOp::Cosh, -20.0, 20.0),
];

/// The range of both `arctan2` operands in the `kernel/arctan2` row.
const KERNEL_ATAN2: (f64, f64) = (-100.0, 100.0);

/// The CPU time of the calling thread, in ns: what the `kernel/*` rows measure. Elsewhere
/// than on Linux, wall time.
struct ThreadTime;

#[cfg(target_os = "linux")]
fn thread_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for clock_gettime to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

#[cfg(not(target_os = "linux"))]
fn thread_ns() -> u64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}

impl Measurement for ThreadTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_ns() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, as wall time's.
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}

/// The float64 vector kernels alone, N = 10 000, in cache.
fn kernels(c: &mut Criterion<ThreadTime>) {
    const N: usize = 10_000;
    let mut group = c.benchmark_group("kernel");
    group.throughput(Throughput::Elements(N as u64));
    let uniform = |seed, lo: f64, hi: f64| -> Vec<f64> {
        column(N, seed)
            .iter()
            .map(|&u| lo + (hi - lo) * u)
            .collect()
    };
    let mut out = vec![0.0f64; N];
    for &(name, op, lo, hi) in KERNELS {
        let VectorFn::Unary(k) = unary(op, DType::F64).expect("a vector kernel").func else {
            unreachable!("unary")
        };
        let x = uniform(3, lo, hi);
        group.bench_function(name, |bench| {
            // SAFETY: x and out hold N elements each.
            bench.iter(|| unsafe { k(N, x.as_ptr().cast(), out.as_mut_ptr().cast()) })
        });
    }
    let Some(VectorFn::Binary(k)) = binary(BinaryOp::Arctan2, DType::F64).map(|e| e.func) else {
        unreachable!("arctan2 is binary")
    };
    let (lo, hi) = KERNEL_ATAN2;
    let (y, x) = (uniform(3, lo, hi), uniform(4, lo, hi));
    group.bench_function("arctan2", |bench| {
        // SAFETY: y, x and out hold N elements each.
        bench.iter(|| unsafe {
            k(
                N,
                y.as_ptr().cast(),
                x.as_ptr().cast(),
                out.as_mut_ptr().cast(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, math);
criterion_group! {
    name = kernel_benches;
    config = Criterion::default().with_measurement(ThreadTime);
    targets = kernels
}
criterion_main!(benches, kernel_benches);
