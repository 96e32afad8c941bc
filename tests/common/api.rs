//! Building jitex inputs from [`Scalar`]s and reading results back, through the public
//! runtime API. Not declared in `common/mod.rs`: only the end-to-end tests include it.

use jitex::{Array, ArrayView, DType, Scalar};

/// An owned, 8-byte-aligned buffer holding `len` logical elements of one dtype, laid out
/// `|step|` elements apart (reversed when `step < 0`), so views of any stride can be made.
pub struct Buffer {
    words: Vec<u64>,
    dtype: DType,
    len: usize,
    step: isize,
}

impl Buffer {
    /// Stores `values` (cast to `dtype`) with the given element step (`±1`, `2`, …).
    pub fn new(dtype: DType, values: &[Scalar], step: isize) -> Buffer {
        let step = if step == 0 { 1 } else { step };
        let size = dtype.size();
        let len = values.len();
        let slots = (len * step.unsigned_abs()).max(1);
        let mut words = vec![0u64; (slots * size).div_ceil(8)];
        let bytes = bytes_mut(&mut words);
        for (i, v) in values.iter().enumerate() {
            let at = Self::slot(len, step, i) * size;
            v.cast(dtype).write(&mut bytes[at..at + size]);
        }
        Buffer {
            words,
            dtype,
            len,
            step,
        }
    }

    /// The physical slot of logical element `i`.
    fn slot(len: usize, step: isize, i: usize) -> usize {
        if step > 0 {
            i * step as usize
        } else {
            (len - 1 - i) * step.unsigned_abs()
        }
    }

    /// A 1-d view of the logical elements, with byte stride `step * size`.
    pub fn view(&self) -> ArrayView<'_> {
        let size = self.dtype.size();
        let first = if self.len == 0 {
            0
        } else {
            Self::slot(self.len, self.step, 0) * size
        };
        let base = self.words.as_ptr() as *const u8;
        // SAFETY: every element `first + i*stride` for i < len lies inside `words`, which
        // outlives the view (the view borrows `self`).
        unsafe {
            ArrayView::from_raw_parts(
                base.add(first),
                self.dtype,
                &[self.len],
                &[self.step * size as isize],
            )
        }
    }
}

fn bytes_mut(words: &mut [u64]) -> &mut [u8] {
    let n = words.len() * 8;
    // SAFETY: u64 has no invalid bit patterns and u8 has alignment 1.
    unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, n) }
}

/// Every element of a result array, in order.
pub fn read_all(a: &Array) -> Vec<Scalar> {
    let dtype = a.dtype();
    let size = dtype.size();
    a.as_bytes()
        .chunks_exact(size)
        .map(|c| Scalar::read(dtype, c))
        .collect()
}
