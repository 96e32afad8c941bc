//! The call path on a hand-typed `a + b`: broadcasting, scalars, threads, shape errors,
//! zero-size results, `out` checks, strides and overlap, on both backends.

use super::*;
use crate::error::Span;
use crate::ir::{BinaryOp, InputDecl, Inst, Op, Program};
use crate::runtime::typed::{Blame, Typed};
use crate::runtime::{ArrayView, Backend};
use crate::types::{DType, Scalar};
use std::sync::Arc;

/// `a + b`, typed by hand as if from the source "a + b".
struct AddF64 {
    typed: Typed,
}

/// A hand-typed program called with options, through [`evaluate`].
pub(super) struct Call<'e> {
    pub typed: &'e Typed,
    pub opts: &'e EvalOptions,
}

impl Call<'_> {
    /// The first output, in a new array.
    pub fn eval(&self, inputs: &[(&str, Arg)]) -> Result<Array> {
        Ok(self.eval_multi(inputs)?.swap_remove(0))
    }

    /// Every output, in new arrays.
    pub fn eval_multi(&self, inputs: &[(&str, Arg)]) -> Result<Vec<Array>> {
        Ok(evaluate(self.typed, inputs, Dest::New, self.opts)?.arrays)
    }

    /// Into `out` (the first output when there are several).
    pub fn eval_into(&self, inputs: &[(&str, Arg)], out: &mut ArrayViewMut) -> Result<()> {
        self.eval_multi_into(inputs, std::slice::from_mut(out))
    }

    /// Every output into `outs`.
    pub fn eval_multi_into(&self, inputs: &[(&str, Arg)], outs: &mut [ArrayViewMut]) -> Result<()> {
        evaluate(self.typed, inputs, Dest::Into(outs), self.opts)?;
        Ok(())
    }
}

impl AddF64 {
    fn new() -> Self {
        Self::of(DType::F64)
    }

    /// `a + b` over `dtype`.
    fn of(dtype: DType) -> Self {
        let decl = |n: &str| InputDecl {
            name: n.to_string(),
            dtype,
        };
        let inst = |op| Inst { op, dtype };
        let program = Program {
            inputs: vec![decl("a"), decl("b")],
            insts: vec![
                inst(Op::Input(0)),
                inst(Op::Input(1)),
                inst(Op::Binary(BinaryOp::Add, 0, 1)),
            ],
            outputs: vec![2],
        };
        let blame = |n: &str, at: usize| Blame {
            what: n.to_string(),
            span: Some(Span::new(at, at + 1)),
        };
        AddF64 {
            typed: Typed {
                key: format!("a + b\u{0}{dtype}").into(),
                lowered: program.clone(),
                lowered_args: vec![0, 1],
                blame: vec![blame("a", 0), blame("b", 4)],
                decls: program.inputs.clone().into(),
                program: Arc::new(program),
                program_args: vec![0, 1],
                out_dtype: dtype,
                out_dtypes: vec![dtype],
                parallel_from: 0,
                chunk: crate::runtime::exec::CHUNK,
                stages: Vec::new(),
                output_names: vec![None],
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

fn opts(threads: usize) -> EvalOptions {
    EvalOptions {
        backend: Backend::Interp,
        threads: Some(threads),
        ..Default::default()
    }
}

#[test]
fn broadcasts_arrays_and_scalars() {
    let e = AddF64::new();
    let a: Vec<f64> = (0..6).map(f64::from).collect();
    let b = [10.0, 20.0, 30.0];
    for t in [1, 2, 4] {
        let o = opts(t);
        let a2 = ArrayView::from_shape(&a, &[2, 3]).unwrap();
        let r = e
            .ctx(&o)
            .eval(&[("a", a2.into()), ("b", (&b).into())])
            .unwrap();
        assert_eq!(r.shape(), &[2, 3]);
        assert_eq!(r.to_vec::<f64>(), vec![10.0, 21.0, 32.0, 13.0, 24.0, 35.0]);
        let r = e
            .ctx(&o)
            .eval(&[("a", (&a).into()), ("b", 0.5.into())])
            .unwrap();
        assert_eq!(r.shape(), &[6]);
        assert_eq!(
            r.to_vec::<f64>(),
            a.iter().map(|x| x + 0.5).collect::<Vec<_>>()
        );
    }
    let s = e
        .ctx(&opts(1))
        .eval(&[("a", 1.0.into()), ("b", 2.0.into())])
        .unwrap();
    assert_eq!(s.shape(), &[] as &[usize]);
    assert_eq!(s.to_vec::<f64>(), vec![3.0]);
}

/// A `complex128` scalar is 16 bytes: the kernel must see both parts.
#[test]
fn complex_scalars_reach_the_kernel_whole() {
    use crate::types::Complex64;
    let e = AddF64::of(DType::C128);
    let a: Vec<Complex64> = (0..9)
        .map(|i| Complex64::new(i as f64, -2.0 * i as f64))
        .collect();
    let k = Complex64::new(0.5, 1e300);
    let o = EvalOptions {
        backend: Backend::Jit,
        threads: Some(1),
        ..Default::default()
    };
    let r = e
        .ctx(&o)
        .eval(&[("a", (&a).into()), ("b", Scalar::C128(k).into())])
        .unwrap();
    let want: Vec<Complex64> = a.iter().map(|z| z + k).collect();
    assert_eq!(r.to_vec::<Complex64>(), want);
    let r = e
        .ctx(&o)
        .eval(&[("a", Scalar::C128(k).into()), ("b", Scalar::C128(k).into())])
        .unwrap();
    assert_eq!(r.to_vec::<Complex64>(), vec![k + k]);
}

#[test]
fn large_inputs_identical_across_threads() {
    let e = AddF64::new();
    let n = 200_001;
    let a: Vec<f64> = (0..n).map(|i| i as f64 * 0.25).collect();
    let b: Vec<f64> = (0..n).map(|i| (i % 13) as f64).collect();
    let want: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    for t in [1, 2, 4] {
        let o = opts(t);
        let r = e
            .ctx(&o)
            .eval(&[("a", (&a).into()), ("b", (&b).into())])
            .unwrap();
        assert_eq!(r.to_vec::<f64>(), want, "threads {t}");
    }
}

#[test]
fn shape_errors_point_at_the_name() {
    let e = AddF64::new();
    let (a, b) = ([1.0; 3], [1.0; 4]);
    let err = e
        .ctx(&opts(1))
        .eval(&[("a", (&a).into()), ("b", (&b).into())])
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Shape);
    assert_eq!(err.message, "shapes (3,) and (4,) do not broadcast");
    assert_eq!(err.span, Some(Span::new(4, 5)));
}

#[test]
fn zero_size_outputs() {
    let e = AddF64::new();
    let a: [f64; 0] = [];
    let r = e
        .ctx(&opts(1))
        .eval(&[("a", (&a).into()), ("b", 1.0.into())])
        .unwrap();
    assert_eq!(r.shape(), &[0]);
    assert!(r.is_empty());
    let b = [0.0; 3];
    let a2 = ArrayView::from_shape(&a, &[0, 1]).unwrap();
    let r = e
        .ctx(&opts(1))
        .eval(&[("a", a2.into()), ("b", (&b).into())])
        .unwrap();
    assert_eq!(r.shape(), &[0, 3]);
}

#[test]
fn out_checks_shape_dtype_and_strides() {
    let e = AddF64::new();
    let (a, b) = ([1.0, 2.0, 3.0], [1.0; 3]);
    let inputs = [("a", Arg::from(&a)), ("b", Arg::from(&b))];
    let mut wrong_len = [0.0f64; 4];
    let err = e
        .ctx(&opts(1))
        .eval_into(&inputs, &mut ArrayViewMut::from_slice_mut(&mut wrong_len))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Output);
    let mut wrong_dtype = [0.0f32; 3];
    let err = e
        .ctx(&opts(1))
        .eval_into(&inputs, &mut ArrayViewMut::from_slice_mut(&mut wrong_dtype))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Output);
    let mut one = [0.0f64];
    // SAFETY: a zero-stride view of one element, never written (rejected first).
    let mut zero = unsafe {
        ArrayViewMut::from_raw_parts(one.as_mut_ptr() as *mut u8, DType::F64, &[3], &[0])
    };
    let err = e.ctx(&opts(1)).eval_into(&inputs, &mut zero).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Output);
    assert_eq!(one, [0.0]);
}

