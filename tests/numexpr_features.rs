//! The numexpr spellings jitex accepts, end to end on both backends: the attributes
//! `.real` and `.imag`, `copy` and `ones_like`, string results, complex `sign` and `round`
//! (the cases of numexpr's own tests), and the errors numexpr's tests expect a `ValueError`
//! for.
//!
//! Expected values are written out next to each call (NumPy 2's definitions; the
//! conformance table checks the complex `sign` and `round` special values against NumPy).

use jitex::{Arg, Array, ArrayView, Backend, DType, ErrorKind, EvalOptions, Expr, Scalar};
use num_complex::Complex64;

fn opts(backend: Backend) -> EvalOptions {
    EvalOptions {
        backend,
        threads: Some(1),
        ..Default::default()
    }
}

/// Evaluates `src` on both backends, checks they agree bit for bit and returns the result.
fn both(src: &str, args: &[(&str, Arg)]) -> Array {
    let e = Expr::compile(src).unwrap_or_else(|e| panic!("{}", e.render(src)));
    let jit = e.eval_with(args, &opts(Backend::Jit)).unwrap();
    let interp = e.eval_with(args, &opts(Backend::Interp)).unwrap();
    assert_eq!(jit.dtype(), interp.dtype(), "{src}");
    assert_eq!(jit.shape(), interp.shape(), "{src}");
    assert_eq!(
        jit.as_bytes(),
        interp.as_bytes(),
        "{src}: jit vs interpreter"
    );
    jit
}

fn c(re: f64, im: f64) -> Scalar {
    Scalar::C128(Complex64::new(re, im))
}

#[test]
fn attributes_are_the_parts() {
    // numexpr's test_complex_expr: `sin(complex(a, b)).real + z.imag`.
    let a: Vec<f64> = (0..1000).map(|i| i as f64).collect();
    let b: Vec<f64> = a.iter().map(|x| x.powf(1e-5)).collect();
    let z: Vec<Complex64> = a
        .iter()
        .zip(&b)
        .map(|(&x, &y)| Complex64::new(x, y))
        .collect();
    let args = [
        ("a", Arg::from(&a)),
        ("b", Arg::from(&b)),
        ("z", Arg::from(&z)),
    ];
    let r = both("sin(complex(a, b)).real + z.imag", &args);
    let same = both("real(sin(complex(a, b))) + imag(z)", &args);
    assert_eq!(r.dtype(), DType::F64);
    assert_eq!(r.as_bytes(), same.as_bytes());
    // Tighter than `**` and unary minus, and chained.
    let r = both("-z.imag**2", &args);
    let want: Vec<f64> = b.iter().map(|y| -(y * y)).collect();
    assert_eq!(r.to_vec::<f64>(), want);
    let r = both("z.real.real + z.imag.imag", &args);
    assert_eq!(r.to_vec::<f64>(), a);
}

#[test]
fn attributes_of_real_values() {
    // numexpr's `where((a-10).real != 0.0, a, 2)`, with an integer `a`.
    let a: Vec<i32> = (0..20).collect();
    let r = both("where((a-10).real != 0.0, a, 2)", &[("a", (&a).into())]);
    assert_eq!(r.dtype(), DType::I32);
    let want: Vec<i32> = a.iter().map(|&x| if x == 10 { 2 } else { x }).collect();
    assert_eq!(r.to_vec::<i32>(), want);
    let r = both("a.imag", &[("a", (&a).into())]);
    assert_eq!((r.dtype(), r.to_vec::<i32>()), (DType::I32, vec![0; 20]));
    // A Python complex scalar, as numexpr's `c.real`.
    let r = both("c.real + c.imag", &[("c", c(2.5, 1.5).into())]);
    assert_eq!(r.to_vec::<f64>(), vec![4.0]);
}

