//! Reductions (`sum prod min max mean any all`) over all elements or along one axis, shared
//! by both backends: a program stage passes an input view to [`reduce`], or hands
//! [`reduce_fused`] a [`Source`] that computes the reduced operand a block at a time
//! (`fused.rs`, `slabs.rs`; the same bits as reducing the materialised operand).
//!
//! # Semantics (NumPy 2)
//! * Result dtypes are [`ReduceOp::result_dtype`]'s. `sum`/`prod` of `bool` and integers
//!   accumulate in `int64`/`uint64`, wrapping; `mean` of `bool` and integers converts each
//!   element to `float64` first; `float32` stays `float32` (a `float32` mean divides the
//!   `float32` sum by the count in `float64`, then rounds, as NumPy does).
//! * Float sums start at `+0.0`, NumPy's identity: a sum of only `-0.0` is `+0.0`.
//! * `min`/`max`: the first NaN (its bits kept) if there is one, else the first of the
//!   smallest (largest) elements, so `min([0.0, -0.0])` is `0.0`. Of `bool`, they are
//!   `all`/`any`. Complex `min`/`max` are refused.
//! * A float sum, product or mean with a NaN operand is NaN; which NaN's bits it keeps,
//!   when there are several, is not specified (as in NumPy: an addition keeps one
//!   operand's payload, and which one depends on the compiled code).
//! * `any`/`all` test `x != 0` (NaN counts as true; a complex value is nonzero if either
//!   part is).
//! * Complex `prod` multiplies as `(ac - bd, ad + bc)`, starting from the identity `1+0j`
//!   as NumPy does (so one element with an infinite part gives NaN parts); complex sums add
//!   each part, and a complex mean divides the sum by `count + 0j` with NumPy's (Smith's)
//!   complex division, in `complex128` also for `complex64`.
//! * An empty reduced range gives `sum` 0, `prod` 1, `any` false, `all` true; `min`, `max`
//!   and `mean` refuse it with an [`ErrorKind::Shape`] error (NumPy's `mean` gives NaN with
//!   a warning). An axis reduction whose other axes are empty gives an empty result.
//!
//! # Association order (determinism)
//! The result depends only on the *logical* sequence of reduced elements `x0 … x(n-1)`
//! (along the axis in index order; for `axis = None`, all elements in C order): never on
//! strides, memory order or the thread count. Sums and means (every dtype) compute
//! `P(x0 … x(n-1))` (then `+ 0.0`), where
//!
//! * `n < 8`: `((x0 + x1) + x2) + …`, left to right;
//! * `8 ≤ n ≤ 128`: eight accumulators `r_j = ((x_j + x_(j+8)) + x_(j+16)) + …` over the
//!   first `n - n % 8` elements, then `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`,
//!   then the last `n % 8` elements added left to right;
//! * `n > 128`: `P(first m) + P(the rest)` with `m = n/2` rounded down to a multiple of 8.
//!
//! This is NumPy's pairwise summation applied to the whole sequence at once. Threads only
//! compute subtrees of this fixed tree, and a reduction along a non-innermost axis
//! evaluates the same tree for a tile of outputs at once, a row at a time. `prod` of floats
//! and complex values is a plain left-to-right product. `min`, `max`, `any`, `all` and
//! integer `prod` are exact in any grouping (they are split in halves across threads).
//!
//! The worst-case rounding error of a float sum therefore grows like `O(ε log n)`; a
//! `float32` sum of 10⁸ ones is exactly 10⁸.

mod dispatch;
mod drive;
mod floatrows;
mod floatsum;
mod fused;
mod kernel;
mod layout;
mod minmax;
mod rowfold;
mod rows;
mod seq;
mod slabs;
#[cfg(test)]
mod tests;
mod whole;

