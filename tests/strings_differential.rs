//! Differential property test for strings: random boolean combinations of string
//! comparisons and `contains` (with numeric comparisons and `where(…, a, b)` around them)
//! and string results (copies of inputs or literals, compared byte for byte),
//! over `S` and `U` arrays of random widths 1–9 and random contents (NULs, high bytes,
//! non-ASCII and astral code points), literals of random lengths and spellings, strides 1, 2
//! and -1, 1-d lengths around the chunk boundaries and broadcast 2-d shapes, must give
//! bit-identical results from the JIT on 1, 2 or 4 threads and from the interpreter.
//!
//! Each case is derived deterministically from one proptest seed, printed on failure.

mod common;
#[path = "common/stringgen.rs"]
mod stringgen;

use common::rng::Rng;
use common::same_bits;
use jitex::{Arg, ArrayView, Backend, DType, EvalOptions, Expr, Scalar};
use proptest::prelude::*;

/// 1-d lengths: empty, tiny, around the vector widths, around the 16K chunk, one large.
const LENGTHS: [usize; 12] = [0, 1, 2, 3, 7, 8, 9, 511, 512, 513, 16385, 100_003];
/// Extents of 2-d shapes.
const EXTENTS: [usize; 8] = [0, 1, 2, 3, 5, 8, 17, 33];
/// Dtypes of the numeric inputs `a` and `b`.
const NUMERIC: [DType; 5] = [DType::F64, DType::F32, DType::I32, DType::U8, DType::Bool];

/// One input: its elements' bytes laid out `step` rows apart along axis 0 (reversed for a
/// negative step), in 8-byte words so numeric elements are aligned.
struct Input {
    words: Vec<u64>,
    bytes: usize,
    dtype: DType,
    /// The shape of the stored block (axis 0 stretched by `|step|`).
    stored: Vec<usize>,
    step: isize,
    /// The logical elements, C order (what a copy must give).
    elements: Vec<Vec<u8>>,
}

impl Input {
    /// Lays out `elements` (C order over `shape`, each `dtype.size()` bytes); the rows
    /// between the used ones hold junk, which no result may depend on.
    fn new(rng: &mut Rng, dtype: DType, shape: &[usize], elements: &[Vec<u8>]) -> Input {
        let step = rng.pick(&[1isize, 2, -1]);
        let rows = shape.first().copied().unwrap_or(1);
        let row_len: usize = shape.iter().skip(1).product();
        let row_bytes = row_len * dtype.size();
        let gap = step.unsigned_abs();
        let bytes = rows * gap * row_bytes;
        let mut data: Vec<u8> = (0..bytes).map(|_| rng.next_u64() as u8).collect();
        for r in 0..rows {
            let slot = if step > 0 { r * gap } else { rows - 1 - r };
            for k in 0..row_len {
                let at = slot * row_bytes + k * dtype.size();
                data[at..at + dtype.size()].copy_from_slice(&elements[r * row_len + k]);
            }
        }
        let mut words = vec![0u64; bytes.div_ceil(8)];
        for (i, b) in data.iter().enumerate() {
            words[i / 8] |= (*b as u64) << (8 * (i % 8));
        }
        let mut stored = shape.to_vec();
        stored[0] = rows * gap;
        Input {
            words,
            bytes,
            dtype,
            stored,
            step,
            elements: elements.to_vec(),
        }
    }

    fn view(&self) -> ArrayView<'_> {
        // SAFETY: `bytes <= words.len() * 8`; u8 has no alignment or invalid values.
        let raw =
            unsafe { std::slice::from_raw_parts(self.words.as_ptr() as *const u8, self.bytes) };
        ArrayView::from_bytes(raw, self.dtype, &self.stored)
            .expect("byte count matches the shape")
            .slice_step(self.step)
    }
}

/// One generated case.
struct Setup {
    src: String,
    names: Vec<&'static str>,
    inputs: Vec<Option<Input>>,
    /// Scalar arguments (for `a`, `b` only), where `inputs` has `None`.
    scalars: Vec<Scalar>,
    threads: usize,
}

