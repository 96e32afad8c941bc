//! `jitex bench`: the built-in benchmark. Every expression of [`SUITE`] at N = 1e3, 1e5
//! and 1e7 on generated data, timed as jitex on one thread, jitex on all threads, the
//! hand-written Rust loop, and jitex's allocating `eval`; the kernel columns are set
//! against STREAM-triad bandwidth measured in the same run.

use crate::handloops::{Data, Hand, SUITE};
use crate::stream;
use jitex::{Arg, ArrayViewMut, Backend, DType, EvalOptions, Expr};
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

/// How hard to try: sizes and timing budgets.
struct Plan {
    /// Exponents of ten for N.
    exponents: &'static [u32],
    /// Stop repeating a measurement after this long (once `min_reps` are done).
    budget: Duration,
    min_reps: usize,
    max_reps: usize,
    /// Triad array length (doubles per array) and repetitions.
    triad_len: usize,
    triad_reps: usize,
}

const FULL: Plan = Plan {
    exponents: &[3, 5, 7],
    budget: Duration::from_millis(200),
    min_reps: 3,
    max_reps: 15,
    // 3 arrays × 80 MB: far beyond any last-level cache.
    triad_len: 10_000_000,
    triad_reps: 8,
};

const QUICK: Plan = Plan {
    exponents: &[3, 5],
    budget: Duration::from_millis(5),
    min_reps: 2,
    max_reps: 3,
    triad_len: 1_000_000,
    triad_reps: 3,
};

/// One table row.
struct Row {
    expr: &'static str,
    exponent: u32,
    /// ns per element.
    jit1: f64,
    jitn: f64,
    hand: f64,
    eval1: f64,
    bytes_per_element: usize,
    check: String,
}

/// Runs the suite and prints the table to stdout; progress goes to stderr.
pub fn run(quick: bool, threads: Option<usize>) -> Result<(), String> {
    let plan = if quick { &QUICK } else { &FULL };
    let all = threads.unwrap_or_else(jitex::num_threads).max(1);
    let total = SUITE.len() * plan.exponents.len();

    progress(&format!("STREAM triad, 1 and {all} threads"));
    let triad1 = stream::triad_gbs(plan.triad_len, 1, plan.triad_reps);
    let triadn = stream::triad_gbs(plan.triad_len, all, plan.triad_reps);

    let max_n = plan
        .exponents
        .iter()
        .map(|&e| 10usize.pow(e))
        .max()
        .unwrap_or(0);
    progress(&format!("generating {max_n} elements per input"));
    let data = Data::generate(max_n);

    let mut rows = Vec::with_capacity(total);
    let mut step = 0;
    for case in SUITE {
        let expr = Expr::compile(case.expr).map_err(|e| e.render(case.expr))?;
        for &exponent in plan.exponents {
            step += 1;
            let n = 10usize.pow(exponent);
            progress(&format!("[{step:>2}/{total}] {} N=1e{exponent}", case.expr));
            let inputs: Vec<(&str, Arg)> = case
                .inputs
                .iter()
                .map(|&name| (name, data.column(name, n)))
                .collect();
            let measured = measure(&expr, &inputs, case.hand, &data, n, all, plan)
                .map_err(|e| e.render(case.expr))?;
            let in_bytes: usize = case.inputs.iter().map(|&c| Data::dtype(c).size()).sum();
            rows.push(Row {
                expr: case.expr,
                exponent,
                bytes_per_element: in_bytes + case.hand.dtype().size(),
                ..measured
            });
        }
    }
    progress("");
    eprintln!();
    print_table(&rows, all, triad1, triadn, plan);
    // A benchmark of wrong answers is worthless, and CI's smoke run should say so.
    let bad = rows
        .iter()
        .filter(|r| r.check.contains("MISMATCH") || r.check.contains("differs"))
        .count();
    if bad > 0 {
        return Err(format!(
            "error: {bad} of {} rows disagree with the Rust loop or across thread counts",
            rows.len()
        ));
    }
    Ok(())
}

