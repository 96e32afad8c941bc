//! NumPy conformance of the reductions: every case of `tests/data/reductions/cases.txt`
//! (written by NumPy 2, see its `generate.py`), through both backends and through four
//! memory layouts of the same logical array (C order, every axis reversed, every element
//! two slots apart, axes stored in reverse order as NumPy's `a.T` of a C array).
//!
//! Results with integer, bool, `min`/`max`/`any`/`all` values must equal NumPy's exactly.
//! Float and complex `sum`, `mean` and `prod` may differ from NumPy in rounding only, since
//! jitex's association order differs from NumPy's on long or non-innermost reductions
//! (see `runtime/reduce`'s module doc). The accepted difference is the classical bound that
//! holds for *any* summation order, per real part: two sums of `n` terms each lie within
//! `(n-1)·u·Σ|xᵢ|` of the exact sum (`u = ε/2`), so they differ by at most
//! `(n-1)·ε·Σ|xᵢ|`; a mean adds one division rounding (`ε·|mean|`); a product of `n`
//! factors is within `(n-1)·ε·Π|xᵢ|` (complex: `4(n-1)·ε·Π|zᵢ|` per part), plus the
//! smallest subnormal per operation for underflow. NaN must meet NaN, infinities must be
//! equal. A zero `min`/`max` may differ from NumPy's in sign only: NumPy's sign depends on
//! its SIMD lanes, jitex returns the first of the equal zeros. `JITEX_SHOW_BOUND=1` prints the largest fraction of the bound actually used.

#[allow(dead_code)] // Only `read_all` is used here.
#[path = "common/api.rs"]
mod api;
mod common;

use api::read_all;
use common::{parse_value, parts, same_bits};
use jitex::{Arg, ArrayView, Backend, DType, ErrorKind, EvalOptions, Expr, Scalar};
use std::collections::HashMap;

const CASES: &str = include_str!("data/reductions/cases.txt");

/// One logical input array.
struct Input {
    dtype: DType,
    shape: Vec<usize>,
    values: Vec<Scalar>,
}

/// What NumPy (or jitex's documented choice) gives.
enum Expected {
    Values {
        dtype: DType,
        shape: Vec<usize>,
        values: Vec<Scalar>,
    },
    Error(ErrorKind),
}

struct Case {
    line: usize,
    op: String,
    input: usize,
    axis: Option<isize>,
    expected: Expected,
}

fn parse_shape(s: &str) -> Option<Vec<usize>> {
    if s == "()" {
        return Some(Vec::new());
    }
    s.split('x').map(|n| n.parse().ok()).collect()
}

fn parse_kind(s: &str) -> Option<ErrorKind> {
    Some(match s {
        "Shape" => ErrorKind::Shape,
        "Type" => ErrorKind::Type,
        _ => return None,
    })
}

fn parse_values(dtype: DType, words: &[&str]) -> Option<Vec<Scalar>> {
    words.iter().map(|w| parse_value(dtype, w)).collect()
}

