//! The owned, C-contiguous result [`Array`].

use super::{check_bytes, check_shape, checked_len, fmt_shape, ArrayView, ArrayViewMut};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::dims::Dims;
use crate::runtime::element::Element;
use crate::types::{DType, Scalar};
use std::marker::PhantomData;

/// An owned, C-contiguous result array.
///
/// Storage is 8-byte aligned so that [`Array::as_slice`] works for every element type.
#[derive(Clone, PartialEq)]
pub struct Array {
    dtype: DType,
    /// The shape with its C-order strides, kept so that views need not recompute them.
    dims: Dims,
    len: usize,
    // Words rather than bytes for alignment; bytes past `len * dtype.size()` are zero.
    words: Vec<u64>,
}

impl Drop for Array {
    fn drop(&mut self) {
        crate::runtime::pages::give_words(std::mem::take(&mut self.words));
    }
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Array")
            .field("dtype", &self.dtype)
            .field("shape", &self.shape())
            .field("len", &self.len)
            .field("words", &self.words)
            .finish()
    }
}

/// The element count and storage words of an array, or a [`ErrorKind::Limit`] error.
fn storage_size(dtype: DType, shape: &[usize]) -> Result<(usize, usize)> {
    let too_big = || {
        Error::new(
            ErrorKind::Limit,
            format!(
                "an array of shape {} and dtype {dtype} is too large to allocate",
                fmt_shape(shape)
            ),
        )
    };
    let len = checked_len(shape).ok_or_else(too_big)?;
    let bytes = len.checked_mul(dtype.size()).ok_or_else(too_big)?;
    if bytes > isize::MAX as usize {
        return Err(too_big());
    }
    Ok((len, bytes.div_ceil(8)))
}

fn alloc_error(dtype: DType, shape: &[usize]) -> Error {
    Error::new(
        ErrorKind::Limit,
        format!(
            "an array of shape {} and dtype {dtype} is too large to allocate",
            fmt_shape(shape)
        ),
    )
}

impl Array {
    /// A zero-filled array; an [`ErrorKind::Limit`] error when it cannot be allocated.
    pub fn zeros(dtype: DType, shape: &[usize]) -> Result<Array> {
        let (len, n_words) = storage_size(dtype, shape)?;
        let words = if n_words == 0 {
            Vec::new()
        } else {
            // `alloc_zeroed` rather than `vec![0; n]`: it reports failure instead of
            // aborting, and large blocks come as fresh zero pages without a memset pass.
            let layout =
                std::alloc::Layout::array::<u64>(n_words).map_err(|_| alloc_error(dtype, shape))?;
            // SAFETY: `layout` has nonzero size.
            let p = unsafe { std::alloc::alloc_zeroed(layout) } as *mut u64;
            if p.is_null() {
                return Err(alloc_error(dtype, shape));
            }
            // SAFETY: `p` was allocated by the global allocator with `Vec<u64>`'s layout for
            // `n_words` elements, all initialised (to zero).
            unsafe { Vec::from_raw_parts(p, n_words, n_words) }
        };
        Ok(Array {
            dtype,
            dims: Dims::c_order(shape, dtype.size()),
            len,
            words,
        })
    }

    /// An array whose elements `init` writes through the pointer to the first one: no
    /// zeroing pass for results that a kernel overwrites anyway.
    ///
    /// # Safety
    /// `init` writes every byte of the `len × dtype.size()` bytes from that pointer (valid
    /// `dtype` values), and nothing beyond them.
    /// `dims` must be `shape` with C-order strides for `dtype` (callers keep it at hand so
    /// that it is not recomputed per call).
    #[inline]
    pub(crate) unsafe fn from_init(
        dtype: DType,
        dims: &Dims,
        init: impl FnOnce(*mut u8),
    ) -> Result<Array> {
        let mut a = UninitArray::new(dtype, dims)?;
        init(a.as_mut_ptr());
        // SAFETY: `init` wrote every element (the caller's contract).
        Ok(unsafe { a.assume_init() })
    }

    /// An array holding a copy of raw C-order element bytes of any dtype (see
    /// [`ArrayView::from_bytes`]).
    pub fn from_bytes(bytes: &[u8], dtype: DType, shape: &[usize]) -> Result<Array> {
        check_bytes(bytes.len(), dtype, shape)?;
        let mut a = Array::zeros(dtype, shape)?;
        a.as_mut_bytes().copy_from_slice(bytes);
        Ok(a)
    }

