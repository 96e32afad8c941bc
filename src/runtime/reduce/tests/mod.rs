//! Differential tests: every reduction × dtype × layout × length against the slow oracle
//! (bit for bit, the documented order included), float sums against a Kahan bound, and
//! identical bits for every thread count.

mod data;
mod fused;
mod oracle;
mod semantics;

use super::drive::Tuning;
use super::{reduce_to_tuned, Dst};
use crate::error::ErrorKind;
use crate::error::Result;
use crate::ir::ReduceOp;
use crate::runtime::{Array, ArrayView};
use crate::types::{DType, Scalar};
use data::{lanes, random, Layout, Rng, Stored};

const LENGTHS: [usize; 11] = [0, 1, 2, 7, 8, 9, 127, 128, 129, 1000, 100_003];

/// Every numeric dtype.
fn dtypes() -> Vec<DType> {
    DType::ALL.iter().chain(&DType::COMPLEX).copied().collect()
}

/// Forces every parallel path, and reading with prefetches, even on tiny inputs.
const EAGER: Tuning = Tuning {
    par_bytes: 0,
    rows_par_bytes: 0,
    cached_bytes: None,
    grain: 64,
    ahead_bytes: Some(0),
};

/// [`reduce_to`] a new array, for tests.
pub(super) fn reduce(
    src: &ArrayView,
    op: ReduceOp,
    axis: Option<usize>,
    threads: usize,
) -> Result<Array> {
    reduce_tuned(src, op, axis, threads, Tuning::DEFAULT)
}

/// [`reduce_to`] a new array with explicit parallel thresholds (tests force the parallel
/// paths with them). Every test that reduces through it also checks that the same
/// reduction into garbage-filled caller bytes leaves exactly the new array's bytes there.
pub(super) fn reduce_tuned(
    src: &ArrayView,
    op: ReduceOp,
    axis: Option<usize>,
    threads: usize,
    tuning: Tuning,
) -> Result<Array> {
    let new = reduce_to_tuned(src, op, axis, threads, tuning, Dst::New)?.into_array()?;
    let mut bytes = vec![0xa5u8; new.as_bytes().len()];
    reduce_to_tuned(src, op, axis, threads, tuning, Dst::Bytes(&mut bytes))?;
    let canonical = |b: Vec<u8>| nan_canonical(b, op, src.dtype());
    assert!(
        canonical(bytes) == canonical(new.as_bytes().to_vec()),
        "{op:?} axis={axis:?} threads={threads}: into bytes differs"
    );
    Ok(new)
}

/// `bytes` of a result with every float NaN replaced by one quiet NaN, where `op` is a sum,
/// product or mean of floats: which of two NaN operands an addition returns is not
/// specified (x86 keeps one operand's payload, and the compiler may commute the operands
/// differently in each inlined copy of the code), only that the result is NaN. `min` and
/// `max` keep the first NaN's bits, and are compared exactly.
pub(super) fn nan_canonical(bytes: Vec<u8>, op: ReduceOp, dtype: DType) -> Vec<u8> {
    let part = if dtype.is_complex() {
        dtype.real_part()
    } else {
        dtype
    };
    if !matches!(op, ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean) || !part.is_float() {
        return bytes;
    }
    let mut bytes = bytes;
    match part.size() {
        4 => bytes.chunks_exact_mut(4).for_each(|c| {
            if f32::from_ne_bytes(c.try_into().unwrap()).is_nan() {
                c.copy_from_slice(&f32::NAN.to_ne_bytes());
            }
        }),
        _ => bytes.chunks_exact_mut(8).for_each(|c| {
            if f64::from_ne_bytes(c.try_into().unwrap()).is_nan() {
                c.copy_from_slice(&f64::NAN.to_ne_bytes());
            }
        }),
    }
    bytes
}

