//! Programs with several outputs through the whole call path (`evaluate` into new arrays
//! and into views): every output against the interpreter evaluated element by element,
//! under contiguous, strided, reversed, broadcast and scalar inputs, fresh, contiguous,
//! strided and mixed outputs, many lengths, 1/2/4 threads and both backends.

use super::tests::Call;
use crate::codegen::tests::multi::programs;
use crate::error::ErrorKind;
use crate::ir::Program;
use crate::runtime::exec::MIN_CHUNK;
use crate::runtime::typed::Typed;
use crate::runtime::{Backend, EvalOptions};

/// The shortest call that may run on several threads (two of the shortest work items).
const PARALLEL_THRESHOLD: usize = 2 * MIN_CHUNK;
use crate::runtime::{Arg, Array, ArrayView, ArrayViewMut};
use crate::types::{DType, Scalar};
use std::sync::Arc;

/// Lengths around the vector widths, the unroll group and the 16K chunk; 100003 runs on
/// several threads.
const LENS: [usize; 12] = [0, 1, 2, 3, 7, 8, 9, 511, 512, 513, 16385, 100003];

/// A hand-typed program.
struct Fixture {
    typed: Typed,
}

impl Fixture {
    /// `name` keys the kernel cache, so it must be unique among test programs.
    fn new(name: &str, program: Program) -> Fixture {
        let args: Vec<usize> = (0..program.inputs.len()).collect();
        let out_dtypes: Vec<DType> = program
            .outputs
            .iter()
            .map(|&o| program.insts[o as usize].dtype)
            .collect();
        let n_outputs = out_dtypes.len();
        let n_inputs = args.len();
        Fixture {
            typed: Typed {
                key: format!("multi-test: {name}").into(),
                lowered: program.clone(),
                lowered_args: args.clone(),
                blame: vec![Default::default(); n_inputs],
                decls: program.inputs.clone().into(),
                program: Arc::new(program),
                program_args: args,
                out_dtype: out_dtypes[0],
                out_dtypes,
                // Several threads whenever the runtime's own floor allows.
                parallel_from: 0,
                chunk: crate::runtime::exec::CHUNK,
                stages: Vec::new(),
                output_names: vec![None; n_outputs],
            },
        }
    }

    fn ctx<'e>(&'e self, opts: &'e EvalOptions) -> Call<'e> {
        Call {
            typed: &self.typed,
            opts,
        }
    }
}

/// How the test passes each input.
#[derive(Clone, Copy, Debug, PartialEq)]
enum InLayout {
    Contiguous,
    /// Every other element of a buffer twice as long.
    Strided,
    /// A reversed view (negative stride).
    Reversed,
    /// Input 0 is a one-element array broadcast along the axis.
    Broadcast,
    /// The last input is a scalar.
    Scalar,
}

/// How the test receives the outputs.
#[derive(Clone, Copy, Debug, PartialEq)]
enum OutLayout {
    /// `eval_multi`'s fresh arrays.
    Fresh,
    /// `eval_multi_into` contiguous arrays.
    Contiguous,
    /// `eval_multi_into`: even outputs contiguous, odd ones every other element.
    Mixed,
}

/// The logical value of input `k` at element `i`: negative, zero and fractional values.
fn value(dt: DType, k: usize, i: usize) -> Scalar {
    Scalar::F64(((i * 37 + k * 11) % 101) as f64 * 0.37 - 17.0).cast(dt)
}

/// An array of `len` elements of `dt`, element `i` being `f(i)`.
fn array(dt: DType, len: usize, f: impl Fn(usize) -> Scalar) -> Array {
    let mut a = Array::zeros(dt, &[len]).unwrap();
    let p = a.view_mut().raw_ptr();
    for i in 0..len {
        // SAFETY: element `i` of a fresh C-contiguous array of `len` elements.
        let dst = unsafe { std::slice::from_raw_parts_mut(p.add(i * dt.size()), dt.size()) };
        f(i).cast(dt).write(dst);
    }
    a
}

/// The buffers behind the inputs, and each input's logical elements (one for broadcast).
struct Inputs {
    arrays: Vec<Array>,
    scalar: Option<Scalar>,
    logical: Vec<Vec<Scalar>>,
}

