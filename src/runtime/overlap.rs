//! The one overlap check between a call's inputs and its outputs, on views.
//!
//! An output may be an input's very same elements walked in the very same order (an
//! in-place update): each element is read before it is written, so the kernel may run
//! directly. Any other overlap would let the kernel read elements it already overwrote,
//! so the call is computed into temporaries first. The general path checks a call once
//! ([`needs_temporaries`]); the remembered-call path precomputes each input's [`extent`] and
//! [`same_walk`] answer and repeats only the pointer comparisons ([`conflicts`]).

use super::broadcast::broadcast_strides;
use super::{Arg, ArrayView, ArrayViewMut};
use crate::types::DType;

/// The byte range `[lo, hi)` a non-empty view spans, relative to its first element.
pub(crate) fn extent(shape: &[usize], strides: &[isize], size: usize) -> (isize, isize) {
    let (mut lo, mut hi) = (0i128, size as i128);
    for (&d, &s) in shape.iter().zip(strides) {
        let span = (d as i128 - 1) * s as i128;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    // Views address real memory, so these fit; clamping only keeps absurd raw views sane.
    let clamp = |x: i128| x.clamp(isize::MIN as i128, isize::MAX as i128) as isize;
    (clamp(lo), clamp(hi))
}

/// Whether an input whose strides, broadcast to `shape`, are `in_strides` visits its
/// elements in the order an output of strides `out_strides` does (axes of extent 1 aside).
fn walks_like(in_strides: &[isize], out_strides: &[isize], shape: &[usize]) -> bool {
    in_strides
        .iter()
        .zip(out_strides)
        .zip(shape)
        .all(|((a, b), &d)| d == 1 || a == b)
}

/// Whether input `v` may be updated in place as an output of `out_dtype` and `out_strides`
/// over `shape`: same dtype, and it [`walks_like`] the output once broadcast.
pub(crate) fn same_walk(
    v: &ArrayView,
    out_dtype: DType,
    out_strides: &[isize],
    shape: &[usize],
) -> bool {
    v.dtype() == out_dtype
        && walks_like(
            &broadcast_strides(v.shape(), v.strides(), shape),
            out_strides,
            shape,
        )
}

/// Whether an input at `p` spanning `ext` conflicts with an output at `o` spanning
/// `out_ext`: it overlaps, and not as the output's very same elements (`same_walk`: same
/// dtype and [`walks_like`], and an in-place update allowed).
#[inline]
pub(crate) fn conflicts(
    p: isize,
    ext: (isize, isize),
    o: isize,
    out_ext: (isize, isize),
    same_walk: bool,
) -> bool {
    let (lo, hi) = (p.wrapping_add(ext.0), p.wrapping_add(ext.1));
    let (olo, ohi) = (o.wrapping_add(out_ext.0), o.wrapping_add(out_ext.1));
    let disjoint = lo >= ohi || olo >= hi;
    !(disjoint || (same_walk && p == o))
}

/// Whether a call of `shape` reading the caller's inputs `args` (indices into `inputs`)
/// and writing the non-empty `outs` must compute into temporaries: some input overlaps an
/// output other than as its very same elements in the same order. With several outputs,
/// a string output may not even be updated in place: its copy reads the input only when
/// it is stored, after the outputs before it.
pub(crate) fn needs_temporaries(
    inputs: &[(&str, Arg)],
    args: &[usize],
    shape: &[usize],
    outs: &[ArrayViewMut],
) -> bool {
    let several = outs.len() > 1;
    outs.iter().any(|out| {
        let o = out.raw_ptr() as isize;
        let out_ext = extent(out.shape(), out.strides(), out.dtype().size());
        let in_place_ok = !(several && out.dtype().is_string());
        args.iter().any(|&i| {
            let Arg::Array(v) = &inputs[i].1 else {
                return false;
            };
            let ext = extent(v.shape(), v.strides(), v.dtype().size());
            let in_place = in_place_ok && same_walk(v, out.dtype(), out.strides(), shape);
            conflicts(v.as_ptr() as isize, ext, o, out_ext, in_place)
        })
    })
}

/// Whether `out` shares bytes with any of the caller's nonempty input arrays, in any
/// order: for a reduction written straight into `out`, which reads its inputs while it
/// writes, even an input's very same elements conflict.
pub(crate) fn touches_inputs(inputs: &[(&str, Arg)], out: &ArrayViewMut) -> bool {
    let o = out.raw_ptr() as isize;
    let out_ext = extent(out.shape(), out.strides(), out.dtype().size());
    inputs.iter().any(|(_, a)| match a {
        Arg::Array(v) if !v.is_empty() => {
            let ext = extent(v.shape(), v.strides(), v.dtype().size());
            conflicts(v.as_ptr() as isize, ext, o, out_ext, false)
        }
        _ => false,
    })
}

/// The first pair of outputs whose byte ranges intersect. Like `np.may_share_memory`,
/// this is conservative (interleaved views of one buffer count as overlapping): deciding
/// exact overlap of strided views is costly, and writing one element twice in one pass
/// would make the result depend on the order of stores.
pub(crate) fn overlapping_outputs(outs: &[ArrayViewMut]) -> Option<(usize, usize)> {
    let ranges: Vec<(isize, isize)> = outs
        .iter()
        .map(|o| {
            let p = o.raw_ptr() as isize;
            let (lo, hi) = extent(o.shape(), o.strides(), o.dtype().size());
            (p.wrapping_add(lo), p.wrapping_add(hi))
        })
        .collect();
    for (k, &(lo, hi)) in ranges.iter().enumerate() {
        if let Some(j) = ranges[..k].iter().position(|&(l, h)| lo < h && l < hi) {
            return Some((j, k));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extents() {
        assert_eq!(extent(&[3], &[8], 8), (0, 24));
        assert_eq!(extent(&[3], &[-8], 8), (-16, 8));
        assert_eq!(extent(&[], &[], 4), (0, 4));
        assert_eq!(extent(&[5, 2], &[0, 4], 4), (0, 8));
    }

    #[test]
    fn conflicts_only_when_not_the_same_elements() {
        // Disjoint ranges never conflict; the very same walk does not either.
        assert!(!conflicts(100, (0, 24), 200, (0, 24), false));
        assert!(!conflicts(100, (0, 24), 100, (0, 24), true));
        // Same range, other walk; and a shift by one element.
        assert!(conflicts(100, (0, 24), 100, (0, 24), false));
        assert!(conflicts(108, (0, 24), 100, (0, 24), true));
        // Touching ends do not overlap.
        assert!(!conflicts(124, (0, 24), 100, (0, 24), false));
    }
}
