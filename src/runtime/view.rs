//! Strided n-d views over caller memory ([`ArrayView`], [`ArrayViewMut`]) and the owned,
//! C-contiguous result [`Array`] (in `array`, a child module so that it can build views
//! from their private fields).

mod array;

pub use array::Array;
pub(crate) use array::UninitArray;

use super::dims::Dims;
use super::element::Element;
use crate::error::{Error, ErrorKind, Result};
use crate::types::DType;
use std::marker::PhantomData;

/// A read-only n-d strided view (byte strides, any sign).
#[derive(Clone, Debug)]
pub struct ArrayView<'a> {
    ptr: *const u8,
    dtype: DType,
    dims: Dims,
    _p: PhantomData<&'a [u8]>,
}

// SAFETY: a view is a shared borrow of plain-old-data elements, like `&'a [T]`.
unsafe impl Send for ArrayView<'_> {}
// SAFETY: as above; nothing is written through it.
unsafe impl Sync for ArrayView<'_> {}

/// A writable n-d strided view, for `out`.
#[derive(Debug)]
pub struct ArrayViewMut<'a> {
    ptr: *mut u8,
    dtype: DType,
    dims: Dims,
    _p: PhantomData<&'a mut [u8]>,
}

// SAFETY: an exclusive borrow of plain-old-data elements, like `&'a mut [T]`.
unsafe impl Send for ArrayViewMut<'_> {}
// SAFETY: shared access to an `ArrayViewMut` only reads its metadata.
unsafe impl Sync for ArrayViewMut<'_> {}

/// The number of elements of `shape`, or `None` on overflow.
pub(crate) fn checked_len(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// C-order byte strides for `shape` with elements of `size` bytes.
pub(crate) fn c_strides(shape: &[usize], size: usize) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut step = size as isize;
    for (s, &d) in strides.iter_mut().zip(shape).rev() {
        *s = step;
        // Wrapping is harmless: it can only happen past a zero-size or overflowing shape,
        // which `from_shape` rejects, and such strides are never dereferenced.
        step = step.wrapping_mul(d.max(1) as isize);
    }
    strides
}

fn shape_error(len: usize, shape: &[usize]) -> Error {
    Error::new(
        ErrorKind::Shape,
        format!(
            "a slice of {len} elements cannot be viewed with shape {}",
            fmt_shape(shape)
        ),
    )
    .with_help("the product of the shape must equal the slice length")
}

/// Formats a shape as NumPy does: `(3,)`, `(2, 3)`, `()`.
pub(crate) fn fmt_shape(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [d] => format!("({d},)"),
        _ => {
            let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// Checks `shape` against a slice of `len` elements and returns its element count.
fn check_shape(len: usize, shape: &[usize]) -> Result<()> {
    match checked_len(shape) {
        Some(n) if n == len => Ok(()),
        _ => Err(shape_error(len, shape)),
    }
}

/// Checks that `len` bytes are exactly the elements of `shape` in `dtype`.
fn check_bytes(len: usize, dtype: DType, shape: &[usize]) -> Result<()> {
    let want = checked_len(shape).and_then(|n| n.checked_mul(dtype.size()));
    if want == Some(len) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Shape,
        format!(
            "{len} bytes cannot be viewed as {dtype} elements of shape {}",
            fmt_shape(shape)
        ),
    )
    .with_help("the byte count must be the shape's product times the dtype's size"))
}

/// Reverses or steps axis 0 of a (ptr, shape, strides) triple; shared by both view kinds.
fn step_axis0(ptr: usize, shape: &mut [usize], strides: &mut [isize], step: isize) -> usize {
    assert!(step != 0, "slice_step: step must be nonzero");
    assert!(
        !shape.is_empty(),
        "slice_step: a 0-d view has no axis to step"
    );
    let len = shape[0];
    let mag = step.unsigned_abs();
    let new_len = len.div_ceil(mag);
    let old_stride = strides[0];
    let mut new_ptr = ptr;
    if step < 0 && len > 0 {
        // Start at the last element, as NumPy's `a[::-k]` does.
        new_ptr = (ptr as isize).wrapping_add(old_stride.wrapping_mul(len as isize - 1)) as usize;
    }
    shape[0] = new_len;
    strides[0] = old_stride.wrapping_mul(step);
    new_ptr
}

impl<'a> ArrayView<'a> {
    /// A 1-d view of a slice.
    pub fn from_slice<T: Element>(s: &'a [T]) -> Self {
        ArrayView {
            ptr: s.as_ptr() as *const u8,
            dtype: T::DTYPE,
            dims: Dims::one(s.len(), T::DTYPE.size() as isize),
            _p: PhantomData,
        }
    }

