//! The fused reduction (`fused.rs`, `slabs.rs`) against the reduction of the materialised
//! argument: identical bits (or the same error) for every op and dtype, lengths around the
//! block and tree boundaries, every layout of the source, axis and no axis, threads
//! 1/2/4, forced parallel paths and tiny slabs.

use super::super::drive::Tuning;
use super::super::fused::{reduce_fused_tuned, Source, BLOCK_BYTES};
use super::super::{Dst, Reduced};
use super::data::{random, Layout, Rng, Stored};
use super::{bits, dtypes, nan_canonical, reduce, EAGER};
use crate::ir::ReduceOp;
use crate::runtime::ArrayView;
use crate::types::{DType, Scalar};

/// A source that computes its elements by copying them, in C order, from a view of any
/// layout (the stand-in for a compiled argument).
struct Copying<'a> {
    view: ArrayView<'a>,
    parallel_from: usize,
}

// SAFETY: the view's elements are shared and never written.
unsafe impl Sync for Copying<'_> {}

impl Source for Copying<'_> {
    fn shape(&self) -> &[usize] {
        self.view.shape()
    }

    fn dtype(&self) -> DType {
        self.view.dtype()
    }

    fn parallel_from(&self) -> usize {
        self.parallel_from
    }

    unsafe fn fill(&self, lo: usize, n: usize, dst: *mut u8) {
        let (shape, strides) = (self.view.shape(), self.view.strides());
        let size = self.view.dtype().size();
        for k in 0..n {
            let (mut rem, mut off) = (lo + k, 0isize);
            for a in (0..shape.len()).rev() {
                off += (rem % shape[a]) as isize * strides[a];
                rem /= shape[a];
            }
            // SAFETY: element `lo + k` is within the view; `dst` has room for `n`.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    self.view.as_ptr().offset(off),
                    dst.add(k * size),
                    size,
                )
            };
        }
    }
}

/// Checks every op, axis and thread count of `stored` fused against materialised (the bits
/// of a float sum's NaN aside, see [`nan_canonical`]).
fn agree(stored: &Stored, what: &str) {
    let v = stored.view();
    let src = Copying {
        view: v.clone(),
        parallel_from: 1,
    };
    let axes = std::iter::once(None).chain((0..v.ndim()).map(Some));
    for axis in axes {
        for op in ReduceOp::ALL {
            let want = bits(reduce(&v, op, axis, 1)).map(|b| nan_canonical(b, op, v.dtype()));
            let runs: [(usize, Tuning, usize); 5] = [
                (1, Tuning::DEFAULT, 1 << 20),
                (2, EAGER, 1 << 20),
                (4, EAGER, 64),
                (2, EAGER, 1),
                (4, Tuning::DEFAULT, 4096),
            ];
            for (threads, tuning, slab) in runs {
                let got = reduce_fused_tuned(&src, op, axis, threads, tuning, slab, Dst::New);
                let got = match got.and_then(|r| r.map(Reduced::into_array).transpose()) {
                    Ok(Some(a)) => {
                        // The same run into garbage-filled caller bytes leaves the same
                        // bytes (a float sum's NaN bits aside: which NaN a sum keeps may
                        // depend on how the threads met).
                        let mut b = vec![0xa5u8; a.as_bytes().len()];
                        let into = Dst::Bytes(&mut b);
                        let r = reduce_fused_tuned(&src, op, axis, threads, tuning, slab, into);
                        assert!(matches!(r, Ok(Some(Reduced::Written))), "{what} {op:?}");
                        let a = nan_canonical(a.as_bytes().to_vec(), op, v.dtype());
                        let b = nan_canonical(b, op, v.dtype());
                        assert!(b == a, "{what} {op:?} axis={axis:?} into bytes");
                        Ok(a)
                    }
                    // Too wide for slabs of this size: the caller materialises.
                    Ok(None) => {
                        assert!(axis.is_some(), "{what}: `None` only for axes");
                        continue;
                    }
                    Err(e) => Err(e.kind),
                };
                assert!(
                    got == want,
                    "{what} {op:?} axis={axis:?} threads={threads} slab={slab}"
                );
            }
        }
    }
}

#[test]
fn every_op_and_dtype_at_block_and_tree_boundaries() {
    let mut rng = Rng::new(11);
    for dtype in dtypes() {
        let block = BLOCK_BYTES / dtype.size();
        let lens = [
            0,
            1,
            7,
            129,
            block - 1,
            block,
            block + 1,
            2 * block - 8,
            2 * block + 9,
            5 * block + 3,
        ];
        for len in lens {
            let xs = random(&mut rng, dtype, &[len], None, false);
            for layout in [Layout::C, Layout::Reversed, Layout::Gap(3)] {
                let stored = Stored::new(dtype, &[len], &xs, layout);
                agree(&stored, &format!("{dtype} [{len}] {layout:?}"));
            }
        }
    }
}

#[test]
fn two_and_three_axes_in_every_layout() {
    let mut rng = Rng::new(12);
    let shapes: [&[usize]; 6] = [
        &[3, 700],
        &[700, 3],
        &[40, 65],
        &[1, 5000],
        &[6, 0, 4],
        &[5, 33, 21],
    ];
    for dtype in [DType::F64, DType::F32, DType::C128, DType::I16, DType::Bool] {
        for shape in shapes {
            let xs = random(&mut rng, dtype, shape, None, false);
            for layout in [Layout::C, Layout::F, Layout::Reversed, Layout::Bcast(0)] {
                let xs = if let Layout::Bcast(b) = layout {
                    random(&mut rng, dtype, shape, Some(b), false)
                } else {
                    xs.clone()
                };
                let stored = Stored::new(dtype, shape, &xs, layout);
                agree(&stored, &format!("{dtype} {shape:?} {layout:?}"));
            }
        }
    }
}

#[test]
fn sparse_inputs_for_any_and_all() {
    let mut rng = Rng::new(13);
    for dtype in [DType::F64, DType::U8, DType::Bool, DType::C64] {
        for shape in [&[9000usize][..], &[30, 300]] {
            let xs = random(&mut rng, dtype, shape, None, true);
            let stored = Stored::new(dtype, shape, &xs, Layout::C);
            agree(&stored, &format!("sparse {dtype} {shape:?}"));
        }
    }
}

#[test]
fn the_first_nan_wins_across_blocks() {
    for dtype in [DType::F32, DType::F64] {
        let len = 3 * BLOCK_BYTES / dtype.size() + 17;
        let mut rng = Rng::new(14);
        for at in [[0, 5], [100, 2 * len / 3], [len / 3 + 1, len - 1]] {
            let mut xs = random(&mut rng, dtype, &[len], None, false);
            for (k, &i) in at.iter().enumerate() {
                let k = k as u64 + 1;
                xs[i] = match dtype {
                    DType::F32 => Scalar::F32(f32::from_bits(0x7fc0_0000 | k as u32)),
                    _ => Scalar::F64(f64::from_bits(0xfff8_0000_0000_0000 | k)),
                };
            }
            let stored = Stored::new(dtype, &[len], &xs, Layout::C);
            agree(&stored, &format!("NaNs at {at:?} {dtype}"));
        }
    }
}
