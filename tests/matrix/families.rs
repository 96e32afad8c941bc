//! The generators: each draws one [`Case`] from a seed, bounded by [`Caps`] (which proptest
//! shrinks, so a failure shrinks to a shallow expression over short inputs).

use crate::check::{Case, Spec, Variant};
use crate::data::Layout;
use crate::{complexgen, exprgen, stringgen};
use jitex::testkit::Rng;
use jitex::{DType, Expr};

/// Bounds on a case's size.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    /// The most nesting levels of an expression (at least 1).
    pub depth: usize,
    /// The longest 1-d input: an index into [`MAX_LEN`].
    pub size: usize,
}

/// The longest 1-d length allowed by each [`Caps::size`].
pub const MAX_LEN: [usize; 4] = [3, 9, 513, usize::MAX];

impl Caps {
    /// No bounds beyond the generators' own.
    pub const NONE: Caps = Caps {
        depth: 4,
        size: MAX_LEN.len() - 1,
    };

    fn depth(self, d: usize) -> usize {
        d.min(self.depth).max(1)
    }

    fn len(self, n: usize) -> usize {
        n.min(MAX_LEN[self.size])
    }
}

/// The case families, each run through the whole matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Family {
    /// Element-wise expressions over every real dtype (`common/exprgen.rs`).
    Elementwise,
    /// `t = e1; e2(t)`, checked also against `e2` with `e1` written in place.
    Program,
    /// Programs with several named outputs (`eval_all_*`).
    Outputs,
    /// Expressions with complex values (`common/complexgen.rs`).
    Complex,
    /// String comparisons, `contains` and string copies (`common/stringgen.rs`).
    Strings,
    /// Reductions inside expressions, checked also in two steps.
    Reductions,
}

/// 1-d lengths: empty, tiny, around the vector widths and unrolling, around the runtime's
/// 16K chunk (long ones are rarer, to keep the debug-mode interpreter fast).
const LENGTHS: [usize; 14] = [
    0, 1, 2, 3, 7, 8, 9, 511, 512, 513, 16383, 16384, 16385, 100_003,
];
const NAMES: [&str; 4] = ["a", "b", "c", "d"];

fn numeric(rng: &mut Rng, dtype: DType) -> Vec<u8> {
    let mut e = vec![0u8; dtype.size()];
    rng.scalar(dtype).write(&mut e);
    e
}

fn complex_value(rng: &mut Rng, dtype: DType) -> Vec<u8> {
    let mut e = vec![0u8; dtype.size()];
    complexgen::value(rng, dtype).write(&mut e);
    e
}

/// A string element of `dtype`: random code units, NUL-padded.
fn string(rng: &mut Rng, dtype: DType) -> Vec<u8> {
    let (unicode, width) = match dtype {
        DType::Str(w) => (true, w),
        DType::Bytes(w) => (false, w),
        _ => unreachable!("string dtypes only"),
    };
    let units = stringgen::units(rng, unicode, width as usize, true);
    let mut out = Vec::new();
    for i in 0..width as usize {
        let u = units.get(i).copied().unwrap_or(0);
        if unicode {
            out.extend(u.to_ne_bytes());
        } else {
            out.push(u as u8);
        }
    }
    out
}

/// A depth of at most `max`, within `caps`.
fn depth(rng: &mut Rng, caps: Caps, max: usize) -> usize {
    caps.depth(1 + rng.below(max))
}

/// An element-wise expression over `sig` of depth at most `max` (within `caps`).
fn real_expr(rng: &mut Rng, caps: Caps, max: usize, sig: &[(&str, DType)]) -> String {
    let d = depth(rng, caps, max);
    exprgen::expr(rng, d, sig).text
}

/// A 1-d length, mostly short.
fn length(rng: &mut Rng, caps: Caps) -> usize {
    let n = if rng.chance(0.15) {
        rng.pick(&LENGTHS[10..])
    } else {
        rng.pick(&LENGTHS[..10])
    };
    caps.len(n)
}

/// A 1-d layout: contiguous, every other element, reversed.
fn layout_1d(rng: &mut Rng) -> Layout {
    rng.pick(&[Layout::C, Layout::C, Layout::Gap(2), Layout::Reversed])
}

