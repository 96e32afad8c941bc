//! NumPy broadcasting of shapes and strides, and collapsing of dimensions so that kernels
//! see the longest possible inner loop.

/// Two shapes that do not broadcast: operand `index` (in the order given) clashed with the
/// shape accumulated from the operands before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BroadcastError {
    /// Index of the offending operand.
    pub index: usize,
    /// The broadcast shape of the operands before it.
    pub before: Vec<usize>,
    /// Its own shape.
    pub shape: Vec<usize>,
}

/// The NumPy broadcast of `shapes`: right-aligned, each axis either equal or 1.
pub(crate) fn broadcast_shapes<'s>(
    shapes: impl IntoIterator<Item = &'s [usize]>,
) -> Result<Vec<usize>, BroadcastError> {
    let mut out: Vec<usize> = Vec::new();
    for (index, shape) in shapes.into_iter().enumerate() {
        if shape.len() > out.len() {
            let extra = shape.len() - out.len();
            let mut grown = vec![1; extra];
            grown.extend_from_slice(&out);
            out = grown;
        }
        let off = out.len() - shape.len();
        // Check first so that a failed broadcast reports the shape before this operand.
        let clash = shape
            .iter()
            .zip(&out[off..])
            .any(|(&d, &o)| d != o && d != 1 && o != 1);
        if clash {
            return Err(BroadcastError {
                index,
                before: out,
                shape: shape.to_vec(),
            });
        }
        for (o, &d) in out[off..].iter_mut().zip(shape) {
            if *o == 1 {
                *o = d;
            }
        }
    }
    Ok(out)
}

/// Byte strides of an operand viewed with the broadcast shape `out_shape`: its own strides,
/// right-aligned, with 0 on every axis it is broadcast along (missing or of extent 1).
///
/// `shape` must broadcast to `out_shape`.
pub(crate) fn broadcast_strides(
    shape: &[usize],
    strides: &[isize],
    out_shape: &[usize],
) -> Vec<isize> {
    debug_assert!(shape.len() <= out_shape.len());
    let off = out_shape.len() - shape.len();
    let mut s = vec![0isize; out_shape.len()];
    for (i, (&d, &st)) in shape.iter().zip(strides).enumerate() {
        if d != 1 {
            s[off + i] = st;
        }
    }
    s
}

/// A shape with per-operand strides after collapsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Collapsed {
    /// At least one axis; the last is the kernel's inner loop.
    pub shape: Vec<usize>,
    /// `strides[op][axis]`, one row per operand.
    pub strides: Vec<Vec<isize>>,
}

/// Drops axes of extent 1 and merges each axis into the one outside it when every operand
/// steps through both as through one (`outer stride == inner stride × inner extent`).
///
/// A 0-d (or all-ones) shape becomes the 1-d shape `[1]` with zero strides.
pub(crate) fn collapse(shape: &[usize], strides: &[Vec<isize>]) -> Collapsed {
    let mut out_shape: Vec<usize> = Vec::with_capacity(shape.len());
    let mut out_strides: Vec<Vec<isize>> = vec![Vec::with_capacity(shape.len()); strides.len()];
    for (axis, &d) in shape.iter().enumerate() {
        if d == 1 {
            continue;
        }
        if let Some(prev) = out_shape.last_mut() {
            let mergeable = strides.iter().zip(&out_strides).all(|(s, o)| {
                let outer = *o.last().expect("operand has a stride per kept axis");
                s[axis].checked_mul(d as isize) == Some(outer)
            });
            if mergeable {
                if let Some(merged) = prev.checked_mul(d) {
                    *prev = merged;
                    for (s, o) in strides.iter().zip(out_strides.iter_mut()) {
                        *o.last_mut().expect("kept axis") = s[axis];
                    }
                    continue;
                }
            }
        }
        out_shape.push(d);
        for (s, o) in strides.iter().zip(out_strides.iter_mut()) {
            o.push(s[axis]);
        }
    }
    if out_shape.is_empty() {
        out_shape.push(1);
        for o in &mut out_strides {
            o.push(0);
        }
    }
    Collapsed {
        shape: out_shape,
        strides: out_strides,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasts_like_numpy() {
        let s = broadcast_shapes([&[3usize, 1][..], &[4][..], &[][..]]).unwrap();
        assert_eq!(s, vec![3, 4]);
        let s = broadcast_shapes([&[2usize, 1, 5][..], &[3, 1][..]]).unwrap();
        assert_eq!(s, vec![2, 3, 5]);
        let s = broadcast_shapes([&[0usize][..], &[1][..]]).unwrap();
        assert_eq!(s, vec![0]);
        assert_eq!(
            broadcast_shapes(std::iter::empty::<&[usize]>()).unwrap(),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn reports_the_clashing_operand() {
        let e = broadcast_shapes([&[3usize][..], &[1][..], &[4][..]]).unwrap_err();
        assert_eq!(e.index, 2);
        assert_eq!(e.before, vec![3]);
        assert_eq!(e.shape, vec![4]);
        let e = broadcast_shapes([&[2usize, 3][..], &[3, 3][..]]).unwrap_err();
        assert_eq!(e.index, 1);
    }

    #[test]
    fn strides_are_zero_on_broadcast_axes() {
        assert_eq!(
            broadcast_strides(&[3, 1], &[8, 8], &[2, 3, 4]),
            vec![0, 8, 0]
        );
        assert_eq!(broadcast_strides(&[], &[], &[5]), vec![0]);
    }

    #[test]
    fn collapses_contiguous_axes() {
        // Two C-contiguous f64 operands of shape (2, 3, 4) collapse to one axis of 24.
        let s = vec![96isize, 32, 8];
        let c = collapse(&[2, 3, 4], &[s.clone(), s]);
        assert_eq!(c.shape, vec![24]);
        assert_eq!(c.strides, vec![vec![8], vec![8]]);
    }

    #[test]
    fn keeps_axes_that_an_operand_breaks() {
        // The second operand is a row broadcast along axis 0: axes cannot merge.
        let c = collapse(&[3, 4], &[vec![32, 8], vec![0, 8]]);
        assert_eq!(c.shape, vec![3, 4]);
        assert_eq!(c.strides, vec![vec![32, 8], vec![0, 8]]);
        // Operands broadcast along both axes (stride 0 everywhere) merge them.
        let c = collapse(&[3, 4], &[vec![0, 0], vec![0, 0]]);
        assert_eq!(c.shape, vec![12]);
        assert_eq!(c.strides, vec![vec![0], vec![0]]);
    }

    #[test]
    fn drops_unit_axes_and_handles_0d() {
        let c = collapse(&[1, 5, 1], &[vec![40, 8, 8]]);
        assert_eq!(c.shape, vec![5]);
        assert_eq!(c.strides, vec![vec![8]]);
        let c = collapse(&[], &[vec![], vec![]]);
        assert_eq!(c.shape, vec![1]);
        assert_eq!(c.strides, vec![vec![0], vec![0]]);
    }

    #[test]
    fn strided_and_transposed_do_not_merge_wrongly() {
        // A transposed (3, 2) view of a C-order (2, 3) array: strides (8, 24).
        let c = collapse(&[3, 2], &[vec![8, 24], vec![16, 8]]);
        assert_eq!(c.shape, vec![3, 2]);
        // A stepped 2-d view: axis 0 stride 64 = 2 × (4 × 8), not mergeable.
        let c = collapse(&[2, 4], &[vec![64, 8]]);
        assert_eq!(c.shape, vec![2, 4]);
    }
}