    /// A C-order view of a slice with the given shape; the shape's product must equal the
    /// slice's length (an [`ErrorKind::Shape`] error otherwise).
    pub fn from_shape<T: Element>(s: &'a [T], shape: &[usize]) -> Result<Self> {
        check_shape(s.len(), shape)?;
        Ok(ArrayView {
            ptr: s.as_ptr() as *const u8,
            dtype: T::DTYPE,
            dims: Dims::c_order(shape, T::DTYPE.size()),
            _p: PhantomData,
        })
    }

    /// A C-order view of raw element bytes of any dtype, e.g. `S5` or `U3` strings (`U`
    /// code points native-endian). `bytes` must hold exactly `shape`'s element count times
    /// `dtype.size()` bytes (an [`ErrorKind::Shape`] error otherwise).
    pub fn from_bytes(bytes: &'a [u8], dtype: DType, shape: &[usize]) -> Result<Self> {
        check_bytes(bytes.len(), dtype, shape)?;
        Ok(ArrayView {
            ptr: bytes.as_ptr(),
            dtype,
            dims: Dims::c_order(shape, dtype.size()),
            _p: PhantomData,
        })
    }

    /// A view of raw memory.
    ///
    /// # Safety
    /// `shape` and `strides` have the same length, and for every index within `shape` the
    /// element at `ptr + Σ index·stride` is a valid, initialised, suitably aligned `dtype`
    /// value that stays alive and unmodified for `'a`.
    pub unsafe fn from_raw_parts(
        ptr: *const u8,
        dtype: DType,
        shape: &[usize],
        strides: &[isize],
    ) -> Self {
        assert_eq!(
            shape.len(),
            strides.len(),
            "shape and strides differ in length"
        );
        ArrayView {
            ptr,
            dtype,
            dims: Dims::new(shape, strides),
            _p: PhantomData,
        }
    }

    /// Every `|step|`-th element along axis 0, reversed when `step` is negative (NumPy's
    /// `a[::step]`).
    ///
    /// # Panics
    /// If `step == 0` or the view is 0-d.
    pub fn slice_step(&self, step: isize) -> Self {
        let mut v = self.clone();
        let (shape, strides) = v.dims.parts_mut();
        v.ptr = step_axis0(v.ptr as usize, shape, strides, step) as *const u8;
        v
    }

    /// The view with its axes reversed (NumPy's `a.T`).
    pub fn transpose(&self) -> Self {
        let mut v = self.clone();
        v.dims.reverse();
        v
    }

    /// The element dtype.
    #[inline]
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The extent of each axis.
    #[inline]
    pub fn shape(&self) -> &[usize] {
        self.dims.shape()
    }

    /// The byte stride of each axis.
    #[inline]
    pub fn strides(&self) -> &[isize] {
        self.dims.strides()
    }

    /// The number of axes.
    #[inline]
    pub fn ndim(&self) -> usize {
        self.dims.shape().len()
    }

    /// The number of elements (saturating on absurd raw shapes).
    pub fn len(&self) -> usize {
        checked_len(self.dims.shape()).unwrap_or(usize::MAX)
    }

    /// `true` when the view has no elements.
    pub fn is_empty(&self) -> bool {
        self.dims.shape().contains(&0)
    }

    /// The address of the element at index 0 along every axis.
    #[inline]
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr
    }

    /// Shape and strides together, for the remembered-call signature checks.
    #[inline]
    pub(crate) fn dims(&self) -> &Dims {
        &self.dims
    }
}

impl<'a> ArrayViewMut<'a> {
    /// A writable 1-d view of a slice.
    pub fn from_slice_mut<T: Element>(s: &'a mut [T]) -> Self {
        ArrayViewMut {
            ptr: s.as_mut_ptr() as *mut u8,
            dtype: T::DTYPE,
            dims: Dims::one(s.len(), T::DTYPE.size() as isize),
            _p: PhantomData,
        }
    }

    /// A writable C-order view with the given shape (see [`ArrayView::from_shape`]).
    pub fn from_shape_mut<T: Element>(s: &'a mut [T], shape: &[usize]) -> Result<Self> {
        check_shape(s.len(), shape)?;
        Ok(ArrayViewMut {
            ptr: s.as_mut_ptr() as *mut u8,
            dtype: T::DTYPE,
            dims: Dims::c_order(shape, T::DTYPE.size()),
            _p: PhantomData,
        })
    }

