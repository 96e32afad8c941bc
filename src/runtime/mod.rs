//! Array views, broadcasting, chunking, rayon scheduling and the kernel cache (stub).
use crate::types::{DType, Scalar};
use std::marker::PhantomData;

/// A Rust element type jitex can read and write.
pub trait Element: Copy + Send + Sync + 'static {
    /// Its dtype.
    const DTYPE: DType;
}

/// A read-only n-d strided view (byte strides, any sign).
#[derive(Clone, Debug)]
pub struct ArrayView<'a> {
    _p: PhantomData<&'a [u8]>,
}

/// A writable n-d strided view, for `out`.
#[derive(Debug)]
pub struct ArrayViewMut<'a> {
    _p: PhantomData<&'a mut [u8]>,
}

/// An owned, C-contiguous result array.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    _p: (),
}

/// One named input: an array view or a scalar.
#[derive(Clone, Debug)]
pub enum Arg<'a> {
    /// An array (any shape, any strides).
    Array(ArrayView<'a>),
    /// A scalar, broadcast to the result shape.
    Scalar(Scalar),
}

/// Sets the number of threads kernels run on (at least 1).
pub fn set_num_threads(n: usize) {
    let _ = n;
}

/// The number of threads kernels run on.
pub fn num_threads() -> usize {
    1
}