    /// The dtype, the shape and the storage: 8-byte words holding the C-order element
    /// bytes, then zero padding to a whole word. Lets a caller (the Python binding) hand
    /// the buffer on without a copy.
    pub fn into_parts(mut self) -> (DType, Vec<usize>, Vec<u64>) {
        let shape = self.dims.shape().to_vec();
        (self.dtype, shape, std::mem::take(&mut self.words))
    }

    /// The element storage alone, for handing the buffer to another owner (a NumPy array,
    /// say) whose shape and dtype are read from [`Array::shape`] and [`Array::dtype`] first.
    /// The owner may hand it back with [`Array::recycle`] when it is done with it.
    pub fn into_words(mut self) -> Vec<u64> {
        std::mem::take(&mut self.words)
    }

    /// Frees storage taken with [`Array::into_words`], keeping a large buffer for a later
    /// result of about its size: its pages are already mapped, so that result is written
    /// without page faults (an allocating call then costs what a call into `out` does).
    /// A few buffers are kept (at most an eighth of the memory, 1 to 8 GiB, in all); older
    /// ones are freed.
    pub fn recycle(words: Vec<u64>) {
        crate::runtime::pages::give_words(words);
    }

    /// The bytes of element `i` in C order (a string element's storage, for example).
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn element_bytes(&self, i: usize) -> &[u8] {
        assert!(
            i < self.len,
            "Array::element_bytes: index {i} out of range for {} elements",
            self.len
        );
        let size = self.dtype.size();
        &self.as_bytes()[i * size..(i + 1) * size]
    }

    /// An array holding `data` with the given C-order shape.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Array> {
        check_shape(data.len(), shape)?;
        let mut a = Array::zeros(T::DTYPE, shape)?;
        a.as_mut_bytes().copy_from_slice(as_bytes_of(&data));
        Ok(a)
    }

    /// The element dtype.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The extent of each axis.
    pub fn shape(&self) -> &[usize] {
        self.dims.shape()
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.dims.shape().len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The elements' bytes, C order, native endianness.
    pub fn as_bytes(&self) -> &[u8] {
        let n = self.len * self.dtype.size();
        // SAFETY: `words` holds at least `n` initialised bytes; u8 has no alignment needs.
        unsafe { std::slice::from_raw_parts(self.words.as_ptr() as *const u8, n) }
    }

    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8] {
        let n = self.len * self.dtype.size();
        // SAFETY: as in `as_bytes`, and we hold `&mut self`.
        unsafe { std::slice::from_raw_parts_mut(self.words.as_mut_ptr() as *mut u8, n) }
    }

    /// The elements as a slice of `T`; `None` when `T` is not the array's dtype.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        if T::DTYPE != self.dtype {
            return None;
        }
        // SAFETY: the dtype matches `T`'s layout, the storage is 8-byte aligned, and every
        // byte pattern written by jitex is a valid `T` (bools are written as 0 or 1).
        Some(unsafe { std::slice::from_raw_parts(self.words.as_ptr() as *const T, self.len) })
    }

    /// The elements copied into a `Vec<T>`.
    ///
    /// # Panics
    /// When `T` is not the array's dtype.
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        match self.as_slice::<T>() {
            Some(s) => s.to_vec(),
            None => panic!(
                "Array::to_vec: the array holds {}, not {}",
                self.dtype,
                T::DTYPE
            ),
        }
    }

    /// A view of the array.
    pub fn view(&self) -> ArrayView<'_> {
        ArrayView {
            ptr: self.words.as_ptr() as *const u8,
            dtype: self.dtype,
            dims: self.dims.clone(),
            _p: PhantomData,
        }
    }

    /// A writable view of the array.
    pub fn view_mut(&mut self) -> ArrayViewMut<'_> {
        ArrayViewMut {
            ptr: self.words.as_mut_ptr() as *mut u8,
            dtype: self.dtype,
            dims: self.dims.clone(),
            _p: PhantomData,
        }
    }

    /// Element `i` in C order.
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn get(&self, i: usize) -> Scalar {
        assert!(
            i < self.len,
            "Array::get: index {i} out of range for {} elements",
            self.len
        );
        let size = self.dtype.size();
        Scalar::read(self.dtype, &self.as_bytes()[i * size..])
    }
}