use crate::error::{Error, ErrorKind, Result};
use crate::ir::ReduceOp;
use crate::runtime::{checked_len, fmt_shape, Array, ArrayView};
use crate::types::{DType, Scalar};
use drive::Tuning;
pub(crate) use fused::{
    float_extreme, parallel_by_default, reduce_fused, ExtremeSource, LeafSource, Source,
};

/// Where a reduction writes its result.
pub(crate) enum Dst<'a> {
    /// A new C-contiguous array, which the reduction gives back.
    New,
    /// The caller's bytes: room for exactly the result's elements, of the result dtype, in
    /// C order. What they hold beforehand does not matter: every element is written.
    Bytes(&'a mut [u8]),
}

impl Dst<'_> {
    /// The same destination, borrowed again (for a reduction tried before another).
    pub(crate) fn reborrow(&mut self) -> Dst<'_> {
        match self {
            Dst::New => Dst::New,
            Dst::Bytes(b) => Dst::Bytes(b),
        }
    }
}

/// A finished reduction's result.
pub(crate) enum Reduced {
    /// The new array, for [`Dst::New`].
    New(Array),
    /// The result is in the caller's bytes ([`Dst::Bytes`]).
    Written,
}

impl Reduced {
    /// The new array of a reduction run for [`Dst::New`].
    pub(crate) fn into_array(self) -> Result<Array> {
        match self {
            Reduced::New(a) => Ok(a),
            Reduced::Written => Err(Error::new(
                ErrorKind::Internal,
                "a reduction into the caller's bytes has no new array",
            )),
        }
    }
}

/// Reduces `src` over all elements (`axis = None`, result shape `[]`) or along `axis`
/// (already normalised to `0..ndim`; result shape = `src`'s shape without that axis), on up
/// to `threads` threads, into `dst`. See the module doc for the semantics and the
/// association order.
pub(crate) fn reduce_to(
    src: &ArrayView,
    op: ReduceOp,
    axis: Option<usize>,
    threads: usize,
    dst: Dst,
) -> Result<Reduced> {
    reduce_to_tuned(src, op, axis, threads, Tuning::DEFAULT, dst)
}

/// [`reduce_to`] with explicit parallel thresholds.
fn reduce_to_tuned(
    src: &ArrayView,
    op: ReduceOp,
    axis: Option<usize>,
    threads: usize,
    tuning: Tuning,
    dst: Dst,
) -> Result<Reduced> {
    let dtype = src.dtype();
    let out_dtype = result_dtype(op, dtype)?;
    let (sweep, out_shape) = layout::sweep(src, axis)?;
    let count = sweep.reduced_len();
    let (mut out, op) = match start(op, dtype, out_dtype, &out_shape, count, dst)? {
        Start::Done(out) => return Ok(out),
        Start::Run(out, op) => (out, op),
    };
    let ctx = dispatch::Ctx {
        input: dispatch::Input::Sweep(&sweep),
        elem_size: dtype.size(),
        threads,
        tuning,
        count,
    };
    dispatch::run(op, dtype, &ctx, out.bytes().as_mut_ptr());
    Ok(out.done())
}

/// Reduces `src` (nonempty along `axis`, with a nonempty result, `op` as [`start`] gives
/// it) on the calling thread into `dst`, which has room for the result's elements in C
/// order.
///
/// # Safety
/// `dst` is valid for writes of every result element.
unsafe fn reduce_view_into(src: &ArrayView, op: ReduceOp, axis: usize, dst: *mut u8) {
    let dtype = src.dtype();
    let Ok((sweep, _)) = layout::sweep(src, Some(axis)) else {
        // Callers pass an axis of `src`.
        return;
    };
    let ctx = dispatch::Ctx {
        count: sweep.reduced_len(),
        input: dispatch::Input::Sweep(&sweep),
        elem_size: dtype.size(),
        threads: 1,
        tuning: Tuning::DEFAULT,
    };
    dispatch::run(op, dtype, &ctx, dst);
}

