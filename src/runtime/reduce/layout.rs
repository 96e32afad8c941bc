//! The reduction's sweep: the result shape, and how the reduced elements of each output are
//! laid out in memory (a strided run, all elements of an n-d view, or rows of a tile).

use super::seq::{Nd, Run, StrideAt};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::ArrayView;

/// What the reduction reads.
#[derive(Debug)]
pub(super) enum Sweep {
    /// `axis = None`: one output from every element in C order.
    All {
        /// The element count.
        len: usize,
        /// The elements, as one run when the axes collapse to one, else n-d.
        src: AllSrc,
    },
    /// A reduction along one axis.
    Axis(AxisSweep),
}

/// The elements of an `axis = None` reduction.
#[derive(Debug)]
pub(super) enum AllSrc {
    /// A single strided run (contiguous, reversed, broadcast, 0-d, …).
    Run(Run),
    /// Axes that do not collapse.
    Nd(Nd),
}

/// A reduction along one axis.
#[derive(Debug)]
pub(super) struct AxisSweep {
    /// Element `[0, …, 0]` of the source.
    pub ptr: *const u8,
    /// Extent of the reduced axis.
    pub len: usize,
    /// Byte stride of the reduced axis.
    pub stride: isize,
    /// `(extent, byte stride)` of each output axis, in output (C) order.
    pub outer: Vec<(usize, isize)>,
    /// The output axis to vectorise across (an index into `outer`), when stepping along it
    /// is cheaper than along the reduced axis: then outputs are computed a tile of rows at
    /// a time.
    pub lane: Option<usize>,
}

impl AxisSweep {
    /// Whether output axis `lane` steps by exactly one element of `size` bytes: each row of
    /// a tile along it is contiguous.
    pub fn unit_lane(&self, lane: usize, size: usize) -> bool {
        self.outer[lane].1 == size as isize
    }
}

// SAFETY: a sweep only describes shared, immutable elements (see `ArrayView`).
unsafe impl Sync for AxisSweep {}
// SAFETY: as above.
unsafe impl Send for AxisSweep {}

impl Sweep {
    /// The reduced length of each output.
    pub fn reduced_len(&self) -> usize {
        match self {
            Sweep::All { len, .. } => *len,
            Sweep::Axis(a) => a.len,
        }
    }
}

/// How reducing `src` over `axis` (`None`: every element) walks it; returns the sweep and the result
/// shape.
pub(super) fn sweep(src: &ArrayView, axis: Option<usize>) -> Result<(Sweep, Vec<usize>)> {
    let (shape, strides) = (src.shape(), src.strides());
    let Some(axis) = axis else {
        let len = src.len();
        return Ok((
            Sweep::All {
                len,
                src: collapse(src),
            },
            Vec::new(),
        ));
    };
    if axis >= shape.len() {
        return Err(Error::new(
            ErrorKind::Value,
            format!(
                "axis {axis} is out of bounds for array of dimension {}",
                shape.len()
            ),
        ));
    }
    let outer: Vec<(usize, isize)> = (0..shape.len())
        .filter(|&a| a != axis)
        .map(|a| (shape[a], strides[a]))
        .collect();
    let out_shape = outer.iter().map(|&(n, _)| n).collect();
    let stride = strides[axis];
    // The lane: the output axis with the smallest nonzero step, if smaller than the
    // reduced axis's step. Extent-1 axes have nothing to vectorise.
    let lane = outer
        .iter()
        .enumerate()
        .filter(|(_, &(n, s))| n > 1 && s != 0)
        .min_by_key(|(_, &(_, s))| s.unsigned_abs())
        .filter(|(_, &(_, s))| s.unsigned_abs() < stride.unsigned_abs())
        .map(|(i, _)| i);
    Ok((
        Sweep::Axis(AxisSweep {
            ptr: src.as_ptr(),
            len: shape[axis],
            stride,
            outer,
            lane,
        }),
        out_shape,
    ))
}

/// The elements of `src` in C order as one run if the axes merge, else as n-d axes.
fn collapse(src: &ArrayView) -> AllSrc {
    let mut dims: Vec<(usize, isize)> = Vec::new();
    for (&n, &s) in src.shape().iter().zip(src.strides()) {
        if n == 1 {
            continue;
        }
        match dims.last_mut() {
            // An outer axis that steps exactly over the inner one merges with it.
            Some(last) if last.1 == s.wrapping_mul(n as isize) && n > 0 && last.0 > 0 => {
                last.0 *= n;
                last.1 = s;
            }
            _ => dims.push((n, s)),
        }
    }
    match dims.as_slice() {
        [] => AllSrc::Run(Run(StrideAt {
            ptr: src.as_ptr(),
            stride: 0,
        })),
        [(_, s)] => AllSrc::Run(Run(StrideAt {
            ptr: src.as_ptr(),
            stride: *s,
        })),
        _ => AllSrc::Nd(Nd {
            ptr: src.as_ptr(),
            dims,
        }),
    }
}