/// Checks `got` (or its error) against the oracle for each output's logical elements.
fn check(
    what: &str,
    op: ReduceOp,
    dtype: DType,
    got: &crate::error::Result<Array>,
    expect_lanes: &[Vec<Scalar>],
    reduced_len: usize,
) {
    let expected: Vec<Option<Scalar>> = expect_lanes
        .iter()
        .map(|xs| oracle::expect(op, dtype, xs))
        .collect();
    if op.result_dtype(dtype).is_none() {
        let e = got.as_ref().expect_err(what);
        assert_eq!(e.kind, ErrorKind::Type, "{what}");
        return;
    }
    // An error is expected exactly when the reduced range is empty and has no identity,
    // even with no outputs at all (as NumPy).
    if reduced_len == 0 && oracle::expect(op, dtype, &[]).is_none() {
        let e = got.as_ref().expect_err(what);
        assert_eq!(e.kind, ErrorKind::Shape, "{what}");
        assert!(
            e.message.contains("zero-size array"),
            "{what}: {}",
            e.message
        );
        return;
    }
    let a = got.as_ref().unwrap_or_else(|e| panic!("{what}: {e:?}"));
    assert_eq!(a.len(), expected.len(), "{what}");
    for (i, e) in expected.iter().enumerate() {
        let (g, e) = (a.get(i), e.expect("nonempty ranges have a result"));
        assert_eq!(g.to_bits(), e.to_bits(), "{what}, output {i}: {g} vs {e}");
    }
    if matches!(op, ReduceOp::Sum | ReduceOp::Mean) && dtype.real_part().is_float() {
        for (i, xs) in expect_lanes.iter().enumerate() {
            check_accuracy(what, op, dtype, a.get(i), xs);
        }
    }
}

/// `|result − exact| ≤ (30 + log₂ n)·ε·Σ|x|` (divided by `n` for means): the pairwise
/// bound with room for the 26-deep leaves, against a compensated `f64` sum.
fn check_accuracy(what: &str, op: ReduceOp, dtype: DType, got: Scalar, xs: &[Scalar]) {
    let n = xs.len().max(1) as f64;
    let eps = if dtype.real_part() == DType::F32 {
        f32::EPSILON as f64
    } else {
        f64::EPSILON
    };
    let parts: Vec<f64> = match got {
        Scalar::C64(z) => vec![z.re as f64, z.im as f64],
        Scalar::C128(z) => vec![z.re, z.im],
        Scalar::F32(v) => vec![v as f64],
        Scalar::F64(v) => vec![v],
        _ => unreachable!(),
    };
    for (k, &g) in parts.iter().enumerate() {
        let (mut exact, mut abs) = oracle::kahan(xs, k == 1);
        if op == ReduceOp::Mean {
            exact /= n;
            abs /= n;
        }
        let bound = (30.0 + n.log2()) * eps * abs + f64::MIN_POSITIVE;
        assert!(
            (g - exact).abs() <= bound,
            "{what}: part {k} = {g}, exact {exact}, bound {bound}"
        );
    }
}

#[test]
fn one_d_every_op_dtype_layout_and_length() {
    let mut rng = Rng::new(1);
    for dtype in dtypes() {
        for (li, &n) in LENGTHS.iter().enumerate() {
            for layout in [
                Layout::C,
                Layout::Gap(3),
                Layout::Reversed,
                Layout::Bcast(0),
            ] {
                let bcast = matches!(layout, Layout::Bcast(_)).then_some(0);
                // Alternate dense and mostly-zero data so that `any`/`all` see both answers.
                let xs = random(&mut rng, dtype, &[n], bcast, li % 2 == 1);
                let stored = Stored::new(dtype, &[n], &xs, layout);
                let v = stored.view();
                for op in ReduceOp::ALL {
                    for axis in [None, Some(0)] {
                        let what = format!("{op:?} {dtype} n={n} {layout:?} axis={axis:?}");
                        check(
                            &what,
                            op,
                            dtype,
                            &reduce(&v, op, axis, 1),
                            std::slice::from_ref(&xs),
                            n,
                        );
                    }
                }
            }
        }
    }
}

/// Unit-stride runs read with prefetches (`seq::Ahead`, here from any length, and at the
/// host's threshold): the same leaves, and a fold continued step by step, give the oracle's
/// bits.
#[test]
fn far_runs_reduce_as_near_ones() {
    let mut rng = Rng::new(21);
    let always = Tuning {
        ahead_bytes: Some(0),
        ..Tuning::DEFAULT
    };
    for dtype in [DType::F64, DType::F32, DType::C128] {
        // Several fold steps of `AHEAD_BYTES`, and a ragged end.
        let n = 5 * crate::runtime::prefetch::AHEAD_BYTES / dtype.size() + 1003;
        let xs = random(&mut rng, dtype, &[n], None, false);
        let stored = Stored::new(dtype, &[n], &xs, Layout::C);
        let v = stored.view();
        for op in ReduceOp::ALL {
            for (threads, tuning) in [(1, always), (2, EAGER)] {
                let what = format!("{op:?} {dtype} n={n} {threads} threads {tuning:?}");
                check(
                    &what,
                    op,
                    dtype,
                    &reduce_tuned(&v, op, None, threads, tuning),
                    std::slice::from_ref(&xs),
                    n,
                );
            }
        }
    }
}