/// Times one (expression, N) in every column and checks jitex against the hand loop.
fn measure(
    expr: &Expr,
    inputs: &[(&str, Arg)],
    hand: Hand,
    data: &Data,
    n: usize,
    all: usize,
    plan: &Plan,
) -> jitex::Result<Row> {
    let one = EvalOptions {
        backend: Backend::Jit,
        threads: Some(1),
        ..Default::default()
    };
    let many = EvalOptions {
        threads: Some(all),
        ..one
    };
    let mut out = OutBuf::new(hand.dtype(), n);
    let mut reference = OutBuf::new(hand.dtype(), n);
    let mut parallel = OutBuf::new(hand.dtype(), n);

    // Correctness first: one thread against the hand loop, all threads bit for bit.
    reference.run_hand(hand, data);
    expr.eval_into(inputs, &mut out.view(), &one)?;
    expr.eval_into(inputs, &mut parallel.view(), &many)?;
    let mut check = out.compare(&reference);
    if out.bytes() != parallel.bytes() {
        check = format!("{check}; {all}T differs from 1T");
    }
    if check.contains("MISMATCH") || check.contains("differs") {
        eprintln!("\nwarning: `{}` N={n}: {check}", expr.source());
    }

    let mut err = None;
    let mut kernel = |opts: &EvalOptions, out: &mut OutBuf| {
        if let Err(e) = expr.eval_into(inputs, &mut out.view(), opts) {
            err.get_or_insert(e);
        }
    };
    let jit1 = best_time(plan, || kernel(&one, &mut out));
    let jitn = best_time(plan, || kernel(&many, &mut out));
    let hand_t = best_time(plan, || {
        reference.run_hand(hand, black_box(data));
        black_box(&reference);
    });
    let eval1 = best_time(plan, || match expr.eval_with(inputs, &one) {
        Ok(a) => drop(black_box(a)),
        Err(e) => {
            err.get_or_insert(e);
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    let per_el = |t: f64| t * 1e9 / n as f64;
    Ok(Row {
        expr: "",
        exponent: 0,
        jit1: per_el(jit1),
        jitn: per_el(jitn),
        hand: per_el(hand_t),
        eval1: per_el(eval1),
        bytes_per_element: 0,
        check,
    })
}

/// Best time per call in seconds. Fast calls are batched so one timed batch lasts about a
/// millisecond, well above the clock's resolution.
fn best_time(plan: &Plan, f: impl FnMut()) -> f64 {
    best_time_for(plan.budget, plan.min_reps, plan.max_reps, f)
}

/// [`best_time`] with an explicit budget and repetition bounds.
pub(crate) fn best_time_for(
    budget: Duration,
    min_reps: usize,
    max_reps: usize,
    mut f: impl FnMut(),
) -> f64 {
    let t = Instant::now();
    f(); // warm-up: page faults, caches, branch predictors
    let first = t.elapsed().as_secs_f64().max(1e-9);
    let batch = ((1e-3 / first) as usize).clamp(1, 100_000);
    let start = Instant::now();
    let mut best = f64::INFINITY;
    let mut reps = 0;
    while reps < max_reps && (reps < min_reps || start.elapsed() < budget) {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() / batch as f64);
        reps += 1;
    }
    best
}

/// A preallocated output of the case's dtype.
enum OutBuf {
    F64(Vec<f64>),
    F32(Vec<f32>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
}

impl OutBuf {
    fn new(dtype: DType, n: usize) -> OutBuf {
        match dtype {
            DType::F32 => OutBuf::F32(vec![0.0; n]),
            DType::I64 => OutBuf::I64(vec![0; n]),
            DType::Bool => OutBuf::Bool(vec![false; n]),
            _ => OutBuf::F64(vec![0.0; n]),
        }
    }

    fn view(&mut self) -> ArrayViewMut<'_> {
        match self {
            OutBuf::F64(v) => ArrayViewMut::from_slice_mut(&mut v[..]),
            OutBuf::F32(v) => ArrayViewMut::from_slice_mut(&mut v[..]),
            OutBuf::I64(v) => ArrayViewMut::from_slice_mut(&mut v[..]),
            OutBuf::Bool(v) => ArrayViewMut::from_slice_mut(&mut v[..]),
        }
    }

    fn run_hand(&mut self, hand: Hand, data: &Data) {
        match (self, hand) {
            (OutBuf::F64(v), Hand::F64(f)) => f(data, v),
            (OutBuf::F32(v), Hand::F32(f)) => f(data, v),
            (OutBuf::I64(v), Hand::I64(f)) => f(data, v),
            (OutBuf::Bool(v), Hand::Bool(f)) => f(data, v),
            _ => unreachable!("buffers are made from the hand loop's dtype"),
        }
    }

    /// The raw bytes, for bit-exact comparison.
    fn bytes(&self) -> Vec<u8> {
        match self {
            OutBuf::F64(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
            OutBuf::F32(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
            OutBuf::I64(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
            OutBuf::Bool(v) => v.iter().map(|&x| x as u8).collect(),
        }
    }

    /// "ok" when equal; for floats, the largest relative difference, flagged beyond the
    /// few-ulp slack libm-style functions may differ by.
    fn compare(&self, want: &OutBuf) -> String {
        fn rel<T: Into<f64> + Copy>(got: &[T], want: &[T], tol: f64) -> String {
            let mut worst = 0.0f64;
            for (&g, &w) in got.iter().zip(want) {
                let (g, w): (f64, f64) = (g.into(), w.into());
                if g.to_bits() == w.to_bits() {
                    continue;
                }
                let d = (g - w).abs() / w.abs().max(f64::MIN_POSITIVE);
                worst = if d.is_nan() {
                    f64::INFINITY
                } else {
                    worst.max(d)
                };
            }
            match worst {
                0.0 => "ok".into(),
                w if w <= tol => format!("max rel {w:.0e}"),
                w => format!("MISMATCH: max rel {w:.1e}"),
            }
        }
        let exact = |same: bool| {
            if same {
                "ok".to_owned()
            } else {
                "MISMATCH".to_owned()
            }
        };
        match (self, want) {
            (OutBuf::F64(g), OutBuf::F64(w)) => rel(g, w, 1e-13),
            (OutBuf::F32(g), OutBuf::F32(w)) => rel(g, w, 1e-6),
            (OutBuf::I64(g), OutBuf::I64(w)) => exact(g == w),
            (OutBuf::Bool(g), OutBuf::Bool(w)) => exact(g == w),
            _ => "MISMATCH: dtype".into(),
        }
    }
}

fn progress(line: &str) {
    let mut err = std::io::stderr().lock();
    // Pad instead of an ANSI "clear line", so logs of non-terminals stay readable.
    let _ = write!(err, "\r{line:<72}");
    let _ = err.flush();
}

/// Prints the results as a Markdown table (ready for docs/benchmarks.md).
fn print_table(rows: &[Row], all: usize, triad1: f64, triadn: f64, plan: &Plan) {
    let mb = plan.triad_len * 8 / 1_000_000;
    let mut s = String::new();
    s.push_str(&format!(
        "jitex bench{}: {} expressions x N in {{{}}}; {all} threads for \"all\".\n",
        if plan.exponents.len() < 3 {
            " --quick"
        } else {
            ""
        },
        SUITE.len(),
        plan.exponents
            .iter()
            .map(|e| format!("1e{e}"))
            .collect::<Vec<_>>()
            .join(", "),
    ));
    s.push_str(&format!(
        "STREAM triad (3 x {mb} MB, best of {}): {triad1:.1} GB/s on 1 thread, {triadn:.1} GB/s on {all} threads.\n",
        plan.triad_reps
    ));
    s.push_str(
        "Times are best-of-k, in ns per element. The jitex kernel columns (1T, allT) evaluate into a\n\
         preallocated `out` via Expr::eval_into, and the Rust loop writes into a preallocated buffer too,\n\
         so they measure the kernel, not the allocator; `eval 1T` is Expr::eval, allocating its result.\n\
         B/el = bytes read + written per element; % triad = jitex bandwidth / triad bandwidth at the same\n\
         thread count (meaningful at N=1e7, where the data is out of cache). 1T/loop = jitex 1T time over\n\
         the Rust loop's (below 1 is faster). check = jitex vs Rust loop.\n\n",
    );
    s.push_str(&format!(
        "| expression | N | jitex 1T | jitex all ({all}T) | Rust loop 1T | 1T/loop | eval 1T | B/el | % triad 1T | % triad all | check |\n"
    ));
    s.push_str("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    for r in rows {
        let pct = |ns: f64, triad: f64| r.bytes_per_element as f64 / ns / triad * 100.0;
        s.push_str(&format!(
            "| `{}` | 1e{} | {:.3} | {:.3} | {:.3} | {:.2} | {:.3} | {} | {:.0}% | {:.0}% | {} |\n",
            r.expr,
            r.exponent,
            r.jit1,
            r.jitn,
            r.hand,
            r.jit1 / r.hand,
            r.eval1,
            r.bytes_per_element,
            pct(r.jit1, triad1),
            pct(r.jitn, triadn),
            r.check
        ));
    }
    let _ = crate::emit(&s);
}
