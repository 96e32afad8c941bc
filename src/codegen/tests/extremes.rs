//! Running extremes ([`compile_extremes`]) against the ordered fold (the first NaN, else
//! the first of the smallest or largest elements) over the interpreter's elements, for
//! every input layout, both float dtypes, both code generators, ranges of every length up
//! to 100 and some longer, and value pools with and without NaNs, infinities and zeros: a
//! result is said to be exact exactly when the range holds no NaN and its extreme is not a
//! zero, and then it has the fold's bits.

use super::{layouts, offset, pool, reduced_programs, unreduced_programs, value, Streams};
use crate::codegen::{compile_extremes, Access, Codegen, CodegenOptions, Layout};
use crate::ir::Program;
use crate::testkit::same_bits as same;
use crate::types::{DType, Scalar};

/// The value as `f64` (exactly, for `float32`).
fn real(x: Scalar) -> f64 {
    match x {
        Scalar::F32(v) => f64::from(v),
        Scalar::F64(v) => v,
        _ => unreachable!("a float extreme"),
    }
}

/// The ordered fold of `xs`: the first NaN, else the first of the smallest (`is_min`) or
/// largest.
fn fold(xs: &[Scalar], is_min: bool) -> Scalar {
    xs[1..].iter().fold(xs[0], |a, &b| {
        let (x, y) = (real(a), real(b));
        let replaces = !x.is_nan() && (y.is_nan() || if is_min { y < x } else { y > x });
        if replaces {
            b
        } else {
            a
        }
    })
}

/// Ranges `(lo, n)` over `0..total`: every length 1..=100 once and some longer ones, at
/// offsets that start each at another lane and alignment.
fn ranges() -> (Vec<[usize; 2]>, usize) {
    let mut v = Vec::new();
    let mut lo = 3;
    for n in (1..=100).chain([127, 128, 257, 1000, 1031]) {
        v.push([lo, n]);
        lo += n + n % 3;
    }
    (v, lo)
}

/// The value pools: every special value; without NaNs; and without NaNs, infinities and
/// zeros, where results are mostly exact.
fn pools(dt: DType) -> [Vec<Scalar>; 3] {
    let all = pool(dt);
    let no_nan: Vec<Scalar> = all.iter().copied().filter(|&x| !real(x).is_nan()).collect();
    let plain = no_nan
        .iter()
        .copied()
        .filter(|&x| real(x).is_finite() && real(x) != 0.0)
        .collect();
    [all, no_nan, plain]
}

/// Checks `program`'s running `min` and `max` under every input layout, from both code
/// generators, over every pool, against [`fold`].
fn check(program: &Program) {
    let dt = program.insts[program.outputs[0] as usize].dtype;
    let in_dts: Vec<DType> = program.inputs.iter().map(|i| i.dtype).collect();
    let (ranges, total) = ranges();
    for ((accs, step, _, _), codegen, is_min) in layouts(in_dts.len(), 1)
        .into_iter()
        .flat_map(|l| [Codegen::Wide, Codegen::Cranelift].map(|g| (l.clone(), g)))
        .flat_map(|(l, g)| [true, false].map(|m| (l.clone(), g, m)))
    {
        let layout = Layout {
            inputs: accs.clone(),
            outputs: vec![Access::Contiguous],
        };
        let opts = CodegenOptions {
            codegen,
            ..CodegenOptions::default()
        };
        let extremes = compile_extremes(program, &layout, &opts, is_min)
            .unwrap_or_else(|e| panic!("compile failed: {e}\n{program}"))
            .unwrap_or_else(|| panic!("a qualifying program\n{program}"));
        for (p, pool) in pools(in_dts[0]).iter().enumerate() {
            let at = |k| offset(total, k);
            let ins = Streams::new(&in_dts, (&accs, step), total, at, |k, i| {
                value(pool, k, i * 5 + 1)
            });
            let mut vals = Vec::new();
            for &[lo, n] in &ranges {
                let xs: Vec<Scalar> = (lo..lo + n)
                    .map(|i| ins.output(program, i, &mut vals))
                    .collect();
                let want = fold(&xs, is_min);
                let mut out = [0u8; 8];
                // SAFETY: the range lies within `0..total`, which each input covers at its
                // stride (or one element, broadcast or at stride 0); `out` holds an element.
                let exact = unsafe {
                    (extremes.func())(
                        n,
                        lo,
                        ins.ptrs.as_ptr(),
                        ins.strides.as_ptr(),
                        out.as_mut_ptr(),
                    )
                };
                let what = format!(
                    "range ({lo}, {n}) pool {p} layout={accs:?} step={step} {codegen:?} \
                     min={is_min}\n{program}"
                );
                let inexact = xs.iter().any(|&x| real(x).is_nan()) || real(want) == 0.0;
                assert_eq!(exact, u32::from(!inexact), "exactness: {what}");
                if exact == 1 {
                    let got = Scalar::read(dt, &out);
                    assert!(same(got, want), "got {got:?}, want {want:?}: {what}");
                }
            }
        }
    }
}

#[test]
fn every_reduced_program() {
    for p in reduced_programs() {
        check(&p);
    }
}

#[test]
fn only_float_programs_of_one_vector_dtype_qualify() {
    for (p, layout) in unreduced_programs() {
        for is_min in [true, false] {
            let found = compile_extremes(&p, &layout, &CodegenOptions::default(), is_min);
            assert!(found.unwrap().is_none(), "{p}");
        }
    }
}
