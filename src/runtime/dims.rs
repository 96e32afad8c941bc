//! A view's shape and strides, stored inline for the usual few axes so that making a view
//! (`ArrayView::from_slice`, `Array::view_mut`, ...) does not touch the heap: per-call
//! overhead at small sizes is dominated by such allocations otherwise.

/// Axes stored without allocating; more spill to the heap.
const INLINE: usize = 4;

/// Shape and byte strides of equal length.
#[derive(Clone)]
pub(crate) enum Dims {
    /// Up to [`INLINE`] axes.
    Inline {
        // A whole word: a byte here would sit beside padding, which copies of a `Dims`
        // then move in overlapping pieces that stall store forwarding (about 10 ns on
        // every allocating remembered call).
        ndim: usize,
        shape: [usize; INLINE],
        strides: [isize; INLINE],
    },
    /// More axes.
    Heap {
        shape: Box<[usize]>,
        strides: Box<[isize]>,
    },
}

impl Dims {
    /// Dims from a shape and strides of the same length.
    #[inline]
    pub fn new(shape: &[usize], strides: &[isize]) -> Dims {
        debug_assert_eq!(shape.len(), strides.len());
        if shape.len() <= INLINE {
            let (mut sh, mut st) = ([0; INLINE], [0; INLINE]);
            // Element loops, not `copy_from_slice`: a `memcpy` call costs more than a
            // handful of moves.
            for (d, &s) in sh.iter_mut().zip(shape) {
                *d = s;
            }
            for (d, &s) in st.iter_mut().zip(strides) {
                *d = s;
            }
            Dims::Inline {
                ndim: shape.len(),
                shape: sh,
                strides: st,
            }
        } else {
            Dims::Heap {
                shape: shape.into(),
                strides: strides.into(),
            }
        }
    }

    /// One axis of `len` elements `stride` bytes apart.
    #[inline]
    pub fn one(len: usize, stride: isize) -> Dims {
        Dims::Inline {
            ndim: 1,
            shape: [len, 0, 0, 0],
            strides: [stride, 0, 0, 0],
        }
    }

    /// `shape` with C-order strides for elements of `size` bytes.
    pub fn c_order(shape: &[usize], size: usize) -> Dims {
        let mut d = Dims::new(shape, &vec_or_zeros(shape.len()));
        let (sh, st) = d.parts_mut();
        let mut step = size as isize;
        for (s, &n) in st.iter_mut().zip(sh.iter()).rev() {
            *s = step;
            // Wrapping is harmless: it can only happen past a zero-size or overflowing
            // shape, which constructors reject, and such strides are never dereferenced.
            step = step.wrapping_mul(n.max(1) as isize);
        }
        d
    }

    /// The extent of each axis.
    #[inline]
    pub fn shape(&self) -> &[usize] {
        match self {
            Dims::Inline { ndim, shape, .. } => &shape[..*ndim],
            Dims::Heap { shape, .. } => shape,
        }
    }

    /// The byte stride of each axis.
    #[inline]
    pub fn strides(&self) -> &[isize] {
        match self {
            Dims::Inline { ndim, strides, .. } => &strides[..*ndim],
            Dims::Heap { strides, .. } => strides,
        }
    }

    /// `(len, stride)` when this is one axis: the common case the remembered-call path
    /// compares without slicing.
    #[inline(always)]
    pub fn as_1d(&self) -> Option<(usize, isize)> {
        match self {
            Dims::Inline {
                ndim: 1,
                shape,
                strides,
            } => Some((shape[0], strides[0])),
            _ => None,
        }
    }

    /// Both, writable.
    #[inline]
    pub fn parts_mut(&mut self) -> (&mut [usize], &mut [isize]) {
        match self {
            Dims::Inline {
                ndim,
                shape,
                strides,
            } => {
                let n = *ndim;
                (&mut shape[..n], &mut strides[..n])
            }
            Dims::Heap { shape, strides } => (shape, strides),
        }
    }

    /// Reverses the axes (a transpose).
    pub fn reverse(&mut self) {
        let (sh, st) = self.parts_mut();
        sh.reverse();
        st.reverse();
    }
}

/// Zero strides to fill in: on the stack for inline dims.
fn vec_or_zeros(n: usize) -> std::borrow::Cow<'static, [isize]> {
    const ZEROS: [isize; INLINE] = [0; INLINE];
    if n <= INLINE {
        std::borrow::Cow::Borrowed(&ZEROS[..n])
    } else {
        std::borrow::Cow::Owned(vec![0; n])
    }
}

impl std::fmt::Debug for Dims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dims")
            .field("shape", &self.shape())
            .field("strides", &self.strides())
            .finish()
    }
}

impl PartialEq for Dims {
    fn eq(&self, other: &Dims) -> bool {
        self.shape() == other.shape() && self.strides() == other.strides()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_agree() {
        for n in 0..8 {
            let shape: Vec<usize> = (1..=n).collect();
            let strides: Vec<isize> = (0..n as isize).map(|i| -3 * i).collect();
            let mut d = Dims::new(&shape, &strides);
            assert_eq!(matches!(d, Dims::Inline { .. }), n <= INLINE);
            assert_eq!(d.shape(), &shape[..]);
            assert_eq!(d.strides(), &strides[..]);
            d.reverse();
            let rs: Vec<usize> = shape.iter().rev().copied().collect();
            assert_eq!(d.shape(), &rs[..]);
            let c = Dims::c_order(&shape, 8);
            assert_eq!(c.strides(), &super::super::view::c_strides(&shape, 8)[..]);
        }
        assert_eq!(Dims::one(5, 4), Dims::new(&[5], &[4]));
        assert_eq!(Dims::one(5, -4).as_1d(), Some((5, -4)));
        assert_eq!(Dims::new(&[5, 1], &[4, 4]).as_1d(), None);
        assert_eq!(Dims::new(&[], &[]).as_1d(), None);
    }
}