    /// A writable view of raw memory.
    ///
    /// # Safety
    /// As [`ArrayView::from_raw_parts`], and additionally the memory is writable, not
    /// accessed through anything else for `'a`, and distinct indices address distinct
    /// elements unless the view is only ever written with one value per element.
    pub unsafe fn from_raw_parts(
        ptr: *mut u8,
        dtype: DType,
        shape: &[usize],
        strides: &[isize],
    ) -> Self {
        assert_eq!(
            shape.len(),
            strides.len(),
            "shape and strides differ in length"
        );
        ArrayViewMut {
            ptr,
            dtype,
            dims: Dims::new(shape, strides),
            _p: PhantomData,
        }
    }

    /// Every `|step|`-th element along axis 0 (see [`ArrayView::slice_step`]).
    ///
    /// # Panics
    /// If `step == 0` or the view is 0-d.
    pub fn slice_step(mut self, step: isize) -> Self {
        let (shape, strides) = self.dims.parts_mut();
        self.ptr = step_axis0(self.ptr as usize, shape, strides, step) as *mut u8;
        self
    }

    /// The view with its axes reversed.
    pub fn transpose(mut self) -> Self {
        self.dims.reverse();
        self
    }

    /// A read-only view of the same elements, borrowing this one.
    pub fn view(&self) -> ArrayView<'_> {
        ArrayView {
            ptr: self.ptr,
            dtype: self.dtype,
            dims: self.dims.clone(),
            _p: PhantomData,
        }
    }

    /// The element dtype.
    #[inline]
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The extent of each axis.
    #[inline]
    pub fn shape(&self) -> &[usize] {
        self.dims.shape()
    }

    /// The byte stride of each axis.
    #[inline]
    pub fn strides(&self) -> &[isize] {
        self.dims.strides()
    }

    /// The number of elements (saturating on absurd raw shapes).
    pub fn len(&self) -> usize {
        checked_len(self.dims.shape()).unwrap_or(usize::MAX)
    }

    /// `true` when the view has no elements.
    pub fn is_empty(&self) -> bool {
        self.dims.shape().contains(&0)
    }

    /// The address of the element at index 0 along every axis.
    #[inline]
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.ptr
    }

    #[inline]
    pub(crate) fn raw_ptr(&self) -> *mut u8 {
        self.ptr
    }

    /// Shape and strides together, for the remembered-call signature checks.
    #[inline]
    pub(crate) fn dims(&self) -> &Dims {
        &self.dims
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_shape_gives_c_order_byte_strides() {
        let data = [0f64; 24];
        let v = ArrayView::from_shape(&data, &[2, 3, 4]).unwrap();
        assert_eq!(v.shape(), &[2, 3, 4]);
        assert_eq!(v.strides(), &[96, 32, 8]);
        assert_eq!(v.dtype(), DType::F64);
        let e = ArrayView::from_shape(&data, &[5, 5]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Shape);
        assert!(e.message.contains("(5, 5)"), "{}", e.message);
        let e = ArrayView::from_shape(&data, &[usize::MAX, 2]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Shape);
    }

    #[test]
    fn zero_d_and_empty_shapes() {
        let one = [7i32];
        let v = ArrayView::from_shape(&one, &[]).unwrap();
        assert_eq!(v.len(), 1);
        assert!(v.strides().is_empty());
        let none: [i32; 0] = [];
        let v = ArrayView::from_shape(&none, &[3, 0]).unwrap();
        assert!(v.is_empty());
        assert_eq!(v.strides(), &[4, 4]);
    }

    #[test]
    fn slice_step_forward_and_reverse() {
        let data: Vec<i32> = (0..7).collect();
        let base = ArrayView::from_slice(&data);
        let v = base.slice_step(3);
        assert_eq!(v.shape(), &[3]);
        assert_eq!(v.strides(), &[12]);
        assert_eq!(v.as_ptr(), base.as_ptr());
        let r = base.slice_step(-2);
        assert_eq!(r.shape(), &[4]);
        assert_eq!(r.strides(), &[-8]);
        // SAFETY: reading the first element of a non-empty view of `data`.
        let first = unsafe { *(r.as_ptr() as *const i32) };
        assert_eq!(first, 6);
        let empty: [i32; 0] = [];
        let e = ArrayView::from_slice(&empty).slice_step(-1);
        assert_eq!(e.shape(), &[0]);
    }

    #[test]
    fn transpose_reverses_axes() {
        let data = [0u8; 6];
        let v = ArrayView::from_shape(&data, &[2, 3]).unwrap().transpose();
        assert_eq!(v.shape(), &[3, 2]);
        assert_eq!(v.strides(), &[1, 3]);
    }
}