fn inputs(p: &Program, layout: InLayout, n: usize) -> Inputs {
    let count = p.inputs.len();
    let mut arrays = Vec::new();
    let mut logical = Vec::new();
    let mut scalar = None;
    for (k, d) in p.inputs.iter().enumerate() {
        let dt = d.dtype;
        let vals: Vec<Scalar> = match layout {
            InLayout::Broadcast if k == 0 => vec![value(dt, k, 5)],
            InLayout::Scalar if k == count - 1 => vec![value(dt, k, 3)],
            _ => (0..n).map(|i| value(dt, k, i)).collect(),
        };
        match layout {
            InLayout::Scalar if k == count - 1 => scalar = Some(vals[0]),
            InLayout::Strided => {
                // Odd elements hold a value no input has, so a wrong stride shows.
                arrays.push(array(dt, 2 * n, |j| {
                    if j % 2 == 0 {
                        vals[j / 2]
                    } else {
                        Scalar::F64(1e6).cast(dt)
                    }
                }));
            }
            InLayout::Reversed => arrays.push(array(dt, n, |j| vals[n - 1 - j])),
            _ => arrays.push(array(dt, vals.len(), |j| vals[j])),
        }
        logical.push(vals);
    }
    Inputs {
        arrays,
        scalar,
        logical,
    }
}

impl Inputs {
    fn args<'a>(&'a self, p: &'a Program, layout: InLayout) -> Vec<(&'a str, Arg<'a>)> {
        let mut v: Vec<(&str, Arg)> = self
            .arrays
            .iter()
            .zip(&p.inputs)
            .map(|(a, d)| {
                let view = match layout {
                    InLayout::Strided => a.view().slice_step(2),
                    InLayout::Reversed => a.view().slice_step(-1),
                    _ => a.view(),
                };
                (d.name.as_str(), Arg::Array(view))
            })
            .collect();
        if let Some(s) = self.scalar {
            v.push((p.inputs.last().unwrap().name.as_str(), Arg::Scalar(s)));
        }
        v
    }

    /// The interpreter's outputs at each of `n` elements.
    fn want(&self, p: &Program, n: usize) -> Vec<Vec<Scalar>> {
        let mut out = Vec::new();
        (0..n)
            .map(|i| {
                let args: Vec<Scalar> = self
                    .logical
                    .iter()
                    .map(|c| c[if c.len() == 1 { 0 } else { i }])
                    .collect();
                crate::interp::eval_element_multi(p, &args, &[], &mut out);
                out.clone()
            })
            .collect()
    }
}

/// Equal bits, or both NaN of one dtype.
fn same(a: Scalar, b: Scalar) -> bool {
    let nan = |s: Scalar| {
        matches!(s, Scalar::F64(x) if x.is_nan()) || matches!(s, Scalar::F32(x) if x.is_nan())
    };
    a.dtype() == b.dtype() && (a.to_bits() == b.to_bits() || (nan(a) && nan(b)))
}

/// Checks every output element `i` (at `results[k].get(i * step_k)`) against `want`.
fn compare(results: &[Array], steps: &[usize], want: &[Vec<Scalar>], what: &str) {
    for (i, w) in want.iter().enumerate() {
        for (k, r) in results.iter().enumerate() {
            let got = r.get(i * steps[k]);
            assert!(
                same(got, w[k]),
                "{what}: element {i} of output {k}: got {got:?}, want {:?}",
                w[k]
            );
        }
    }
}

fn opts(backend: Backend, threads: usize) -> EvalOptions {
    EvalOptions {
        backend,
        threads: Some(threads),
        // libm in blocks: the staging of vector-math programs, exact against the interpreter.
        math: crate::MathImpl::LibmBlocks,
        ..EvalOptions::default()
    }
}

/// Runs one evaluation and returns the output arrays with each output's element step.
fn run(
    f: &Fixture,
    args: &[(&str, Arg)],
    out: OutLayout,
    o: &EvalOptions,
    n: usize,
) -> (Vec<Array>, Vec<usize>) {
    let dts = &f.typed.out_dtypes;
    if out == OutLayout::Fresh {
        let r = f.ctx(o).eval_multi(args).unwrap();
        for a in &r {
            assert_eq!(a.shape(), &[n]);
        }
        return (r, vec![1; dts.len()]);
    }
    let steps: Vec<usize> = (0..dts.len())
        .map(|k| {
            if out == OutLayout::Mixed && k % 2 == 1 {
                2
            } else {
                1
            }
        })
        .collect();
    let mut arrays: Vec<Array> = dts
        .iter()
        .zip(&steps)
        .map(|(&d, &s)| array(d, n * s, |_| Scalar::F64(-99.0)))
        .collect();
    let mut views: Vec<ArrayViewMut> = arrays
        .iter_mut()
        .zip(&steps)
        .map(|(a, &s)| {
            let v = a.view_mut();
            if s == 1 {
                v
            } else {
                v.slice_step(s as isize)
            }
        })
        .collect();
    f.ctx(o).eval_multi_into(args, &mut views).unwrap();
    drop(views);
    (arrays, steps)
}