/// Inputs beyond the cached size (here every input, by the tuning) are folded a row per
/// pass rather than four (`rowfold`), and summed in tiles of whole rows rather than of 128
/// columns (`drive::WIDE_TILE`; 4100 columns make two such tiles): the same bits, on one
/// thread and on two, alone and shared with the team.
#[test]
fn large_inputs_fold_along_axis_zero_as_small_ones() {
    let mut rng = Rng::new(22);
    let one_row = Tuning {
        cached_bytes: Some(0),
        ..Tuning::DEFAULT
    };
    let one_row_eager = Tuning {
        cached_bytes: Some(0),
        ..EAGER
    };
    let cases = [DType::F64, DType::F32, DType::I32, DType::Bool]
        .map(|d| (d, [131, 1000]))
        .into_iter()
        .chain([(DType::F64, [20, 4100]), (DType::C128, [11, 4100])]);
    for (dtype, shape) in cases {
        let xs = random(&mut rng, dtype, &shape, None, false);
        let stored = Stored::new(dtype, &shape, &xs, Layout::C);
        let v = stored.view();
        let expect = lanes(&shape, &xs, Some(0));
        for op in ReduceOp::ALL {
            for threads in [1, 2] {
                for tuning in [one_row, one_row_eager] {
                    let what = format!("{op:?} {dtype} {shape:?} threads={threads} {tuning:?}");
                    check(
                        &what,
                        op,
                        dtype,
                        &reduce_tuned(&v, op, Some(0), threads, tuning),
                        &expect,
                        shape[0],
                    );
                }
            }
        }
    }
}

/// Shapes that exercise per-output runs, row tiles (wider than one tile, taller than one
/// leaf), empty axes and unit axes.
const SHAPES: &[&[usize]] = &[
    &[],
    &[7, 9],
    &[129, 3],
    &[3, 129],
    &[9, 300],
    &[300, 130],
    &[0, 5],
    &[5, 0],
    &[0, 0],
    &[1, 1],
    &[4, 5, 6],
    &[2, 129, 3],
    &[3, 1, 8],
];

#[test]
fn n_d_every_axis_and_layout() {
    let mut rng = Rng::new(2);
    for dtype in dtypes() {
        for (si, &shape) in SHAPES.iter().enumerate() {
            let nd = shape.len();
            let mut layouts = vec![Layout::C, Layout::F, Layout::Gap(2), Layout::Reversed];
            layouts.extend((0..nd).map(Layout::Bcast));
            for layout in layouts {
                let bcast = match layout {
                    Layout::Bcast(b) => Some(b),
                    _ => None,
                };
                let xs = random(&mut rng, dtype, shape, bcast, si % 3 == 2);
                let stored = Stored::new(dtype, shape, &xs, layout);
                let v = stored.view();
                let axes = std::iter::once(None).chain((0..nd).map(Some));
                for axis in axes {
                    let expect = lanes(shape, &xs, axis);
                    for op in ReduceOp::ALL {
                        let what = format!("{op:?} {dtype} {shape:?} {layout:?} axis={axis:?}");
                        let got = reduce(&v, op, axis, 1);
                        let reduced = axis.map_or(xs.len(), |a| shape[a]);
                        check(&what, op, dtype, &got, &expect, reduced);
                        if let (Ok(a), Some(ax)) = (&got, axis) {
                            let want: Vec<usize> =
                                (0..nd).filter(|&k| k != ax).map(|k| shape[k]).collect();
                            assert_eq!(a.shape(), want.as_slice(), "{what}");
                        }
                    }
                }
            }
        }
    }
}

/// The whole result's bytes, or the error kind.
fn bits(r: crate::error::Result<Array>) -> Result<Vec<u8>, ErrorKind> {
    r.map(|a| a.as_bytes().to_vec()).map_err(|e| e.kind)
}