#[test]
fn out_with_strides() {
    let e = AddF64::new();
    let a: Vec<f64> = (0..6).map(f64::from).collect();
    let b = [100.0, 200.0];
    let mut buf = [0.0f64; 6];
    // out: transposed (3, 2) view of a (2, 3) buffer; a: transposed too.
    let out = ArrayViewMut::from_shape_mut(&mut buf, &[2, 3])
        .unwrap()
        .transpose();
    let mut out = out;
    let at = ArrayView::from_shape(&a, &[2, 3]).unwrap().transpose();
    e.ctx(&opts(2))
        .eval_into(&[("a", at.into()), ("b", (&b).into())], &mut out)
        .unwrap();
    // out.T[i][j] = a.T[i][j] + b[j], i.e. buf[j*3+i] = a[j*3+i] + b[j].
    for j in 0..2 {
        for i in 0..3 {
            assert_eq!(buf[j * 3 + i], a[j * 3 + i] + b[j]);
        }
    }
}

#[test]
fn in_place_and_partial_overlap() {
    let e = AddF64::new();
    let n = 100_000;
    let mut buf: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let b = [1.0f64];
    // In place: out is `a` itself.
    let ptr = buf.as_mut_ptr();
    // SAFETY: `a` and `out` are the very same elements of `buf`, which nothing else
    // touches during the call; element-wise in place is the documented use.
    let (a, mut out) = unsafe {
        (
            ArrayView::from_raw_parts(ptr as *const u8, DType::F64, &[n], &[8]),
            ArrayViewMut::from_raw_parts(ptr as *mut u8, DType::F64, &[n], &[8]),
        )
    };
    e.ctx(&opts(4))
        .eval_into(&[("a", a.into()), ("b", (&b).into())], &mut out)
        .unwrap();
    assert!(buf.iter().enumerate().all(|(i, &x)| x == i as f64 + 1.0));
    // Partial overlap: out = buf[1..], a = buf[..n-1]; NumPy semantics want the old values.
    let old = buf.clone();
    let ptr = buf.as_mut_ptr();
    // SAFETY: both views lie within `buf`; the runtime must detect the overlap.
    let (a, mut out) = unsafe {
        (
            ArrayView::from_raw_parts(ptr as *const u8, DType::F64, &[n - 1], &[8]),
            ArrayViewMut::from_raw_parts(ptr.add(1) as *mut u8, DType::F64, &[n - 1], &[8]),
        )
    };
    e.ctx(&opts(4))
        .eval_into(&[("a", a.into()), ("b", (&b).into())], &mut out)
        .unwrap();
    assert_eq!(buf[0], old[0]);
    for i in 1..n {
        assert_eq!(buf[i], old[i - 1] + 1.0, "element {i}");
    }
}