/// The (outputs, threads) pairs of the JIT per length: every output layout, and thread
/// counts only where they matter (shorter calls always run on the calling thread).
fn jit_runs(n: usize) -> &'static [(OutLayout, usize)] {
    use OutLayout as O;
    if n >= PARALLEL_THRESHOLD {
        &[
            (O::Fresh, 2),
            (O::Contiguous, 4),
            (O::Mixed, 1),
            (O::Mixed, 4),
        ]
    } else {
        &[(O::Fresh, 1), (O::Contiguous, 1), (O::Mixed, 1)]
    }
}

#[test]
fn every_output_matches_the_interpreter() {
    use InLayout as I;
    for (name, p, _) in programs() {
        let f = Fixture::new(name, p.clone());
        for n in LENS {
            // Contiguous, strided and reversed inputs hold the same logical values.
            let mut dense_want = None;
            for layout in [
                I::Contiguous,
                I::Strided,
                I::Reversed,
                I::Broadcast,
                I::Scalar,
            ] {
                let ins = inputs(&p, layout, n);
                let args = ins.args(&p, layout);
                let want = match layout {
                    I::Broadcast | I::Scalar => ins.want(&p, n),
                    _ => dense_want.get_or_insert_with(|| ins.want(&p, n)).clone(),
                };
                for &(out, threads) in jit_runs(n) {
                    let what = format!("{name} {layout:?} {out:?} n={n} threads={threads}");
                    let (r, steps) = run(&f, &args, out, &opts(Backend::Jit, threads), n);
                    compare(&r, &steps, &want, &what);
                }
                // The interpreter's driver once (strided outputs, threads), and on many
                // threads for one layout only: it is slow in debug builds.
                if n >= PARALLEL_THRESHOLD && layout != I::Contiguous {
                    continue;
                }
                let what = format!("{name} {layout:?} interp n={n}");
                let o = opts(Backend::Interp, 4);
                let (r, steps) = run(&f, &args, OutLayout::Mixed, &o, n);
                compare(&r, &steps, &want, &what);
            }
        }
    }
}

/// `x = a*b; y = sin(x) + c` and friends.
fn program(name: &str) -> Program {
    programs()
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .expect("a known program")
        .1
}

#[test]
fn two_dimensional_broadcast_and_transposed_outputs() {
    // a: (rows, cols) C order, b: a (cols,) row, c: a (rows, 1) column; outputs C order
    // and transposed (a strided inner axis).
    let p = program("x=a*b; y=sin(x)+c");
    let f = Fixture::new("2d x=a*b; y=sin(x)+c", p.clone());
    for (rows, cols) in [(1, 1), (3, 5), (300, 301), (2, 40000)] {
        let a = array(DType::F64, rows * cols, |i| value(DType::F64, 0, i));
        let b = array(DType::F64, cols, |j| value(DType::F64, 1, j));
        let c = array(DType::F64, rows, |i| value(DType::F64, 2, i));
        // SAFETY: reshapes of C-contiguous arrays of exactly these many elements.
        let (av, bv, cv) = unsafe {
            (
                ArrayView::from_raw_parts(
                    a.as_bytes().as_ptr(),
                    DType::F64,
                    &[rows, cols],
                    &[cols as isize * 8, 8],
                ),
                b.view(),
                ArrayView::from_raw_parts(c.as_bytes().as_ptr(), DType::F64, &[rows, 1], &[8, 8]),
            )
        };
        let args = [
            ("x0", Arg::Array(av)),
            ("x1", Arg::Array(bv)),
            ("x2", Arg::Array(cv)),
        ];
        for threads in [1, 2, 4] {
            let o = opts(Backend::Jit, threads);
            let fresh = f.ctx(&o).eval_multi(&args).unwrap();
            // Output 1 into the transpose of a (cols, rows) buffer.
            let mut x = Array::zeros(DType::F64, &[rows, cols]).unwrap();
            let mut yt = Array::zeros(DType::F64, &[cols, rows]).unwrap();
            let mut outs = [x.view_mut(), yt.view_mut().transpose()];
            f.ctx(&o).eval_multi_into(&args, &mut outs).unwrap();
            for i in 0..rows {
                for j in 0..cols {
                    let args = [
                        value(DType::F64, 0, i * cols + j),
                        value(DType::F64, 1, j),
                        value(DType::F64, 2, i),
                    ];
                    let mut want = Vec::new();
                    crate::interp::eval_element_multi(&p, &args, &[], &mut want);
                    let what = format!("({rows}, {cols}) [{i}, {j}] threads={threads}");
                    assert!(same(fresh[0].get(i * cols + j), want[0]), "{what}");
                    assert!(same(fresh[1].get(i * cols + j), want[1]), "{what}");
                    assert!(same(x.get(i * cols + j), want[0]), "{what}");
                    assert!(same(yt.get(j * rows + i), want[1]), "{what}");
                }
            }
        }
    }
}