/// The bytes of a slice of elements.
fn as_bytes_of<T: Element>(s: &[T]) -> &[u8] {
    // SAFETY: elements are plain old data without padding.
    unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) }
}

/// The storage of an [`Array`] whose elements are yet to be written: a kernel's fresh
/// result, allocated without a zeroing pass (and from a recycled buffer where one fits,
/// `runtime::pages`). Dropped unwritten, it only frees its memory.
pub(crate) struct UninitArray {
    dtype: DType,
    dims: Dims,
    len: usize,
    /// Storage words the array has.
    n_words: usize,
    /// Empty, with room for `n_words` words; the last of them is already zero.
    words: Vec<u64>,
}

impl UninitArray {
    /// Storage for an array of `dims` (a shape with C-order strides for `dtype`); an
    /// [`ErrorKind::Limit`] error when it cannot be allocated.
    pub(crate) fn new(dtype: DType, dims: &Dims) -> Result<UninitArray> {
        let shape = dims.shape();
        debug_assert_eq!(dims, &Dims::c_order(shape, dtype.size()));
        let (len, n_words) = storage_size(dtype, shape)?;
        let mut words = match crate::runtime::pages::take_words(n_words) {
            Some(kept) => kept,
            None => {
                let mut words: Vec<u64> = Vec::new();
                words
                    .try_reserve_exact(n_words)
                    .map_err(|_| alloc_error(dtype, shape))?;
                crate::runtime::pages::advise_huge_pages(
                    words.as_mut_ptr() as *mut u8,
                    n_words * 8,
                );
                words
            }
        };
        if n_words > 0 {
            // SAFETY: within capacity. The last word gets zero now so that the padding
            // past the elements is zero, as `Array`'s storage invariant wants.
            unsafe { words.as_mut_ptr().add(n_words - 1).write(0) };
        }
        Ok(UninitArray {
            dtype,
            dims: dims.clone(),
            len,
            n_words,
            words,
        })
    }

    /// Where the first element goes; the elements follow in C order.
    pub(crate) fn as_mut_ptr(&mut self) -> *mut u8 {
        self.words.as_mut_ptr() as *mut u8
    }

    /// The array, once its elements are written.
    ///
    /// # Safety
    /// Every byte of the `len × dtype.size()` bytes from [`UninitArray::as_mut_ptr`] has
    /// been written with valid values of the dtype.
    pub(crate) unsafe fn assume_init(mut self) -> Array {
        // SAFETY: the elements are written (the caller's contract) and the padding word
        // was zeroed by `new`; `n_words` is within capacity.
        unsafe { self.words.set_len(self.n_words) };
        Array {
            dtype: self.dtype,
            dims: self.dims,
            len: self.len,
            words: self.words,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_accessors() {
        let a = Array::from_vec(vec![1.5f32, -2.0, 3.25, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
        assert_eq!(a.dtype(), DType::F32);
        assert_eq!(a.shape(), &[2, 3]);
        assert_eq!(a.len(), 6);
        assert_eq!(a.as_bytes().len(), 24);
        assert_eq!(a.as_slice::<f32>().unwrap()[2], 3.25);
        assert!(a.as_slice::<f64>().is_none());
        assert_eq!(a.to_vec::<f32>()[1], -2.0);
        assert_eq!(a.get(3), Scalar::F32(4.0));
        let v = a.view();
        assert_eq!(v.strides(), &[12, 4]);
        assert_eq!(v.as_ptr(), a.as_bytes().as_ptr());
    }

    #[test]
    #[should_panic(expected = "not float64")]
    fn to_vec_panics_on_dtype_mismatch() {
        let a = Array::from_vec(vec![1i32], &[1]).unwrap();
        let _ = a.to_vec::<f64>();
    }

    #[test]
    fn zeros_rejects_huge_shapes() {
        let e = Array::zeros(DType::F64, &[usize::MAX / 4, 2]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
        let e = Array::zeros(DType::F64, &[usize::MAX / 32]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
    }
}