#[test]
fn copy_and_ones_like_keep_dtype_and_shape() {
    let vals: Vec<Scalar> = [-2.5, 0.0, 1.0, 3.0, -0.0, 7.5]
        .iter()
        .map(|&v| Scalar::F64(v))
        .collect();
    for dt in DType::ALL.into_iter().chain(DType::COMPLEX) {
        let size = dt.size();
        let mut bytes = vec![0u8; vals.len() * size];
        for (v, b) in vals.iter().zip(bytes.chunks_exact_mut(size)) {
            v.cast(dt).write(b);
        }
        let x = Array::from_bytes(&bytes, dt, &[2, 3]).unwrap();
        let args = [("x", Arg::Array(x.view()))];
        let r = both("copy(x)", &args);
        assert_eq!((r.dtype(), r.shape()), (dt, &[2usize, 3][..]), "copy {dt}");
        assert_eq!(r.as_bytes(), x.as_bytes(), "copy {dt}");
        let r = both("ones_like(x)", &args);
        assert_eq!(
            (r.dtype(), r.shape()),
            (dt, &[2usize, 3][..]),
            "ones_like {dt}"
        );
        let one = Scalar::Bool(true).cast(dt);
        assert!((0..r.len()).all(|i| r.get(i) == one), "ones_like {dt}");
    }
    // Broadcast: the shape is the argument's, whatever it computes.
    let a = [1.0f64, 2.0, 3.0];
    let m = [0i8; 6];
    let mv = ArrayView::from_shape(&m, &[2, 1, 3]).unwrap();
    let r = both("ones_like(a * m)", &[("a", (&a).into()), ("m", mv.into())]);
    assert_eq!((r.dtype(), r.shape()), (DType::F64, &[2usize, 1, 3][..]));
    assert_eq!(ones(&r), 6);
}

fn ones(r: &Array) -> usize {
    r.to_vec::<f64>().iter().filter(|&&v| v == 1.0).count()
}

#[test]
fn copy_of_a_string_compares() {
    let data = *b"ab\0cd\0ab\0";
    // SAFETY: three 3-byte strings in a 9-byte buffer, which outlives the view.
    let s = unsafe { ArrayView::from_raw_parts(data.as_ptr(), DType::Bytes(3), &[3], &[3]) };
    let r = both("copy(s) == b'ab'", &[("s", s.clone().into())]);
    assert_eq!(r.to_vec::<bool>(), vec![true, false, true]);
    let e = Expr::compile("ones_like(s)").unwrap();
    let err = e.eval(&[("s", s.into())]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Type);
}

/// numexpr's test_null_chars: `evaluate('s')` on each of these (0-d `S` arrays, as
/// `np.asarray(b'…')` makes them) gives back every stored byte, NULs included; and its
/// test_compare_copy: a string array comes back equal to itself.
#[test]
fn string_results_keep_every_byte() {
    let strs: [&[u8]; 8] = [
        b"\0\0\0",
        b"\0\0foo\0",
        b"\0\0foo\0b",
        b"\0\0foo\0b\0",
        b"foo\0",
        b"foo\0b",
        b"foo\0b\0",
        b"foo\0bar\0baz\0\0",
    ];
    for s in strs {
        let v = ArrayView::from_bytes(s, DType::Bytes(s.len() as u32), &[]).unwrap();
        let r = both("s", &[("s", v.into())]);
        assert_eq!(
            (r.dtype(), r.shape()),
            (DType::Bytes(s.len() as u32), &[][..])
        );
        assert_eq!(r.as_bytes(), s);
    }
    let data = *b"abc\0\0\0de\0";
    let sarr = ArrayView::from_bytes(&data, DType::Bytes(3), &[3]).unwrap();
    for src in ["sarr", "copy(sarr)"] {
        let r = both(src, &[("sarr", sarr.clone().into())]);
        assert_eq!(r.as_bytes(), data, "{src}");
    }
}

/// numexpr's test_sign_round: `r = x - y` with a NaN last (for floats and complex).
fn ramp_with_nan(nan: bool) -> Vec<f64> {
    let mut r: Vec<f64> = (0..10).map(|i| (i - 2 * (9 - i)) as f64).collect();
    if nan {
        r[9] = f64::NAN;
    }
    r
}