#[test]
fn every_thread_count_gives_identical_bits() {
    let mut rng = Rng::new(3);
    let cases: &[(&[usize], Layout)] = &[
        (&[100_003], Layout::C),
        (&[100_003], Layout::Reversed),
        (&[300, 130], Layout::C),
        (&[300, 130], Layout::F),
        (&[130, 300], Layout::Gap(2)),
        (&[20, 33, 40], Layout::C),
    ];
    let dts = [
        DType::F32,
        DType::F64,
        DType::C64,
        DType::C128,
        DType::I32,
        DType::U8,
        DType::Bool,
    ];
    for &dtype in &dts {
        for &(shape, layout) in cases {
            let xs = random(&mut rng, dtype, shape, None, false);
            let stored = Stored::new(dtype, shape, &xs, layout);
            let v = stored.view();
            for axis in std::iter::once(None).chain((0..shape.len()).map(Some)) {
                for op in ReduceOp::ALL {
                    let base = bits(reduce(&v, op, axis, 1));
                    for threads in [1, 2, 3, 4, 8] {
                        let got = bits(reduce_tuned(&v, op, axis, threads, EAGER));
                        assert!(
                            got == base,
                            "{op:?} {dtype} {shape:?} {layout:?} axis={axis:?} threads={threads}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn layouts_of_one_logical_array_agree_bitwise() {
    // A C-order input reduced over axis 0 goes through row tiles; its Fortran-order twin
    // goes through per-output runs. Both must follow the same order.
    let mut rng = Rng::new(4);
    let shape = [1000, 3];
    for dtype in [DType::F32, DType::F64, DType::C64, DType::C128, DType::I8] {
        let xs = random(&mut rng, dtype, &shape, None, false);
        let c = Stored::new(dtype, &shape, &xs, Layout::C);
        let f = Stored::new(dtype, &shape, &xs, Layout::F);
        for op in ReduceOp::ALL {
            for axis in [None, Some(0), Some(1)] {
                assert_eq!(
                    bits(reduce(&c.view(), op, axis, 1)),
                    bits(reduce(&f.view(), op, axis, 1)),
                    "{op:?} {dtype} axis={axis:?}"
                );
            }
        }
    }
}

#[test]
fn float32_sum_of_1e8_broadcast_ones_is_exact() {
    let one = [1.0f32];
    let n = 100_000_000;
    // SAFETY: stride 0: every index reads `one[0]`.
    let v = unsafe { ArrayView::from_raw_parts(one.as_ptr() as *const u8, DType::F32, &[n], &[0]) };
    let s = reduce(&v, ReduceOp::Sum, None, 2).unwrap();
    assert_eq!(s.get(0), Scalar::F32(1e8));
    let m = reduce(&v, ReduceOp::Mean, None, 2).unwrap();
    assert_eq!(m.get(0), Scalar::F32(1.0));
    // A plain left-to-right float32 sum stalls at 2^24, which is what the order avoids.
    let naive = (0..n).fold(0f32, |s, _| s + 1.0);
    assert_eq!(naive, 16_777_216.0);
}

#[test]
fn nan_payloads_pick_the_first_nan_in_every_layout_and_thread_count() {
    let mut rng = Rng::new(5);
    for dtype in [DType::F32, DType::F64] {
        for &shape in &[&[1000usize][..], &[129, 7], &[7, 129]] {
            let mut xs = random(&mut rng, dtype, shape, None, false);
            // A few NaNs with distinct payloads and signs.
            for k in 0..4u64 {
                let i = rng.below(xs.len());
                xs[i] = match dtype {
                    DType::F32 => Scalar::F32(f32::from_bits(
                        0x7fc0_0000 | (k as u32 + 1) | ((k as u32 & 1) << 31),
                    )),
                    _ => Scalar::F64(f64::from_bits(
                        0x7ff8_0000_0000_0000 | (k + 1) | ((k & 1) << 63),
                    )),
                };
            }
            for layout in [Layout::C, Layout::F, Layout::Reversed] {
                let stored = Stored::new(dtype, shape, &xs, layout);
                let v = stored.view();
                for axis in std::iter::once(None).chain((0..shape.len()).map(Some)) {
                    let expect = lanes(shape, &xs, axis);
                    for op in [ReduceOp::Min, ReduceOp::Max, ReduceOp::Any, ReduceOp::All] {
                        let what = format!("{op:?} {dtype} {shape:?} {layout:?} axis={axis:?}");
                        for threads in [1, 3] {
                            let got = reduce_tuned(&v, op, axis, threads, EAGER);
                            check(&what, op, dtype, &got, &expect, 1);
                        }
                    }
                }
            }
        }
    }
}
