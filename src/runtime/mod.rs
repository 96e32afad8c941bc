//! Array views, and how a call is prepared and executed: broadcasting, chunking, rayon
//! scheduling, streaming stores and the kernel cache.
//!
//! `expr` hands a typed program ([`typed`]) and the caller's named [`Arg`]s to
//! [`call::evaluate`], which runs the reductions (`reduce/`), checks how the outputs
//! overlap the inputs (`overlap.rs`), then prepares the call once ([`call::PreparedCall`]:
//! broadcast shapes (`broadcast.rs`), collapsed axes, each operand's
//! [`crate::codegen::Access`], the kernel from the [`cache`], the thread count (`work.rs`)
//! and the store mode (`stream.rs`)) and executes it: work items of about 16K elements (`exec.rs`) on the calling thread or a
//! rayon pool (`threads.rs`). A remembered call (`call/remembered.rs`) keeps the prepared
//! call and re-binds pointers. Views keep their shape and strides inline (`dims.rs`).

pub(crate) mod broadcast;
pub mod cache;
pub(crate) mod call;
pub(crate) mod dims;
mod element;
pub(crate) mod exec;
pub(crate) mod interp_exec;
mod options;
pub(crate) mod overlap;
pub(crate) mod pages;
pub(crate) mod prefetch;
pub(crate) mod reduce;
pub(crate) mod stream;
mod threads;
pub(crate) mod tuner;
pub(crate) mod typed;
mod view;
pub(crate) mod work;

#[cfg(feature = "ndarray")]
mod ndarray;

pub use element::Element;
pub use options::{Backend, EvalOptions};
pub use stream::{Stores, STREAM_MIN_RESULT_BYTES};
pub use threads::{num_threads, set_num_threads, MAX_THREADS};
pub use view::{Array, ArrayView, ArrayViewMut};

pub(crate) use view::{c_strides, checked_len, fmt_shape, UninitArray};

use crate::types::{DType, Scalar};

/// One named input: an array view or a scalar.
#[derive(Clone, Debug)]
pub enum Arg<'a> {
    /// An array (any shape, any strides).
    Array(ArrayView<'a>),
    /// A scalar, broadcast to the result shape. Its dtype is strong, like a 0-d array's.
    Scalar(Scalar),
}

impl Arg<'_> {
    /// The dtype: the array's, or the scalar's (strong).
    pub fn dtype(&self) -> DType {
        match self {
            Arg::Array(v) => v.dtype(),
            Arg::Scalar(s) => s.dtype(),
        }
    }

    /// The shape: the array's, or `()` for a scalar.
    pub fn shape(&self) -> &[usize] {
        match self {
            Arg::Array(v) => v.shape(),
            Arg::Scalar(_) => &[],
        }
    }
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