/// The stored bytes of one string element: code units NUL-padded to `width`.
fn string_element(unicode: bool, width: u32, units: &[u32]) -> Vec<u8> {
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

/// A shape broadcasting to `full` (1-d: `[n]` or `[1]`; 2-d: full, a row, a column).
fn shape_in(rng: &mut Rng, full: &[usize]) -> Vec<usize> {
    match full {
        [n] => vec![if rng.chance(0.1) { 1 } else { *n }],
        [r, c] => match rng.below(4) {
            0 => vec![*r, 1],
            1 => vec![1, *c],
            2 => vec![*c],
            _ => vec![*r, *c],
        },
        _ => full.to_vec(),
    }
}

fn setup(seed: u64) -> Setup {
    let mut rng = Rng(seed);
    let unicode = rng.chance(0.5);
    let src = stringgen::expr(&mut rng, unicode);
    let full = if rng.chance(0.4) {
        vec![rng.pick(&EXTENTS), rng.pick(&EXTENTS)]
    } else {
        vec![match rng.below(40) {
            0 => LENGTHS[11],
            1..=3 => LENGTHS[10],
            _ => rng.pick(&LENGTHS[..10]),
        }]
    };
    let names = vec!["s", "t", "a", "b"];
    let mut inputs = Vec::new();
    let mut scalars = Vec::new();
    for (i, _) in names.iter().enumerate() {
        let shape = shape_in(&mut rng, &full);
        let n: usize = shape.iter().product();
        if i < 2 {
            let width = 1 + rng.below(9) as u32;
            let dtype = if unicode {
                DType::Str(width)
            } else {
                DType::Bytes(width)
            };
            let elements: Vec<Vec<u8>> = (0..n)
                .map(|_| {
                    let u = stringgen::units(&mut rng, unicode, width as usize, true);
                    string_element(unicode, width, &u)
                })
                .collect();
            inputs.push(Some(Input::new(&mut rng, dtype, &shape, &elements)));
            scalars.push(Scalar::Bool(false));
        } else {
            let dtype = rng.pick(&NUMERIC);
            if rng.chance(0.15) {
                inputs.push(None);
                scalars.push(rng.scalar(dtype));
                continue;
            }
            let elements: Vec<Vec<u8>> = (0..n)
                .map(|_| {
                    let mut e = vec![0u8; dtype.size()];
                    rng.scalar(dtype).write(&mut e);
                    e
                })
                .collect();
            inputs.push(Some(Input::new(&mut rng, dtype, &shape, &elements)));
            scalars.push(Scalar::Bool(false));
        }
    }
    Setup {
        src,
        names,
        inputs,
        scalars,
        threads: rng.pick(&[1, 2, 4]),
    }
}

fn run(s: &Setup, e: &Expr, backend: Backend, threads: usize) -> jitex::Result<jitex::Array> {
    let args: Vec<(&str, Arg)> = s
        .names
        .iter()
        .zip(s.inputs.iter().zip(&s.scalars))
        .map(|(&name, (input, &sc))| {
            let arg = input
                .as_ref()
                .map_or(Arg::Scalar(sc), |i| Arg::Array(i.view()));
            (name, arg)
        })
        .collect();
    let opts = EvalOptions {
        backend,
        threads: Some(threads),
        // libm in blocks: the staging of vector-math programs, exact against the interpreter.
        math: jitex::MathImpl::LibmBlocks,
        ..EvalOptions::default()
    };
    e.eval_with(&args, &opts)
}

fn signature(s: &Setup) -> Vec<(&'static str, DType)> {
    s.names
        .iter()
        .zip(s.inputs.iter().zip(&s.scalars))
        .map(|(&n, (i, sc))| (n, i.as_ref().map_or(sc.dtype(), |i| i.dtype)))
        .collect()
}

fn check(seed: u64) -> Result<(), TestCaseError> {
    let s = setup(seed);
    let ctx = || {
        format!(
            "seed {seed}: `{}` with {:?}, threads {}",
            s.src,
            signature(&s),
            s.threads
        )
    };
    let e = Expr::compile(&s.src)
        .map_err(|err| TestCaseError::fail(format!("{}: does not parse: {err}", ctx())))?;
    let jit = run(&s, &e, Backend::Jit, s.threads);
    let interp = run(&s, &e, Backend::Interp, 1);
    let (jit, interp) = match (jit, interp) {
        (Ok(j), Ok(i)) => (j, i),
        // An error is fine only when both backends report the very same one.
        (Err(a), Err(b)) => {
            prop_assert_eq!(a, b, "{}", ctx());
            return Ok(());
        }
        (j, i) => {
            return Err(TestCaseError::fail(format!(
                "{}: jit {j:?} but interp {i:?}",
                ctx()
            )))
        }
    };
    prop_assert_eq!(jit.dtype(), interp.dtype(), "{}", ctx());
    prop_assert_eq!(jit.shape(), interp.shape(), "{}", ctx());
    if jit.dtype().is_string() {
        // A copy: every byte, NULs included, and the input's very elements.
        prop_assert!(jit.as_bytes() == interp.as_bytes(), "{}", ctx());
        let copied = ["s", "t"].iter().position(|n| {
            s.src == *n || s.src == format!("copy({n})") || s.src.starts_with(&format!("k = {n};"))
        });
        if let Some(i) = copied {
            let input = s.inputs[i].as_ref().expect("string inputs are arrays");
            prop_assert!(jit.as_bytes() == input.elements.concat(), "{}", ctx());
        }
        return Ok(());
    }
    for k in 0..jit.len() {
        let (x, y) = (jit.get(k), interp.get(k));
        if !same_bits(x, y) {
            return Err(TestCaseError::fail(format!(
                "{}: element {k} of {:?}: jit {x:?}, interp {y:?}",
                ctx(),
                jit.shape()
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn jit_equals_interpreter_on_strings(seed in any::<u64>()) {
        check(seed)?;
    }
}

/// The generator must mostly produce expressions that type-check, or the property above
/// would compare identical errors.
#[test]
fn generated_expressions_mostly_type_check() {
    let total = 400;
    let mut ok = 0;
    let mut errors = Vec::new();
    for seed in 0..total {
        let s = setup(seed);
        match Expr::compile(&s.src).and_then(|e| e.result_dtype(&signature(&s))) {
            Ok(_) => ok += 1,
            Err(err) => errors.push(format!("{}  {:?}: {}", s.src, signature(&s), err)),
        }
    }
    assert!(
        ok * 10 >= total * 9,
        "only {ok} of {total} generated expressions type-check; e.g.\n{}",
        errors
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Fixed regression seeds (add any seed proptest reports here).
#[test]
fn regression_seeds() {
    for seed in [0u64, 1, 2, 3, 0xdead_beef] {
        check(seed).unwrap_or_else(|e| panic!("{e}"));
    }
}
