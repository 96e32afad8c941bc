//! Array views, broadcasting, chunking, rayon scheduling and the kernel cache.
//!
//! The driver ([`crate::Expr`]) turns named [`Arg`]s into an execution plan: broadcast
//! shapes (`broadcast.rs`), collapse axes, pick each operand's [`crate::codegen::Access`],
//! fetch the kernel from the [`cache`], and run work items of about 16K elements
//! (`exec.rs`) on the calling thread or, when the estimated work pays for it (`work.rs`),
//! a rayon pool (`threads.rs`); results larger than the cache are streamed past it
//! (`stream.rs`). Views keep their shape and strides inline (`dims.rs`).

pub(crate) mod broadcast;
pub mod cache;
pub(crate) mod dims;
mod element;
pub(crate) mod exec;
pub(crate) mod interp_exec;
pub(crate) mod pages;
// Nothing calls `reduce` until the integrator's reduction stage does.
pub(crate) mod reduce;
pub(crate) mod stream;
mod threads;
mod view;
pub(crate) mod work;

#[cfg(feature = "ndarray")]
mod ndarray;

pub use element::Element;
pub use stream::{Stores, STREAM_MIN_RESULT_BYTES};
pub use threads::{num_threads, set_num_threads, MAX_THREADS};
pub use view::{Array, ArrayView, ArrayViewMut};

pub(crate) use view::{c_strides, checked_len, fmt_shape};

use crate::types::Scalar;

/// One named input: an array view or a scalar.
#[derive(Clone, Debug)]
pub enum Arg<'a> {
    /// An array (any shape, any strides).
    Array(ArrayView<'a>),
    /// A scalar, broadcast to the result shape. Its dtype is strong, like a 0-d array's.
    Scalar(Scalar),
}

impl<'a, T: Element> From<&'a [T]> for Arg<'a> {
    fn from(s: &'a [T]) -> Self {
        Arg::Array(ArrayView::from_slice(s))
    }
}

impl<'a, T: Element, const N: usize> From<&'a [T; N]> for Arg<'a> {
    fn from(s: &'a [T; N]) -> Self {
        Arg::Array(ArrayView::from_slice(s))
    }
}

impl<'a, T: Element> From<&'a Vec<T>> for Arg<'a> {
    fn from(s: &'a Vec<T>) -> Self {
        Arg::Array(ArrayView::from_slice(s))
    }
}

impl<'a> From<ArrayView<'a>> for Arg<'a> {
    fn from(v: ArrayView<'a>) -> Self {
        Arg::Array(v)
    }
}

impl<'a> From<&'a Array> for Arg<'a> {
    fn from(a: &'a Array) -> Self {
        Arg::Array(a.view())
    }
}

impl From<Scalar> for Arg<'_> {
    fn from(s: Scalar) -> Self {
        Arg::Scalar(s)
    }
}

macro_rules! scalar_arg {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(x: $t) -> Self {
                Arg::Scalar(Scalar::$v(x))
            }
        }
    )*};
}

scalar_arg!(f64 => F64, f32 => F32, i64 => I64, i32 => I32, bool => Bool);
