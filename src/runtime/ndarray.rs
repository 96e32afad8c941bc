//! Interop with the `ndarray` crate (feature `ndarray`): borrow its views as jitex views,
//! and turn results into `ndarray` arrays.

use super::{Arg, Array, ArrayView, ArrayViewMut, Element};
use crate::error::{Error, ErrorKind, Result};
use ndarray::{Dimension, IxDyn};

/// `ndarray` strides count elements; jitex's count bytes.
fn byte_strides<T>(strides: &[isize]) -> Vec<isize> {
    let size = std::mem::size_of::<T>() as isize;
    strides.iter().map(|&s| s * size).collect()
}

impl<'a, T: Element, D: Dimension> From<ndarray::ArrayView<'a, T, D>> for ArrayView<'a> {
    fn from(v: ndarray::ArrayView<'a, T, D>) -> Self {
        let strides = byte_strides::<T>(v.strides());
        // SAFETY: the ndarray view guarantees every in-shape index addresses a live,
        // aligned `T` for `'a`, and the strides are the same ones scaled to bytes.
        unsafe { ArrayView::from_raw_parts(v.as_ptr() as *const u8, T::DTYPE, v.shape(), &strides) }
    }
}

impl<'a, T: Element, D: Dimension> From<ndarray::ArrayViewMut<'a, T, D>> for ArrayViewMut<'a> {
    fn from(mut v: ndarray::ArrayViewMut<'a, T, D>) -> Self {
        let strides = byte_strides::<T>(v.strides());
        let shape = v.shape().to_vec();
        let ptr = v.as_mut_ptr() as *mut u8;
        // SAFETY: as above, and the ndarray view is an exclusive borrow for `'a` whose
        // distinct indices address distinct elements.
        unsafe { ArrayViewMut::from_raw_parts(ptr, T::DTYPE, &shape, &strides) }
    }
}

impl<'a, T: Element, D: Dimension> From<ndarray::ArrayView<'a, T, D>> for Arg<'a> {
    fn from(v: ndarray::ArrayView<'a, T, D>) -> Self {
        Arg::Array(v.into())
    }
}

impl<'a, T: Element, D: Dimension> From<&'a ndarray::Array<T, D>> for Arg<'a> {
    fn from(a: &'a ndarray::Array<T, D>) -> Self {
        Arg::Array(a.view().into())
    }
}

impl Array {
    /// Copies the result into an `ndarray` array of the same shape; an
    /// [`ErrorKind::Type`] error when `T` is not the array's dtype.
    pub fn into_ndarray<T: Element>(&self) -> Result<ndarray::ArrayD<T>> {
        let data = self.as_slice::<T>().ok_or_else(|| {
            Error::new(
                ErrorKind::Type,
                format!("the array holds {}, not {}", self.dtype(), T::DTYPE),
            )
        })?;
        ndarray::ArrayD::from_shape_vec(IxDyn(self.shape()), data.to_vec()).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("ndarray rejected the shape: {e}"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_keep_strides_in_bytes() {
        let a = ndarray::Array2::<f32>::zeros((3, 4));
        let v: ArrayView = a.t().into();
        assert_eq!(v.shape(), &[4, 3]);
        assert_eq!(v.strides(), &[4, 16]);
        assert_eq!(v.dtype(), crate::DType::F32);
        let rev = ndarray::Array1::from(vec![1i16, 2, 3]);
        let v: ArrayView = rev.slice(ndarray::s![..;-1]).into();
        assert_eq!(v.strides(), &[-2]);
        // SAFETY: the view's first element is `rev`'s last.
        assert_eq!(unsafe { *(v.as_ptr() as *const i16) }, 3);
        assert!(matches!(Arg::from(&rev), Arg::Array(a) if a.shape() == [3]));
    }

    #[test]
    fn arrays_round_trip() {
        let r = Array::from_vec(vec![1i64, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
        let nd = r.into_ndarray::<i64>().unwrap();
        assert_eq!(nd.shape(), &[2, 3]);
        assert_eq!(nd[[1, 2]], 6);
        assert_eq!(r.into_ndarray::<f64>().unwrap_err().kind, ErrorKind::Type);
    }
}
