//! Inputs and outputs in memory: element bytes laid out contiguous, strided, reversed or
//! broadcast in 8-byte words (so numeric elements are aligned), with junk in every slot no
//! logical element uses (no result may depend on it).

use jitex::testkit::Rng;
use jitex::{Array, ArrayView, ArrayViewMut, DType};

/// How a logical array is stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layout {
    /// C order, contiguous.
    C,
    /// C order with every element `k` slots apart.
    Gap(usize),
    /// C order with every axis reversed (negative strides).
    Reversed,
    /// Axis 0 `|k|` rows apart, reversed when `k < 0` (NumPy's `a[::k]` of a bigger array).
    Rows(isize),
    /// Stride 0 along axis 0: the data is constant along it.
    Bcast0,
}

impl Layout {
    /// `true` if distinct indices address distinct elements (so it may be written).
    pub fn writable(self) -> bool {
        self != Layout::Bcast0
    }
}

/// A logical array stored in some [`Layout`].
#[derive(Clone, Debug)]
pub struct Stored {
    words: Vec<u64>,
    /// Byte offset of the logical first element.
    first: usize,
    dtype: DType,
    shape: Vec<usize>,
    /// Byte strides.
    strides: Vec<isize>,
}

impl Stored {
    /// The number of distinct elements `layout` stores for `shape` (axis 0 counts once
    /// when broadcast): how many [`Stored::new`] takes.
    pub fn distinct(shape: &[usize], layout: Layout) -> usize {
        shape
            .iter()
            .enumerate()
            .map(|(a, &n)| {
                if a == 0 && layout == Layout::Bcast0 {
                    1
                } else {
                    n
                }
            })
            .product()
    }

    /// Stores `elements` (each `dtype.size()` bytes, C order over `shape`, or over `shape`
    /// with axis 0 of extent 1 for [`Layout::Bcast0`]) in `layout`, junk from `rng` between.
    pub fn new(
        dtype: DType,
        shape: &[usize],
        layout: Layout,
        elements: &[Vec<u8>],
        rng: &mut Rng,
    ) -> Stored {
        let nd = shape.len();
        let size = dtype.size();
        assert_eq!(elements.len(), Self::distinct(shape, layout));
        // Physical extents, then element strides (C order over them), in slots.
        let mut phys: Vec<usize> = shape.iter().map(|&n| n.max(1)).collect();
        if layout == Layout::Bcast0 && nd > 0 {
            phys[0] = 1;
        }
        if let Layout::Rows(k) = layout {
            if nd > 0 {
                phys[0] *= k.unsigned_abs();
            }
        }
        let gap = match layout {
            Layout::Gap(k) => k,
            _ => 1,
        };
        let mut slot_strides = vec![0isize; nd];
        let mut step = gap as isize;
        for a in (0..nd).rev() {
            slot_strides[a] = step;
            step *= phys[a] as isize;
        }
        let slots = (step as usize).max(1);
        let mut first = 0isize;
        match layout {
            Layout::Bcast0 if nd > 0 => slot_strides[0] = 0,
            Layout::Rows(k) if nd > 0 => {
                slot_strides[0] *= k.abs();
                if k < 0 {
                    first = slot_strides[0] * (shape[0].max(1) as isize - 1);
                    slot_strides[0] = -slot_strides[0];
                }
            }
            Layout::Reversed => {
                for a in 0..nd {
                    first += slot_strides[a] * (shape[a].max(1) as isize - 1);
                    slot_strides[a] = -slot_strides[a];
                }
            }
            _ => {}
        }
        let mut words: Vec<u64> = (0..(slots * size).div_ceil(8))
            .map(|_| rng.next_u64())
            .collect();
        let bytes = bytes_mut(&mut words);
        // Every logical index; broadcast duplicates write the same element again (C-order
        // strides over the shape without axis 0 index the broadcast elements too).
        let len: usize = shape.iter().product();
        let c: Vec<usize> = (0..nd).map(|a| shape[a + 1..].iter().product()).collect();
        for flat in 0..len {
            let (mut off, mut src) = (first, 0usize);
            for a in 0..nd {
                let i = flat / c[a] % shape[a];
                off += i as isize * slot_strides[a];
                if !(a == 0 && layout == Layout::Bcast0) {
                    src += i * c[a];
                }
            }
            let at = off as usize * size;
            bytes[at..at + size].copy_from_slice(&elements[src]);
        }
        Stored {
            words,
            first: first as usize * size,
            dtype,
            shape: shape.to_vec(),
            strides: slot_strides.iter().map(|s| s * size as isize).collect(),
        }
    }

