//! Test data: random elements of every dtype, and one logical
//! array laid out in memory several ways (C, Fortran, gaps, reversed, broadcast).

use crate::runtime::ArrayView;
use crate::types::{Complex32, Complex64, DType, Scalar};

pub use crate::testkit::Rng;

/// A float of either sign with a magnitude in `[2^-9, 2^9)`, or (one in 25) a zero.
fn float(rng: &mut Rng) -> f64 {
    match rng.below(50) {
        0 => -0.0,
        1 => 0.0,
        _ => {
            let m = rng.unit();
            let e = rng.below(17) as i32 - 8;
            let s = if rng.next_u64() & 1 == 0 { 1.0 } else { -1.0 };
            s * (0.5 + m) * 2f64.powi(e)
        }
    }
}

/// A random element of numeric `dtype`; with `sparse`, mostly zero.
pub fn element(rng: &mut Rng, dtype: DType, sparse: bool) -> Scalar {
    if sparse && rng.below(20) != 0 {
        return Scalar::Bool(false).cast(dtype);
    }
    match dtype {
        DType::F32 => Scalar::F32(float(rng) as f32),
        DType::F64 => Scalar::F64(float(rng)),
        DType::C64 => Scalar::C64(Complex32::new(float(rng) as f32, float(rng) as f32)),
        DType::C128 => Scalar::C128(Complex64::new(float(rng), float(rng))),
        // Half small values (sums stay readable), half any bits (wrapping).
        _ if rng.next_u64() & 1 == 0 => {
            Scalar::from_bits(dtype, (rng.below(11) as i64 - 5) as u64 as u128)
        }
        _ => Scalar::from_bits(dtype, rng.next_u64() as u128),
    }
}

/// How a logical array is stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layout {
    /// C order, contiguous.
    C,
    /// Fortran order (axis 0 fastest).
    F,
    /// C order with every element `k` slots apart.
    Gap(usize),
    /// C order, every axis reversed (negative strides).
    Reversed,
    /// Stride 0 along this axis (the data must be constant along it).
    Bcast(usize),
}

/// A logical array stored in some [`Layout`].
pub struct Stored {
    buf: Vec<u64>,
    base: usize,
    dtype: DType,
    shape: Vec<usize>,
    strides: Vec<isize>,
}

impl Stored {
    /// Stores `xs` (logical, C order, of `shape`) in `layout`.
    pub fn new(dtype: DType, shape: &[usize], xs: &[Scalar], layout: Layout) -> Stored {
        let nd = shape.len();
        let size = dtype.size();
        let gap = match layout {
            Layout::Gap(k) => k,
            _ => 1,
        };
        // Physical extents and the order in which axes are laid out (fastest last).
        let phys: Vec<usize> = (0..nd)
            .map(|a| match layout {
                Layout::Bcast(b) if a == b => 1,
                _ => shape[a],
            })
            .collect();
        let order: Vec<usize> = match layout {
            Layout::F => (0..nd).rev().collect(),
            _ => (0..nd).collect(),
        };
        let mut pstride = vec![0usize; nd];
        let mut step = gap;
        for &a in order.iter().rev() {
            pstride[a] = step;
            step *= phys[a].max(1);
        }
        let total: usize = phys.iter().product::<usize>() * gap;
        let rev = layout == Layout::Reversed;
        let len: usize = shape.iter().product();
        let mut strides = vec![0isize; nd];
        let mut base = 0usize;
        for a in 0..nd {
            strides[a] = match layout {
                Layout::Bcast(b) if a == b => 0,
                _ if rev => -((pstride[a] * size) as isize),
                _ => (pstride[a] * size) as isize,
            };
            if rev && len > 0 {
                base += (shape[a] - 1) * pstride[a] * size;
            }
        }
        let mut buf = vec![0u64; (total * size).div_ceil(8) + 1];
        {
            // SAFETY: `buf` holds `total * size` bytes and more.
            let bytes = unsafe {
                std::slice::from_raw_parts_mut(buf.as_mut_ptr() as *mut u8, buf.len() * 8)
            };
            let mut idx = vec![0usize; nd];
            for x in xs {
                let mut off = 0;
                for a in 0..nd {
                    let i = match layout {
                        Layout::Bcast(b) if a == b => 0,
                        _ if rev => shape[a] - 1 - idx[a],
                        _ => idx[a],
                    };
                    off += i * pstride[a];
                }
                x.write(&mut bytes[off * size..]);
                for a in (0..nd).rev() {
                    idx[a] += 1;
                    if idx[a] < shape[a] {
                        break;
                    }
                    idx[a] = 0;
                }
            }
        }
        Stored {
            buf,
            base,
            dtype,
            shape: shape.to_vec(),
            strides,
        }
    }

    /// The view of the logical array.
    pub fn view(&self) -> ArrayView<'_> {
        // SAFETY: every index within `shape` addresses an element written by `new`, and
        // the buffer is 8-byte aligned and lives as long as the view.
        unsafe {
            ArrayView::from_raw_parts(
                (self.buf.as_ptr() as *const u8).add(self.base),
                self.dtype,
                &self.shape,
                &self.strides,
            )
        }
    }
}

/// Random logical data of `shape` (C order); constant along `bcast` if given.
pub fn random(
    rng: &mut Rng,
    dtype: DType,
    shape: &[usize],
    bcast: Option<usize>,
    sparse: bool,
) -> Vec<Scalar> {
    let len: usize = shape.iter().product();
    let Some(b) = bcast else {
        return (0..len).map(|_| element(rng, dtype, sparse)).collect();
    };
    let mut small = shape.to_vec();
    small[b] = 1;
    let base = random(rng, dtype, &small, None, sparse);
    (0..len)
        .map(|flat| {
            // Drop the index along `b` and look it up in the smaller array.
            let (mut rem, mut off, mut step) = (flat, 0, 1);
            for a in (0..shape.len()).rev() {
                let i = rem % shape[a];
                rem /= shape[a];
                if a != b {
                    off += i * step;
                    step *= shape[a];
                }
            }
            base[off]
        })
        .collect()
}

/// The logical elements reduced into each output of an `axis` reduction, outputs in C order.
pub fn lanes(shape: &[usize], xs: &[Scalar], axis: Option<usize>) -> Vec<Vec<Scalar>> {
    let Some(axis) = axis else {
        return vec![xs.to_vec()];
    };
    let out: Vec<usize> = (0..shape.len()).filter(|&a| a != axis).collect();
    let n_out: usize = out.iter().map(|&a| shape[a]).product();
    let c: Vec<usize> = (0..shape.len())
        .map(|a| shape[a + 1..].iter().product())
        .collect();
    (0..n_out)
        .map(|o| {
            let mut rem = o;
            let mut off = 0;
            for &a in out.iter().rev() {
                off += (rem % shape[a]) * c[a];
                rem /= shape[a];
            }
            (0..shape[axis]).map(|i| xs[off + i * c[axis]]).collect()
        })
        .collect()
}