/// Inputs of `sig`, each an array of `len` (laid out at random) or, with probability
/// `p_scalar`, a scalar.
fn inputs_1d(
    rng: &mut Rng,
    sig: &[(&'static str, DType)],
    len: usize,
    p_scalar: f64,
    draw: crate::check::Draw,
) -> Vec<Spec> {
    sig.iter()
        .map(|&(name, dtype)| Spec {
            name,
            dtype,
            array: if rng.chance(p_scalar) {
                None
            } else {
                Some((vec![len], layout_1d(rng)))
            },
            draw,
        })
        .collect()
}

fn case(src: String, inputs: Vec<Spec>, seed: u64) -> Case {
    Case {
        src,
        outputs: None,
        inputs,
        variants: Vec::new(),
        copy_of: None,
        seed,
    }
}

/// Draws a case of `family` from `seed`; `None` when the draw does not make one (a
/// temporary or a reduction that does not type-check).
pub fn generate(family: Family, seed: u64, caps: Caps) -> Option<Case> {
    let mut rng = Rng::new(seed);
    let rng = &mut rng;
    match family {
        Family::Elementwise => {
            let n = 1 + rng.below(4);
            let sig: Vec<_> = (0..n).map(|i| (NAMES[i], rng.pick(&DType::ALL))).collect();
            let depth = depth(rng, caps, 4);
            let src = exprgen::expr(rng, depth, &sig).text;
            let len = length(rng, caps);
            Some(case(src, inputs_1d(rng, &sig, len, 0.1, numeric), seed))
        }
        Family::Program => {
            let n = 1 + rng.below(3);
            let sig: Vec<_> = (0..n).map(|i| (NAMES[i], rng.pick(&DType::ALL))).collect();
            let first = real_expr(rng, caps, 3, &sig);
            let t = Expr::compile(&first)
                .and_then(|e| e.result_dtype(&sig))
                .ok()?;
            let mut sig2 = sig.clone();
            sig2.push(("t", t));
            let second = real_expr(rng, caps, 3, &sig2);
            // The same computation with `t` written out in place.
            let inlined = exprgen::replace_name(&second, "t", &format!("({first})"));
            let len = length(rng, caps);
            let mut c = case(
                format!("t = {first}; {second}"),
                inputs_1d(rng, &sig, len, 0.0, numeric),
                seed,
            );
            c.variants.push(Variant::Text(inlined));
            Some(c)
        }
        Family::Outputs => {
            let n = 1 + rng.below(3);
            let sig: Vec<_> = (0..n).map(|i| (NAMES[i], rng.pick(&DType::ALL))).collect();
            let x = real_expr(rng, caps, 3, &sig);
            let xt = Expr::compile(&x).and_then(|e| e.result_dtype(&sig)).ok()?;
            let mut sig2 = sig.clone();
            sig2.push(("x", xt));
            let y = real_expr(rng, caps, 3, &sig2);
            // Both orders; sometimes an input passed straight through as an output.
            let outputs = match rng.below(3) {
                0 => vec!["x", "y"],
                1 => vec!["y", "x"],
                _ => vec!["y", "a"],
            };
            let len = length(rng, caps);
            let mut c = case(
                format!("x = {x}; y = {y}"),
                inputs_1d(rng, &sig, len, 0.1, numeric),
                seed,
            );
            c.outputs = Some(outputs);
            Some(c)
        }
        Family::Complex => {
            let n = 1 + rng.below(3);
            let mut sig: Vec<_> = (0..n)
                .map(|i| (NAMES[i], rng.pick(&complexgen::DTYPES)))
                .collect();
            // Most cases have a complex input; the rest reach complex through literals.
            if rng.chance(0.7) && !sig.iter().any(|(_, d)| d.is_complex()) {
                sig[0].1 = rng.pick(&[DType::C64, DType::C128]);
            }
            let src = {
                let d = depth(rng, caps, 4);
                complexgen::expr(rng, d, &sig).text
            };
            let len = caps.len(match rng.below(40) {
                0 => 100_003,
                1..=3 => 16385,
                _ => rng.pick(&LENGTHS[..10]),
            });
            Some(case(
                src,
                inputs_1d(rng, &sig, len, 0.12, complex_value),
                seed,
            ))
        }
        Family::Strings => strings(rng, caps, seed),
        Family::Reductions => reductions(rng, caps, seed),
    }
}

/// Strings: `s`, `t` of `S`/`U` dtypes of widths 1–9, numeric `a`, `b`; 1-d shapes or 2-d
/// shapes broadcast against one another (rows, columns, full).
fn strings(rng: &mut Rng, caps: Caps, seed: u64) -> Option<Case> {
    const EXTENTS: [usize; 8] = [0, 1, 2, 3, 5, 8, 17, 33];
    const NUMERIC: [DType; 5] = [DType::F64, DType::F32, DType::I32, DType::U8, DType::Bool];
    let unicode = rng.chance(0.5);
    let src = stringgen::expr(rng, unicode);
    let full = if rng.chance(0.4) {
        vec![caps.len(rng.pick(&EXTENTS)), caps.len(rng.pick(&EXTENTS))]
    } else {
        vec![caps.len(match rng.below(40) {
            0 => 100_003,
            1..=3 => 16385,
            _ => rng.pick(&LENGTHS[..10]),
        })]
    };
    let mut inputs = Vec::new();
    for (i, name) in ["s", "t", "a", "b"].into_iter().enumerate() {
        let shape = match full[..] {
            [n] => vec![if rng.chance(0.1) { 1 } else { n }],
            [r, c] => match rng.below(4) {
                0 => vec![r, 1],
                1 => vec![1, c],
                2 => vec![c],
                _ => vec![r, c],
            },
            _ => full.clone(),
        };
        let layout = rng.pick(&[Layout::C, Layout::Rows(2), Layout::Rows(-1)]);
        if i < 2 {
            let width = 1 + rng.below(9) as u32;
            let dtype = if unicode {
                DType::Str(width)
            } else {
                DType::Bytes(width)
            };
            inputs.push(Spec {
                name,
                dtype,
                array: Some((shape, layout)),
                draw: string,
            });
        } else {
            let dtype = rng.pick(&NUMERIC);
            let array = (!rng.chance(0.15)).then_some((shape, layout));
            inputs.push(Spec {
                name,
                dtype,
                array,
                draw: numeric,
            });
        }
    }
    // A string result that is a copy of an input holds that input's very elements.
    let copy_of = ["s", "t"].iter().position(|n| {
        src == *n || src == format!("copy({n})") || src.starts_with(&format!("k = {n};"))
    });
    let mut c = case(src, inputs, seed);
    c.copy_of = copy_of;
    Some(c)
}

/// Reductions: `e2(red(e1, axis))` or `red(e1) * e1` over 1-d to 3-d inputs with empty,
/// unit and odd extents, contiguous, reversed, strided or broadcast along axis 0.
fn reductions(rng: &mut Rng, caps: Caps, seed: u64) -> Option<Case> {
    const EXTENTS: [usize; 8] = [0, 1, 1, 2, 3, 5, 7, 8];
    const OPS: [&str; 7] = ["sum", "prod", "min", "max", "mean", "any", "all"];
    let n = 1 + rng.below(2);
    let sig: Vec<_> = (0..n).map(|i| (NAMES[i], rng.pick(&DType::ALL))).collect();
    let ndim = 1 + rng.below(3);
    // 1-d inputs are sometimes long enough for the pairwise split and several threads.
    let shape: Vec<usize> = if ndim == 1 && rng.chance(0.5) {
        vec![caps.len(rng.pick(&[129, 257, 1000, 4099]))]
    } else {
        (0..ndim).map(|_| caps.len(rng.pick(&EXTENTS))).collect()
    };
    let e1 = real_expr(rng, caps, 3, &sig);
    Expr::compile(&e1).and_then(|e| e.result_dtype(&sig)).ok()?;
    let op = rng.pick(&OPS);
    // `red(e1) * e1` needs the reduced shape to broadcast against e1's: axis None or 0.
    let times_e1 = rng.chance(0.3);
    let axis: Option<isize> = if rng.chance(0.3) {
        None
    } else if times_e1 {
        Some(if rng.chance(0.5) { 0 } else { -(ndim as isize) })
    } else {
        let k = rng.below(ndim) as isize;
        Some(if rng.chance(0.5) {
            k
        } else {
            k - ndim as isize
        })
    };
    let reduced = match axis {
        None => format!("{op}({e1})"),
        Some(k) => format!("{op}({e1}, axis={k})"),
    };
    let r_dtype = Expr::compile(&reduced)
        .and_then(|e| e.result_dtype(&sig))
        .ok()?;
    let outer = if times_e1 {
        format!("r * ({e1})")
    } else {
        let e2 = real_expr(rng, caps, 2, &[("r", r_dtype)]);
        // An unused reduction is never evaluated (so cannot fail): make `e2` use it.
        if exprgen::replace_name(&e2, "r", "_") == e2 {
            format!("(r + {e2})")
        } else {
            e2
        }
    };
    let mut sig_r = sig.clone();
    sig_r.push(("r", r_dtype));
    Expr::compile(&outer)
        .and_then(|e| e.result_dtype(&sig_r))
        .ok()?;
    let program = exprgen::replace_name(&outer, "r", &format!("({reduced})"));
    let inputs = sig
        .iter()
        .map(|&(name, dtype)| Spec {
            name,
            dtype,
            array: Some((
                shape.clone(),
                rng.pick(&[Layout::C, Layout::Reversed, Layout::Gap(3), Layout::Bcast0]),
            )),
            draw: numeric,
        })
        .collect();
    let mut c = case(program, inputs, seed);
    c.variants.push(Variant::TwoStep {
        reduced,
        with_inputs: times_e1,
        outer,
    });
    Some(c)
}