/// Parses the table; panics with the line number on a malformed line.
fn table() -> (HashMap<usize, Input>, Vec<Case>) {
    let mut inputs = HashMap::new();
    let mut cases = Vec::new();
    for (i, raw) in CASES.lines().enumerate() {
        let text = raw.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        let bad = || -> ! { panic!("cases.txt:{}: malformed line `{raw}`", i + 1) };
        let w: Vec<&str> = text.split_whitespace().collect();
        match w[0] {
            "input" if w.len() >= 4 => {
                let id: usize = w[1].parse().unwrap_or_else(|_| bad());
                let dtype = DType::from_name(w[2]).unwrap_or_else(|| bad());
                let shape = parse_shape(w[3]).unwrap_or_else(|| bad());
                let values = parse_values(dtype, &w[4..]).unwrap_or_else(|| bad());
                if values.len() != shape.iter().product::<usize>() {
                    bad();
                }
                inputs.insert(
                    id,
                    Input {
                        dtype,
                        shape,
                        values,
                    },
                );
            }
            "case" if w.len() >= 6 && w[4] == "->" => {
                let axis = match w[3] {
                    "None" => None,
                    k => Some(k.parse().unwrap_or_else(|_| bad())),
                };
                let expected = if w[5] == "error" {
                    Expected::Error(
                        w.get(6)
                            .and_then(|k| parse_kind(k))
                            .unwrap_or_else(|| bad()),
                    )
                } else {
                    let dtype = DType::from_name(w[5]).unwrap_or_else(|| bad());
                    let shape = w
                        .get(6)
                        .and_then(|s| parse_shape(s))
                        .unwrap_or_else(|| bad());
                    let values = parse_values(dtype, &w[7..]).unwrap_or_else(|| bad());
                    if values.len() != shape.iter().product::<usize>() {
                        bad();
                    }
                    Expected::Values {
                        dtype,
                        shape,
                        values,
                    }
                };
                cases.push(Case {
                    line: i + 1,
                    op: w[1].to_string(),
                    input: w[2].parse().unwrap_or_else(|_| bad()),
                    axis,
                    expected,
                });
            }
            _ => bad(),
        }
    }
    (inputs, cases)
}

/// How the logical array is laid out in memory.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    /// C order, contiguous.
    C,
    /// C order with every axis reversed (negative strides, `a[::-1, ::-1]` of a C array).
    Reversed,
    /// C order with each element two slots apart.
    Strided,
    /// The axes stored in reverse order (`b.T` for a C-order `b`): Fortran order.
    Transposed,
}

const LAYOUTS: [Layout; 4] = [
    Layout::C,
    Layout::Reversed,
    Layout::Strided,
    Layout::Transposed,
];

/// Storage for a view of any layout: 8-byte words, so every dtype is aligned.
struct Stored {
    words: Vec<u64>,
    dtype: DType,
    shape: Vec<usize>,
    /// Byte offset of logical element 0 and the byte stride of each axis.
    first: usize,
    strides: Vec<isize>,
}

impl Stored {
    fn new(input: &Input, layout: Layout) -> Stored {
        let (dtype, shape) = (input.dtype, &input.shape);
        let size = dtype.size();
        let d = shape.len();
        let step = if layout == Layout::Strided { 2 } else { 1 };
        // Axes from outermost to innermost in memory.
        let order: Vec<usize> = if layout == Layout::Transposed {
            (0..d).rev().collect()
        } else {
            (0..d).collect()
        };
        let mut strides = vec![0isize; d];
        let mut acc = step as isize;
        for &ax in order.iter().rev() {
            strides[ax] = acc;
            acc *= shape[ax].max(1) as isize;
        }
        let mut first = 0isize;
        if layout == Layout::Reversed {
            for ax in 0..d {
                first += strides[ax] * (shape[ax].max(1) as isize - 1);
                strides[ax] = -strides[ax];
            }
        }
        let slots = (input.values.len() * step).max(1);
        let mut words = vec![0u64; (slots * size).div_ceil(8)];
        // SAFETY: u64 has no invalid bit patterns and u8 has alignment 1.
        let bytes = unsafe {
            std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, words.len() * 8)
        };
        for (k, v) in input.values.iter().enumerate() {
            let mut rest = k;
            let mut at = first;
            for ax in (0..d).rev() {
                at += (rest % shape[ax]) as isize * strides[ax];
                rest /= shape[ax];
            }
            let at = at as usize * size;
            v.write(&mut bytes[at..at + size]);
        }
        Stored {
            words,
            dtype,
            shape: shape.clone(),
            first: first as usize * size,
            strides: strides.iter().map(|s| s * size as isize).collect(),
        }
    }

    fn view(&self) -> ArrayView<'_> {
        // SAFETY: every element of the shape lies inside `words` (built so above), which
        // outlives the view.
        unsafe {
            ArrayView::from_raw_parts(
                (self.words.as_ptr() as *const u8).add(self.first),
                self.dtype,
                &self.shape,
                &self.strides,
            )
        }
    }
}

