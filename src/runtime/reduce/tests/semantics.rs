//! Edge cases with NumPy's answers (checked with NumPy 2.4): widening, empties, NaN bits,
//! ±0, 0-d inputs, refusals.

use super::reduce;
use crate::error::ErrorKind;
use crate::ir::ReduceOp;
use crate::runtime::{Array, ArrayView};
use crate::types::{Complex32, Complex64, DType, Scalar};

fn one(v: &ArrayView, op: ReduceOp) -> Scalar {
    let a = reduce(v, op, None, 1).unwrap();
    assert_eq!(a.shape(), &[] as &[usize]);
    a.get(0)
}

#[test]
fn integers_widen_and_wrap() {
    let x = [100i8, 100, 100];
    let v = ArrayView::from_slice(&x);
    assert_eq!(one(&v, ReduceOp::Sum), Scalar::I64(300));
    assert_eq!(one(&v, ReduceOp::Prod), Scalar::I64(1_000_000));
    assert_eq!(one(&v, ReduceOp::Mean), Scalar::F64(100.0));
    let u = [255u8, 255];
    assert_eq!(
        one(&ArrayView::from_slice(&u), ReduceOp::Sum),
        Scalar::U64(510)
    );
    let big = [i64::MAX, 1];
    assert_eq!(
        one(&ArrayView::from_slice(&big), ReduceOp::Sum),
        Scalar::I64(i64::MIN)
    );
    let b = [true, true, false];
    let v = ArrayView::from_slice(&b);
    assert_eq!(one(&v, ReduceOp::Sum), Scalar::I64(2));
    assert_eq!(one(&v, ReduceOp::Min), Scalar::Bool(false));
    assert_eq!(one(&v, ReduceOp::Max), Scalar::Bool(true));
    assert_eq!(one(&v, ReduceOp::Mean), Scalar::F64(2.0 / 3.0));
}

#[test]
fn nan_and_signed_zero() {
    let nan1 = f64::from_bits(0x7ff8_0000_0000_0001);
    let nan2 = f64::from_bits(0xfff8_0000_0000_0002);
    let x = [1.0, nan1, -3.0, nan2];
    let v = ArrayView::from_slice(&x);
    for op in [ReduceOp::Min, ReduceOp::Max] {
        let Scalar::F64(r) = one(&v, op) else {
            panic!()
        };
        assert_eq!(r.to_bits(), nan1.to_bits(), "{op:?} keeps the first NaN");
    }
    let z = [1.0, f64::NAN];
    assert_eq!(
        one(&ArrayView::from_slice(&z), ReduceOp::All),
        Scalar::Bool(true)
    );
    let neg = [-0.0f64, -0.0];
    let Scalar::F64(s) = one(&ArrayView::from_slice(&neg), ReduceOp::Sum) else {
        panic!()
    };
    assert!(
        s == 0.0 && s.is_sign_positive(),
        "NumPy's sum starts at +0.0"
    );
    let pm = [0.0f32, -0.0];
    let Scalar::F32(m) = one(&ArrayView::from_slice(&pm), ReduceOp::Min) else {
        panic!()
    };
    assert!(m.is_sign_positive(), "the first of equal minima");
}

fn complex_array(zs: &[Complex64]) -> Array {
    let mut a = Array::zeros(DType::C128, &[zs.len()]).unwrap();
    for (chunk, z) in a.as_mut_bytes().chunks_exact_mut(16).zip(zs) {
        Scalar::C128(*z).write(chunk);
    }
    a
}

#[test]
fn complex_reductions() {
    let a = complex_array(&[Complex64::new(1.0, 2.0), Complex64::new(3.0, -1.0)]);
    let v = a.view();
    assert_eq!(
        one(&v, ReduceOp::Prod),
        Scalar::C128(Complex64::new(5.0, 5.0))
    );
    assert_eq!(
        one(&v, ReduceOp::Sum),
        Scalar::C128(Complex64::new(4.0, 1.0))
    );
    assert_eq!(
        one(&v, ReduceOp::Mean),
        Scalar::C128(Complex64::new(2.0, 0.5))
    );
    let imag_only = complex_array(&[Complex64::new(0.0, 1.0), Complex64::new(0.0, 0.0)]);
    assert_eq!(one(&imag_only.view(), ReduceOp::Any), Scalar::Bool(true));
    assert_eq!(one(&imag_only.view(), ReduceOp::All), Scalar::Bool(false));
    let e = reduce(&v, ReduceOp::Min, None, 1).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Type);
    assert!(e.message.contains("complex128"), "{}", e.message);
    let _ = Complex32::new(0.0, 0.0);
}

#[test]
fn empty_inputs() {
    let none: [f64; 0] = [];
    let v = ArrayView::from_slice(&none);
    assert_eq!(one(&v, ReduceOp::Sum), Scalar::F64(0.0));
    assert_eq!(one(&v, ReduceOp::Prod), Scalar::F64(1.0));
    assert_eq!(one(&v, ReduceOp::Any), Scalar::Bool(false));
    assert_eq!(one(&v, ReduceOp::All), Scalar::Bool(true));
    for (op, name) in [
        (ReduceOp::Min, "minimum"),
        (ReduceOp::Max, "maximum"),
        (ReduceOp::Mean, "mean"),
    ] {
        let e = reduce(&v, op, None, 1).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Shape);
        assert_eq!(
            e.message,
            format!("zero-size array to reduction operation {name} which has no identity")
        );
    }
    // Other axes empty: an empty result, even for min.
    let data: [i32; 0] = [];
    let v = ArrayView::from_shape(&data, &[0, 3]).unwrap();
    let r = reduce(&v, ReduceOp::Min, Some(1), 1).unwrap();
    assert_eq!((r.shape(), r.dtype()), (&[0usize][..], DType::I32));
    // The reduced axis empty: identities per output.
    let v = ArrayView::from_shape(&data, &[3, 0]).unwrap();
    let r = reduce(&v, ReduceOp::Prod, Some(1), 1).unwrap();
    assert_eq!(r.to_vec::<i64>(), vec![1, 1, 1]);
}

#[test]
fn zero_d_and_bad_inputs() {
    let x = [-7i8];
    let v = ArrayView::from_shape(&x, &[]).unwrap();
    assert_eq!(one(&v, ReduceOp::Sum), Scalar::I64(-7));
    assert_eq!(one(&v, ReduceOp::Mean), Scalar::F64(-7.0));
    assert_eq!(one(&v, ReduceOp::Max), Scalar::I8(-7));
    let e = reduce(&v, ReduceOp::Sum, Some(0), 1).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Value);
    let s = [0u8; 6];
    // SAFETY: two 3-byte strings in a 6-byte buffer.
    let strings = unsafe { ArrayView::from_raw_parts(s.as_ptr(), DType::Bytes(3), &[2], &[3]) };
    for op in ReduceOp::ALL {
        let e = reduce(&strings, op, None, 1).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type, "{op:?}");
    }
}
