//! A slow, obviously-correct reducer over [`Scalar`]s: the driver's stand-in until the
//! runtime's reducer lands, then a test oracle.

use crate::error::{Error, ErrorKind, Result};
use crate::interp;
use crate::ir::{BinaryOp, ReduceOp};
use crate::runtime::{Array, ArrayView};
use crate::types::{DType, Scalar};

/// Element `idx` (a multi-index) of `v`.
fn read(v: &ArrayView, idx: &[usize]) -> Scalar {
    let off: isize = idx
        .iter()
        .zip(v.strides())
        .map(|(&i, &s)| i as isize * s)
        .sum();
    // SAFETY: the view guarantees every in-range multi-index is readable.
    let bytes = unsafe { std::slice::from_raw_parts(v.as_ptr().offset(off), v.dtype().size()) };
    Scalar::read(v.dtype(), bytes)
}

/// Reduces `v` (all elements, or along `axis`) in logical order, one element at a time.
pub(crate) fn reduce(v: &ArrayView, op: ReduceOp, axis: Option<usize>) -> Result<Array> {
    let dtype = op
        .result_dtype(v.dtype())
        .ok_or_else(|| Error::new(ErrorKind::Type, "reduction not defined for this dtype"))?;
    let shape = v.shape().to_vec();
    let (out_shape, red_len): (Vec<usize>, usize) = match axis {
        None => (vec![], shape.iter().product()),
        Some(a) => {
            let mut s = shape.clone();
            let l = s.remove(a);
            (s, l)
        }
    };
    let n_out: usize = out_shape.iter().product();
    if red_len == 0 && n_out > 0 && matches!(op, ReduceOp::Min | ReduceOp::Max | ReduceOp::Mean) {
        return Err(Error::new(
            ErrorKind::Shape,
            format!("`{}` of an empty array has no value", op.name()),
        ));
    }
    let acc_dtype = if op == ReduceOp::Mean { dtype } else { dtype };
    let mut out = Array::zeros(dtype, &out_shape)?;
    let size = dtype.size();
    for o in 0..n_out {
        // The output multi-index, then each reduced element's full multi-index.
        let mut oidx = vec![0; out_shape.len()];
        let mut r = o;
        for d in (0..out_shape.len()).rev() {
            oidx[d] = r % out_shape[d];
            r /= out_shape[d];
        }
        let mut acc: Option<Scalar> = None;
        for e in 0..red_len {
            let idx: Vec<usize> = match axis {
                None => {
                    let mut idx = vec![0; shape.len()];
                    let mut r = e;
                    for d in (0..shape.len()).rev() {
                        idx[d] = r % shape[d];
                        r /= shape[d];
                    }
                    idx
                }
                Some(a) => {
                    let mut idx = oidx.clone();
                    idx.insert(a, e);
                    idx
                }
            };
            let x = read(v, &idx).cast(acc_dtype);
            acc = Some(match (acc, op) {
                (None, _) => x,
                (Some(a), ReduceOp::Sum | ReduceOp::Mean) => {
                    interp::binary(BinaryOp::Add, a, x, acc_dtype)
                }
                (Some(a), ReduceOp::Prod) => interp::binary(BinaryOp::Mul, a, x, acc_dtype),
                (Some(a), ReduceOp::Min) => interp::binary(BinaryOp::Min, a, x, acc_dtype),
                (Some(a), ReduceOp::Max) => interp::binary(BinaryOp::Max, a, x, acc_dtype),
                (Some(a), ReduceOp::Any) => interp::binary(BinaryOp::Or, a, x, DType::Bool),
                (Some(a), ReduceOp::All) => interp::binary(BinaryOp::And, a, x, DType::Bool),
            });
        }
        let identity = match op {
            ReduceOp::Prod | ReduceOp::All => Scalar::Bool(true),
            _ => Scalar::Bool(false),
        };
        let mut r = acc.unwrap_or(identity).cast(dtype);
        if op == ReduceOp::Mean {
            r = interp::binary(
                BinaryOp::Div,
                r,
                Scalar::F64(red_len as f64).cast(dtype),
                dtype,
            );
        }
        r.write(&mut out.as_mut_bytes()[o * size..]);
    }
    Ok(out)
}