/// The logical elements reduced into each output element, in NumPy's output order.
fn groups(input: &Input, axis: Option<isize>) -> Vec<Vec<Scalar>> {
    let Some(axis) = axis else {
        return vec![input.values.clone()];
    };
    let shape = &input.shape;
    let d = shape.len() as isize;
    let ax = if axis < 0 { axis + d } else { axis } as usize;
    let inner: usize = shape[ax + 1..].iter().product();
    let outer: usize = shape[..ax].iter().product();
    let mut out = Vec::new();
    for o in 0..outer {
        for i in 0..inner {
            out.push(
                (0..shape[ax])
                    .map(|k| input.values[(o * shape[ax] + k) * inner + i])
                    .collect(),
            );
        }
    }
    out
}

/// The real parts of a value as `f64`s with their machine epsilon (`None` for non-floats).
fn float_parts(x: Scalar) -> Option<(Vec<f64>, f64)> {
    match x {
        Scalar::F32(v) => Some((vec![v as f64], f32::EPSILON as f64)),
        Scalar::F64(v) => Some((vec![v], f64::EPSILON)),
        _ => parts(x).map(|(r, i)| {
            let (re, eps) = float_parts(r).unwrap();
            (vec![re[0], float_parts(i).unwrap().0[0]], eps)
        }),
    }
}

/// The real parts of an input element as `f64` (integers and bools converted).
fn as_f64_parts(x: Scalar) -> Vec<f64> {
    float_parts(x)
        .map(|p| p.0)
        .unwrap_or_else(|| match x.cast(DType::F64) {
            Scalar::F64(v) => vec![v],
            _ => unreachable!(),
        })
}

/// The bound (see the module doc) on the difference from NumPy for each real part of one
/// output element; `None` where the result must be exact.
fn bound(op: &str, group: &[Scalar], expected: Scalar) -> Option<Vec<f64>> {
    let (_, eps) = float_parts(expected)?;
    let n = group.len() as f64;
    let nparts = if expected.dtype().is_complex() { 2 } else { 1 };
    let tiny = if eps < 1e-10 {
        f64::from_bits(1)
    } else {
        f32::from_bits(1) as f64
    };
    let elems: Vec<Vec<f64>> = group.iter().map(|&x| as_f64_parts(x)).collect();
    match op {
        "sum" | "mean" => Some(
            (0..nparts)
                .map(|p| {
                    let abs: f64 = elems.iter().map(|e| e[p].abs()).sum();
                    let mut b = (n - 1.0).max(0.0) * eps * abs + n * tiny;
                    if op == "mean" {
                        let m = float_parts(expected).unwrap().0[p].abs();
                        b = b / n + 2.0 * eps * m;
                    }
                    b
                })
                .collect(),
        ),
        "prod" => {
            let modulus: f64 = elems
                .iter()
                .map(|e| e.iter().map(|v| v * v).sum::<f64>().sqrt())
                .product();
            let k = if nparts == 2 { 4.0 } else { 1.0 };
            Some(vec![
                k * (n - 1.0).max(0.0) * eps * modulus + n * tiny;
                nparts
            ])
        }
        _ => None,
    }
}