#[test]
fn sign_and_round_as_numpy_on_every_numexpr_dtype() {
    let r = ramp_with_nan(true);
    // float64: sign -1/0/1, NaN stays NaN; round half to even.
    let out = both("sign(r)", &[("r", (&r).into())]).to_vec::<f64>();
    for (x, s) in r.iter().zip(&out) {
        assert!(s.to_bits() == x.signum().to_bits() || (x.is_nan() && s.is_nan()) || *x == 0.0);
    }
    let ints: Vec<i64> = ramp_with_nan(false).iter().map(|&v| v as i64).collect();
    let out = both("sign(r) + round(r)", &[("r", (&ints).into())]);
    assert_eq!(out.dtype(), DType::I64);
    let want: Vec<i64> = ints.iter().map(|&x| x.signum() + x).collect();
    assert_eq!(out.to_vec::<i64>(), want);
    // complex128: `sign` is `z/|z|`, `round` rounds both parts; the dtype stays complex.
    let z: Vec<Complex64> = r.iter().map(|&x| Complex64::new(x, 0.0)).collect();
    let args = [("r", Arg::from(&z))];
    let s = both("sign(r)", &args);
    let rd = both("round(r)", &args);
    assert_eq!((s.dtype(), rd.dtype()), (DType::C128, DType::C128));
    for (i, &x) in r.iter().enumerate() {
        let want = if x.is_nan() {
            c(f64::NAN, f64::NAN)
        } else if x == 0.0 {
            c(0.0, 0.0)
        } else {
            c(x.signum(), 0.0)
        };
        assert!(same(s.get(i), want), "sign({x}): {:?}", s.get(i));
        assert!(same(rd.get(i), c(x.round_ties_even(), 0.0)), "round({x})");
    }
    // Half to even on both parts, signed zeros kept.
    let z = [Complex64::new(2.5, -0.4), Complex64::new(-1.5, 3.5)];
    let rd = both("round(z)", &[("z", (&z).into())]);
    assert!(same(rd.get(0), c(2.0, -0.0)));
    assert!(same(rd.get(1), c(-2.0, 4.0)));
    let s = both("sign(z)", &[("z", (&[Complex64::new(3.0, -4.0)]).into())]);
    assert!(same(s.get(0), c(0.6, -0.8)));
}

/// Same bits, or NaN where the other is NaN, part by part.
fn same(a: Scalar, b: Scalar) -> bool {
    let parts = |s: Scalar| match s {
        Scalar::C128(z) => [z.re, z.im],
        other => panic!("not complex128: {other:?}"),
    };
    parts(a)
        .iter()
        .zip(parts(b))
        .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
fn errors_numexpr_expects_as_value_errors() {
    // NumPy: "Integers to negative integer powers are not allowed." (ValueError).
    let a = [1i64, 2, 3];
    let src = "(a+1)**-1";
    let err = Expr::compile(src)
        .unwrap()
        .eval(&[("a", (&a).into())])
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Value, "{}", err.render(src));
    assert_eq!(err.span.map(|s| (s.start, s.end)), Some((7, 9)));
    // numexpr's test_axis: an axis out of range (NumPy's AxisError, a ValueError).
    let y: Vec<f64> = (0..9).map(f64::from).collect();
    let yv = ArrayView::from_shape(&y, &[3, 3]).unwrap();
    for src in ["sum(y, axis=2)", "sum(y, axis=-3)"] {
        let err = Expr::compile(src)
            .unwrap()
            .eval(&[("y", yv.clone().into())])
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Value, "{}", err.render(src));
        assert_eq!(err.span.map(|s| (s.start, s.end)), Some((0, src.len())));
    }
}

#[test]
fn axis_none_reduces_everything() {
    // numexpr's test_reductions: `sum(x**2+2, axis=None)`.
    let x: Vec<f64> = (0..12).map(|i| i as f64).collect();
    let v = ArrayView::from_shape(&x, &[3, 4]).unwrap();
    let args = [("x", Arg::Array(v))];
    let all = both("sum(x**2+2)", &args);
    assert_eq!(
        both("sum(x**2+2, axis=None)", &args).as_bytes(),
        all.as_bytes()
    );
    assert_eq!(both("sum(x**2+2, None)", &args).as_bytes(), all.as_bytes());
    assert_eq!(all.shape(), &[] as &[usize]);
    let err = Expr::compile("x + None")
        .and_then(|e| e.result_dtype(&[("x", DType::F64)]))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Type);
}
