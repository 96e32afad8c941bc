//! Prints result arrays the way NumPy's `str()` does: nested brackets, right-aligned
//! columns, and `...` in place of the middle of arrays of more than 1000 elements.

use jitex::{DType, Scalar};

/// Arrays with more elements than this are summarised (NumPy's default `threshold`).
const THRESHOLD: usize = 1000;
/// Elements shown at each end of a summarised axis (NumPy's default `edgeitems`).
const EDGE: usize = 3;

/// Formats a C-contiguous, native-endian array.
///
/// `data` must hold `product(shape) * dtype.size()` bytes.
pub fn format_array(dtype: DType, shape: &[usize], data: &[u8]) -> String {
    let len: usize = shape.iter().product();
    debug_assert_eq!(data.len(), len * dtype.size());
    if shape.contains(&0) {
        return "[]".to_owned();
    }
    let summarise = len > THRESHOLD;
    // C-order element strides, to find the flat index of a multi-index.
    let mut strides = vec![1usize; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        strides[k] = strides[k + 1] * shape[k + 1];
    }
    let size = dtype.size();
    let element = |i: usize| {
        let bytes = &data[i * size..(i + 1) * size];
        if dtype.is_string() {
            crate::repr::string_element(dtype, bytes)
        } else {
            format_scalar(Scalar::read(dtype, bytes))
        }
    };
    // First pass: the width of the widest shown element, so columns line up.
    // NumPy aligns numbers, not strings.
    let mut width = 0;
    if !dtype.is_string() {
        for_each_shown(shape, &strides, summarise, 0, 0, &mut |i| {
            width = width.max(element(i).len())
        });
    }
    let mut out = String::new();
    write_axis(&mut out, shape, &strides, summarise, 0, 0, width, &element);
    out
}

/// One element as NumPy would write it in a list (`True`, `3`, `0.5`, `nan`, `inf`).
pub fn format_scalar(v: Scalar) -> String {
    match v {
        Scalar::F32(x) if !x.is_finite() => non_finite(x.into()),
        Scalar::F64(x) if !x.is_finite() => non_finite(x),
        other => other.to_string(),
    }
}

fn non_finite(x: f64) -> String {
    match (x.is_nan(), x > 0.0) {
        (true, _) => "nan".into(),
        (false, true) => "inf".into(),
        (false, false) => "-inf".into(),
    }
}

/// The indices shown along an axis of length `n`.
fn shown(n: usize, summarise: bool) -> Vec<Option<usize>> {
    if summarise && n > 2 * EDGE {
        (0..EDGE)
            .map(Some)
            .chain([None])
            .chain((n - EDGE..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    }
}

fn for_each_shown(
    shape: &[usize],
    strides: &[usize],
    summarise: bool,
    axis: usize,
    base: usize,
    f: &mut dyn FnMut(usize),
) {
    if axis == shape.len() {
        return f(base);
    }
    for i in shown(shape[axis], summarise).into_iter().flatten() {
        for_each_shown(
            shape,
            strides,
            summarise,
            axis + 1,
            base + i * strides[axis],
            f,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn write_axis(
    out: &mut String,
    shape: &[usize],
    strides: &[usize],
    summarise: bool,
    axis: usize,
    base: usize,
    width: usize,
    element: &dyn Fn(usize) -> String,
) {
    if axis == shape.len() {
        out.push_str(&format!("{:>width$}", element(base)));
        return;
    }
    out.push('[');
    let last_axis = axis + 1 == shape.len();
    // Between rows: a newline per remaining axis, then indentation under the bracket.
    let separator = if last_axis {
        " ".to_owned()
    } else {
        format!(
            "{}{}",
            "\n".repeat(shape.len() - axis - 1),
            " ".repeat(axis + 1)
        )
    };
    for (k, i) in shown(shape[axis], summarise).into_iter().enumerate() {
        if k > 0 {
            out.push_str(&separator);
        }
        match i {
            Some(i) => write_axis(
                out,
                shape,
                strides,
                summarise,
                axis + 1,
                base + i * strides[axis],
                width,
                element,
            ),
            None => out.push_str("..."),
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f64_bytes(v: &[f64]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_ne_bytes()).collect()
    }

    fn i32_bytes(v: impl IntoIterator<Item = i32>) -> Vec<u8> {
        v.into_iter().flat_map(|x| x.to_ne_bytes()).collect()
    }

    #[test]
    fn one_d_and_zero_d() {
        assert_eq!(
            format_array(DType::F64, &[3], &f64_bytes(&[1.0, 2.5, -3.0])),
            "[ 1.0  2.5 -3.0]"
        );
        assert_eq!(format_array(DType::I32, &[], &i32_bytes([7])), "7");
        assert_eq!(format_array(DType::Bool, &[2], &[1, 0]), "[ True False]");
    }

    #[test]
    fn strings_are_reprs_unaligned() {
        assert_eq!(
            format_array(DType::Bytes(3), &[2], b"a\0\0abc"),
            "[b'a' b'abc']"
        );
        assert_eq!(format_array(DType::Bytes(3), &[], b"ab\0"), "b'ab'");
        let u: Vec<u8> = ['x', 'é', 'y', '\0']
            .iter()
            .flat_map(|&c| (c as u32).to_ne_bytes())
            .collect();
        assert_eq!(format_array(DType::Str(2), &[2], &u), "['xé' 'y']");
    }

    #[test]
    fn nested_rows_are_indented_and_blocks_separated() {
        assert_eq!(
            format_array(DType::I32, &[2, 3], &i32_bytes(0..6)),
            "[[0 1 2]\n [3 4 5]]"
        );
        assert_eq!(
            format_array(DType::I32, &[2, 2, 2], &i32_bytes(0..8)),
            "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]"
        );
    }

    #[test]
    fn large_arrays_are_summarised_like_numpy() {
        assert_eq!(
            format_array(DType::I32, &[2000], &i32_bytes(0..2000)),
            "[   0    1    2 ... 1997 1998 1999]"
        );
        let s = format_array(DType::I32, &[100, 100], &i32_bytes(0..10000));
        assert_eq!(s.lines().count(), 7);
        assert!(
            s.starts_with("[[   0    1    2 ...   97   98   99]\n"),
            "{s}"
        );
        assert!(s.contains("\n ...\n"), "{s}");
        // At the threshold nothing is elided.
        assert!(!format_array(DType::I32, &[1000], &i32_bytes(0..1000)).contains("..."));
    }

    #[test]
    fn empty_and_non_finite() {
        assert_eq!(format_array(DType::F64, &[0, 3], &[]), "[]");
        assert_eq!(
            format_array(
                DType::F64,
                &[3],
                &f64_bytes(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY])
            ),
            "[ nan  inf -inf]"
        );
    }
}