/// Checks one output element; returns the fraction of the bound used.
fn check_value(op: &str, group: &[Scalar], got: Scalar, exp: Scalar) -> Result<f64, String> {
    if same_bits(got, exp) {
        return Ok(0.0);
    }
    // NumPy's sign of a zero minimum or maximum depends on its SIMD lane layout (neither the
    // first nor the last zero reliably); jitex gives the first. Only the sign may differ.
    let zero = |x: Scalar| {
        matches!(x, Scalar::F32(v) if v == 0.0) || matches!(x, Scalar::F64(v) if v == 0.0)
    };
    if (op == "min" || op == "max") && zero(got) && zero(exp) && got.dtype() == exp.dtype() {
        return Ok(0.0);
    }
    let Some(bounds) = bound(op, group, exp) else {
        return Err(format!("{got:?} != {exp:?}"));
    };
    let (g, _) = float_parts(got).ok_or("dtype")?;
    let (e, _) = float_parts(exp).unwrap();
    let mut used: f64 = 0.0;
    for p in 0..bounds.len() {
        let (g, e) = (g[p], e[p]);
        if e.is_nan() || g.is_nan() || e.is_infinite() || g.is_infinite() {
            if !(e.is_nan() && g.is_nan() || e == g) {
                return Err(format!("{got:?} != {exp:?}"));
            }
            continue;
        }
        let d = (g - e).abs();
        if d > bounds[p] || d.is_nan() {
            return Err(format!(
                "{got:?} vs {exp:?}: part {p} differs by {d:e} > bound {:e}",
                bounds[p]
            ));
        }
        used = used.max(d / bounds[p]);
    }
    Ok(used)
}

fn source(case: &Case) -> String {
    match case.axis {
        None => format!("{}(a)", case.op),
        Some(k) => format!("{}(a, axis={k})", case.op),
    }
}

#[test]
fn reductions_match_numpy() {
    let (inputs, cases) = table();
    assert!(cases.len() > 5000, "the table lost cases: {}", cases.len());
    let mut exprs: HashMap<String, Expr> = HashMap::new();
    let mut failures = Vec::new();
    let mut worst = (0.0f64, String::new());
    let mut checked = 0usize;
    for case in &cases {
        let input = &inputs[&case.input];
        let src = source(case);
        let expr = exprs
            .entry(src.clone())
            .or_insert_with(|| Expr::compile(&src).expect("reductions parse"));
        let groups = groups(input, case.axis);
        for layout in LAYOUTS {
            let stored = Stored::new(input, layout);
            for backend in [Backend::Jit, Backend::Interp] {
                let what = format!(
                    "cases.txt:{}: `{src}` on {} {:?} ({layout:?}, {backend:?})",
                    case.line, input.dtype, input.shape
                );
                let opts = EvalOptions {
                    backend,
                    threads: Some(2),
                    ..Default::default()
                };
                let got = expr.eval_with(&[("a", Arg::Array(stored.view()))], &opts);
                checked += 1;
                match (&case.expected, got) {
                    (Expected::Error(kind), Err(e)) if e.kind == *kind => {}
                    (Expected::Error(kind), got) => failures.push(format!(
                        "{what}: expected a {kind:?} error, got {:?}",
                        got.map(|a| read_all(&a))
                    )),
                    (Expected::Values { .. }, Err(e)) => {
                        failures.push(format!("{what}: unexpected error {e}"))
                    }
                    (
                        Expected::Values {
                            dtype,
                            shape,
                            values,
                        },
                        Ok(a),
                    ) => {
                        if a.dtype() != *dtype || a.shape() != shape.as_slice() {
                            failures.push(format!(
                                "{what}: got {} {:?}, expected {dtype} {shape:?}",
                                a.dtype(),
                                a.shape()
                            ));
                            continue;
                        }
                        for (k, (g, e)) in read_all(&a).into_iter().zip(values).enumerate() {
                            match check_value(&case.op, &groups[k], g, *e) {
                                Ok(used) if used > worst.0 => {
                                    worst = (used, format!("{what} element {k}"))
                                }
                                Ok(_) => {}
                                Err(m) => failures.push(format!("{what}: element {k}: {m}")),
                            }
                        }
                    }
                }
            }
        }
    }
    if std::env::var_os("JITEX_SHOW_BOUND").is_some() {
        eprintln!(
            "{checked} evaluations; largest fraction of the bound used: {:.3e} at {}",
            worst.0, worst.1
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} evaluations differ from NumPy:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}