/// The result dtype of `op` over `dtype` elements, or the error that refuses it.
fn result_dtype(op: ReduceOp, dtype: DType) -> Result<DType> {
    op.result_dtype(dtype).ok_or_else(|| {
        Error::new(
            ErrorKind::Type,
            format!("`{}` is not defined for {dtype} arrays", op.name()),
        )
    })
}

/// How a reduction begins once its result shape and reduced length are known.
enum Start<'a> {
    /// The whole result, without reading an element: empty, or the identity of an empty
    /// reduced range.
    Done(Reduced),
    /// The result's storage, and the operation that computes it (bool `min`/`max` become
    /// `all`/`any`).
    Run(Store<'a>, ReduceOp),
}

/// A result's storage: a new zeroed array, or the caller's bytes.
enum Store<'a> {
    New(Array),
    Bytes(&'a mut [u8]),
}

impl<'a> Store<'a> {
    /// Storage for a result of `dtype` and `shape` at `dst`; an internal error when the
    /// caller's bytes are not exactly its size.
    fn open(dst: Dst<'a>, dtype: DType, shape: &[usize]) -> Result<Store<'a>> {
        match dst {
            Dst::New => Ok(Store::New(Array::zeros(dtype, shape)?)),
            Dst::Bytes(b) => {
                let want = checked_len(shape).and_then(|n| n.checked_mul(dtype.size()));
                if want != Some(b.len()) {
                    return Err(Error::new(
                        ErrorKind::Internal,
                        format!(
                            "{} bytes given for a reduction result of shape {}",
                            b.len(),
                            fmt_shape(shape)
                        ),
                    ));
                }
                Ok(Store::Bytes(b))
            }
        }
    }

    /// The result's bytes.
    fn bytes(&mut self) -> &mut [u8] {
        match self {
            Store::New(a) => a.as_mut_bytes(),
            Store::Bytes(b) => b,
        }
    }

    /// The finished result.
    fn done(self) -> Reduced {
        match self {
            Store::New(a) => Reduced::New(a),
            Store::Bytes(_) => Reduced::Written,
        }
    }
}

/// Refuses an empty reduced range without an identity, opens the result's storage at
/// `dst`, and answers what needs no element; see [`Start`].
fn start<'a>(
    op: ReduceOp,
    dtype: DType,
    out_dtype: DType,
    out_shape: &[usize],
    count: usize,
    dst: Dst<'a>,
) -> Result<Start<'a>> {
    if count == 0 && matches!(op, ReduceOp::Min | ReduceOp::Max | ReduceOp::Mean) {
        let name = match op {
            ReduceOp::Min => "minimum",
            ReduceOp::Max => "maximum",
            _ => "mean",
        };
        let err = Error::new(
            ErrorKind::Shape,
            format!("zero-size array to reduction operation {name} which has no identity"),
        );
        return Err(if op == ReduceOp::Mean {
            err.with_help("NumPy returns nan with a warning here; jitex refuses")
        } else {
            err
        });
    }
    let mut out = Store::open(dst, out_dtype, out_shape)?;
    if out.bytes().is_empty() {
        return Ok(Start::Done(out.done()));
    }
    if count == 0 {
        // The identity: sum 0, any false; prod 1, all true.
        let identity = match op {
            ReduceOp::Prod | ReduceOp::All => Scalar::Bool(true),
            _ => Scalar::Bool(false),
        }
        .cast(out_dtype);
        let size = out_dtype.size();
        for chunk in out.bytes().chunks_exact_mut(size) {
            identity.write(chunk);
        }
        return Ok(Start::Done(out.done()));
    }
    // Bool min/max are all/any (and take their kernels).
    let op = match (op, dtype) {
        (ReduceOp::Min, DType::Bool) => ReduceOp::All,
        (ReduceOp::Max, DType::Bool) => ReduceOp::Any,
        _ => op,
    };
    Ok(Start::Run(out, op))
}