#[test]
fn scalar_inputs_give_zero_d_outputs() {
    let p = program("f64, i32, bool");
    let f = Fixture::new("0-d f64, i32, bool", p.clone());
    let (a, i) = (Scalar::F64(-2.5), Scalar::I32(7));
    let o = opts(Backend::Jit, 2);
    let r = f
        .ctx(&o)
        .eval_multi(&[("x0", Arg::Scalar(a)), ("x1", Arg::Scalar(i))])
        .unwrap();
    let mut want = Vec::new();
    crate::interp::eval_element_multi(&p, &[a, i], &[], &mut want);
    assert_eq!(r.len(), 3);
    for (k, w) in want.iter().enumerate() {
        assert_eq!(r[k].shape(), &[] as &[usize]);
        assert!(same(r[k].get(0), *w), "output {k}");
    }
}

/// Three f64 inputs `x0..x2` of `n` elements and the fixture of `x=a*b; y=sin(x)+c`.
fn abc(n: usize) -> (Fixture, Vec<Array>) {
    let p = program("x=a*b; y=sin(x)+c");
    let arrays = (0..3)
        .map(|k| array(DType::F64, n, |i| value(DType::F64, k, i)))
        .collect();
    (Fixture::new("checks x=a*b; y=sin(x)+c", p), arrays)
}

fn abc_args(a: &[Array]) -> Vec<(&str, Arg<'_>)> {
    ["x0", "x1", "x2"]
        .into_iter()
        .zip(a)
        .map(|(n, a)| (n, Arg::Array(a.view())))
        .collect()
}

#[test]
fn outputs_are_checked_one_by_one() {
    let (f, ins) = abc(5);
    let args = abc_args(&ins);
    let o = opts(Backend::Jit, 1);
    let err = |outs: &mut [ArrayViewMut]| f.ctx(&o).eval_multi_into(&args, outs).unwrap_err();
    let mut x = Array::zeros(DType::F64, &[5]).unwrap();
    let mut y = Array::zeros(DType::F64, &[5]).unwrap();
    // Too few outputs.
    let e = err(&mut [x.view_mut()]);
    assert_eq!(e.kind, ErrorKind::Output);
    assert!(
        e.message.contains("1 output array(s) given") && e.message.contains("has 2"),
        "{}",
        e.message
    );
    // The second output's dtype, then its shape, then a zero stride.
    let mut y32 = Array::zeros(DType::F32, &[5]).unwrap();
    let e = err(&mut [x.view_mut(), y32.view_mut()]);
    assert_eq!(e.kind, ErrorKind::Output);
    assert!(
        e.message.contains("`outs[1]` has dtype float32"),
        "{}",
        e.message
    );
    let mut y4 = Array::zeros(DType::F64, &[4]).unwrap();
    let e = err(&mut [x.view_mut(), y4.view_mut()]);
    assert!(
        e.message.contains("`outs[1]` has shape (4,)"),
        "{}",
        e.message
    );
    let mut one = [0.0f64];
    // SAFETY: a zero-stride view of one element, never written (rejected first).
    let zero = unsafe {
        ArrayViewMut::from_raw_parts(one.as_mut_ptr() as *mut u8, DType::F64, &[5], &[0])
    };
    let e = err(&mut [x.view_mut(), zero]);
    assert!(
        e.message.contains("`outs[1]` has a zero stride"),
        "{}",
        e.message
    );
    // Outputs that share memory: the same array twice, or interleaved halves.
    let p = y.view_mut().raw_ptr();
    // SAFETY: two views of `y`'s memory, rejected before anything is written.
    let (y1, y2) = unsafe {
        (
            ArrayViewMut::from_raw_parts(p, DType::F64, &[5], &[8]),
            ArrayViewMut::from_raw_parts(p, DType::F64, &[5], &[8]),
        )
    };
    let e = err(&mut [y1, y2]);
    assert_eq!(e.kind, ErrorKind::Output);
    assert!(
        e.message.contains("`outs[0]` and `outs[1]` overlap"),
        "{}",
        e.message
    );
    let mut buf = Array::zeros(DType::F64, &[10]).unwrap();
    let p = buf.view_mut().raw_ptr();
    // SAFETY: the even and the odd elements of `buf`; rejected before anything is written.
    let (ev, od) = unsafe {
        (
            ArrayViewMut::from_raw_parts(p, DType::F64, &[5], &[16]),
            ArrayViewMut::from_raw_parts(p.add(8), DType::F64, &[5], &[16]),
        )
    };
    assert_eq!(err(&mut [ev, od]).kind, ErrorKind::Output);
    assert!(y
        .to_vec::<f64>()
        .iter()
        .chain(&buf.to_vec::<f64>())
        .all(|&v| v == 0.0));
    // The right outputs pass.
    f.ctx(&o)
        .eval_multi_into(&args, &mut [x.view_mut(), y.view_mut()])
        .unwrap();
}