    /// The dtype.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The logical shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The view of the logical array.
    pub fn view(&self) -> ArrayView<'_> {
        // SAFETY: every index within `shape` addresses an element inside `words` (built so
        // in `new`), which lives as long as the view and is 8-byte aligned.
        unsafe {
            ArrayView::from_raw_parts(
                (self.words.as_ptr() as *const u8).add(self.first),
                self.dtype,
                &self.shape,
                &self.strides,
            )
        }
    }

    /// A read view and a write view of the same memory, for in-place calls.
    ///
    /// # Safety
    /// The caller uses the two views only for one jitex call that is allowed to read and
    /// write the same elements (an exact in-place overlap), and drops both before using
    /// `self` again.
    pub unsafe fn aliased(&mut self) -> (ArrayView<'static>, ArrayViewMut<'static>) {
        // SAFETY: `first` and the layout address elements inside `words` (as for `view`);
        // the caller's contract covers the aliasing and the lifetime.
        unsafe {
            let p = (self.words.as_mut_ptr() as *mut u8).add(self.first);
            (
                ArrayView::from_raw_parts(p, self.dtype, &self.shape, &self.strides),
                ArrayViewMut::from_raw_parts(p, self.dtype, &self.shape, &self.strides),
            )
        }
    }

    /// The writable view of the logical array (the layout must be [`Layout::writable`]).
    pub fn view_mut(&mut self) -> ArrayViewMut<'_> {
        // SAFETY: as for `view`; `self` is borrowed exclusively, and writable layouts
        // address every element once.
        unsafe {
            ArrayViewMut::from_raw_parts(
                (self.words.as_mut_ptr() as *mut u8).add(self.first),
                self.dtype,
                &self.shape,
                &self.strides,
            )
        }
    }

    /// The logical elements' bytes, C order, as an array.
    pub fn to_array(&self) -> Array {
        let size = self.dtype.size();
        let nd = self.shape.len();
        let len: usize = self.shape.iter().product();
        let c: Vec<usize> = (0..nd)
            .map(|a| self.shape[a + 1..].iter().product())
            .collect();
        let bytes = bytes(&self.words);
        let mut out = Vec::with_capacity(len * size);
        for flat in 0..len {
            let off = self.first as isize
                + (0..nd)
                    .map(|a| (flat / c[a] % self.shape[a]) as isize * self.strides[a])
                    .sum::<isize>();
            out.extend_from_slice(&bytes[off as usize..off as usize + size]);
        }
        Array::from_bytes(&out, self.dtype, &self.shape).expect("sizes agree")
    }

    /// The raw storage, to check that a call left it alone.
    pub fn raw(&self) -> &[u64] {
        &self.words
    }
}

fn bytes(words: &[u64]) -> &[u8] {
    // SAFETY: u8 has alignment 1 and every bit pattern is a valid u8.
    unsafe { std::slice::from_raw_parts(words.as_ptr() as *const u8, words.len() * 8) }
}

fn bytes_mut(words: &mut [u64]) -> &mut [u8] {
    // SAFETY: as in `bytes`; u64 has no invalid bit patterns either.
    unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, words.len() * 8) }
}