#[test]
fn in_place_and_partial_overlap_per_output() {
    let n = 100_003;
    let (f, ins) = abc(n);
    let orig: Vec<Vec<f64>> = ins.iter().map(|a| a.to_vec::<f64>()).collect();
    let want = |i: usize, a: &[Vec<f64>]| {
        let mut w = Vec::new();
        let args: Vec<Scalar> = a.iter().map(|c| Scalar::F64(c[i])).collect();
        crate::interp::eval_element_multi(&f.typed.program, &args, &[], &mut w);
        w
    };
    for backend in [Backend::Jit, Backend::Interp] {
        let o = opts(backend, 4);
        // In place: x = a*b over `a` itself, y = sin(x) + c over `c` itself.
        let mut ins2: Vec<Array> = orig
            .iter()
            .map(|v| array(DType::F64, n, |i| Scalar::F64(v[i])))
            .collect();
        let (pa, pc) = (ins2[0].view_mut().raw_ptr(), ins2[2].view_mut().raw_ptr());
        // SAFETY: each output is exactly its input's elements, the documented in-place use;
        // nothing else touches the buffers during the call.
        let (args, mut outs) = unsafe {
            let v = |p: *mut u8| ArrayView::from_raw_parts(p, DType::F64, &[n], &[8]);
            let m = |p: *mut u8| ArrayViewMut::from_raw_parts(p, DType::F64, &[n], &[8]);
            (
                [
                    ("x0", Arg::Array(v(pa))),
                    ("x1", Arg::Array(ins2[1].view())),
                    ("x2", Arg::Array(v(pc))),
                ],
                [m(pa), m(pc)],
            )
        };
        f.ctx(&o).eval_multi_into(&args, &mut outs).unwrap();
        for i in 0..n {
            let w = want(i, &orig);
            assert!(
                same(ins2[0].get(i), w[0]) && same(ins2[2].get(i), w[1]),
                "{backend:?} in place {i}"
            );
        }
        // Partial overlap: y goes to `a` shifted by one element; NumPy semantics want
        // every output computed from the old values.
        let mut ins3: Vec<Array> = orig
            .iter()
            .map(|v| array(DType::F64, n + 1, |i| Scalar::F64(v[i.min(n - 1)])))
            .collect();
        let pa = ins3[0].view_mut().raw_ptr();
        let mut x = Array::zeros(DType::F64, &[n]).unwrap();
        // SAFETY: `a` is the first n elements of `ins3[0]`, y the last n; the runtime must
        // detect the overlap.
        let (args, y) = unsafe {
            (
                [
                    (
                        "x0",
                        Arg::Array(ArrayView::from_raw_parts(pa, DType::F64, &[n], &[8])),
                    ),
                    ("x1", Arg::Array(ins[1].view())),
                    ("x2", Arg::Array(ins[2].view())),
                ],
                ArrayViewMut::from_raw_parts(pa.add(8), DType::F64, &[n], &[8]),
            )
        };
        f.ctx(&o)
            .eval_multi_into(&args, &mut [x.view_mut(), y])
            .unwrap();
        for i in 0..n {
            let w = want(i, &orig);
            assert!(
                same(x.get(i), w[0]) && same(ins3[0].get(i + 1), w[1]),
                "{backend:?} overlap {i}"
            );
        }
    }
}
