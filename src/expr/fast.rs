//! The per-`Expr` "last call" fast path.
//!
//! A program is usually evaluated many times with the same input signature (names, dtypes,
//! shapes, strides) and only the data pointers (and scalar values) changing. The first call
//! with a signature goes the full way (typing, broadcasting, collapsing, kernel-cache
//! lookup); afterwards [`LastCall`] remembers all of it, and a call whose signature matches
//! exactly only compares the signature, binds the pointers and runs the kernel: no heap
//! allocation, no global lock, no hashing of the source.

use super::run::Ctx;
use super::typed::Typed;
use crate::codegen::{Kernel, KernelFn};
use crate::runtime::broadcast::{broadcast_strides, collapse, Collapsed};
use crate::runtime::dims::Dims;
use crate::runtime::exec::{run_kernel, Plan};
use crate::runtime::{checked_len, Arg, ArrayViewMut};
use crate::types::DType;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex};

/// Most program inputs the fast path binds (on the stack); larger programs take the
/// general path every time, where a few allocations are noise next to the work.
pub(crate) const MAX_FAST_INPUTS: usize = 8;

/// Signatures remembered per slot. A record is freed only with its `Expr` (so readers
/// need no reference counting), which is why their number is bounded; further signatures
/// take the general path.
const MAX_RECORDS: usize = 16;

/// Slice equality as an inline loop: these slices hold a few items, where calling
/// `memcmp` (what `==` on integer slices becomes) costs more than the comparison.
fn same<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// One caller input as the signature sees it.
#[derive(Debug, PartialEq)]
struct SigInput {
    name: Box<str>,
    dtype: DType,
    /// `None` for a scalar; else the array's shape and strides.
    dims: Option<Dims>,
}

impl SigInput {
    fn of(name: &str, arg: &Arg) -> SigInput {
        match arg {
            Arg::Array(v) => SigInput {
                name: name.into(),
                dtype: v.dtype(),
                dims: Some(Dims::new(v.shape(), v.strides())),
            },
            Arg::Scalar(s) => SigInput {
                name: name.into(),
                dtype: s.dtype(),
                dims: None,
            },
        }
    }

    fn matches(&self, name: &str, arg: &Arg) -> bool {
        let same_arg = match (arg, &self.dims) {
            (Arg::Array(v), Some(d)) => {
                v.dtype() == self.dtype
                    && same(v.shape(), d.shape())
                    && same(v.strides(), d.strides())
            }
            (Arg::Scalar(s), None) => s.dtype() == self.dtype,
            _ => false,
        };
        same_arg && same(self.name.as_bytes(), name.as_bytes())
    }
}

/// Everything a call with a remembered signature needs besides the pointers.
pub(crate) struct LastCall {
    sig: Box<[SigInput]>,
    /// The broadcast result shape and the strides of `out` (for `eval`, the C strides of
    /// the fresh result).
    pub out: Dims,
    /// The typing for the signature.
    pub typed: Arc<Typed>,
    /// Its element count (nonzero: empty results are not remembered).
    len: usize,
    /// Collapsed shape and strides; the last row is the output's.
    collapsed: Collapsed,
    /// Each program input's inner-loop stride (the collapsed last column).
    inner_strides: [isize; MAX_FAST_INPUTS],
    /// Keeps `func` alive.
    _kernel: Arc<Kernel>,
    /// Copies of what every call reads, kept here so the hot path does not chase the
    /// `typed` and `kernel` pointers: `typed.program_args`, the kernel's entry point,
    /// `typed.parallel_from`, and the output's stride when the collapsed loop is 1-D.
    args: [usize; MAX_FAST_INPUTS],
    nargs: usize,
    func: KernelFn,
    parallel_from: usize,
    flat_out_stride: Option<isize>,
    /// Whether any program input is a scalar (bound through a stack word).
    has_scalar: bool,
    /// Per program input, the byte range it spans relative to its pointer (`None` for
    /// scalars), and whether it walks exactly like `out` (so that being `out` is fine).
    extents: [Option<(isize, isize)>; MAX_FAST_INPUTS],
    same_as_out: [bool; MAX_FAST_INPUTS],
    /// The byte range `out` spans relative to its pointer.
    out_extent: (isize, isize),
}

/// The byte range `[lo, hi)` a non-empty view spans, relative to its first element.
fn extent(shape: &[usize], strides: &[isize], size: usize) -> (isize, isize) {
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

impl LastCall {
    /// Builds the record for a call that just succeeded through the general path, or
    /// `None` when the call is not one the fast path serves.
    pub fn new(
        ctx: &Ctx<'_>,
        typed: &Arc<Typed>,
        inputs: &[(&str, Arg)],
        out_shape: &[usize],
        out_strides: &[isize],
    ) -> Option<LastCall> {
        let args = &typed.program_args;
        if args.len() > MAX_FAST_INPUTS || checked_len(out_shape).is_none_or(|n| n == 0) {
            return None;
        }
        let mut rows: Vec<Vec<isize>> = args
            .iter()
            .map(|&i| match &inputs[i].1 {
                Arg::Array(v) => broadcast_strides(v.shape(), v.strides(), out_shape),
                Arg::Scalar(_) => vec![0; out_shape.len()],
            })
            .collect();
        rows.push(out_strides.to_vec());
        let collapsed = collapse(out_shape, &rows);
        let dtypes: Vec<DType> = args
            .iter()
            .map(|&i| match &inputs[i].1 {
                Arg::Array(v) => v.dtype(),
                Arg::Scalar(s) => s.dtype(),
            })
            .collect();
        let ndim = collapsed.shape.len();
        let mut inner_strides = [0isize; MAX_FAST_INPUTS];
        for (dst, row) in inner_strides.iter_mut().zip(&collapsed.strides) {
            *dst = row[ndim - 1];
        }
        // The layout is computed exactly as the general path does, so both share a kernel.
        let layout = Plan::layout_of(&collapsed, &dtypes, typed.out_dtype);
        let kernel = ctx.kernel(layout).ok()?;
        let mut extents = [None; MAX_FAST_INPUTS];
        let mut same_as_out = [false; MAX_FAST_INPUTS];
        for (k, &i) in args.iter().enumerate() {
            if let Arg::Array(v) = &inputs[i].1 {
                extents[k] = Some(extent(v.shape(), v.strides(), v.dtype().size()));
                same_as_out[k] = v.dtype() == typed.out_dtype
                    && rows[k]
                        .iter()
                        .zip(out_strides)
                        .zip(out_shape)
                        .all(|((a, b), &d)| d == 1 || a == b);
            }
        }
        let mut arg_idx = [0usize; MAX_FAST_INPUTS];
        for (d, &i) in arg_idx.iter_mut().zip(args) {
            *d = i;
        }
        let flat_out_stride = (ndim == 1).then(|| collapsed.strides[args.len()][0]);
        Some(LastCall {
            args: arg_idx,
            nargs: args.len(),
            func: kernel.func(),
            parallel_from: typed.parallel_from,
            flat_out_stride,
            has_scalar: args.iter().any(|&i| matches!(inputs[i].1, Arg::Scalar(_))),
            sig: inputs.iter().map(|(n, a)| SigInput::of(n, a)).collect(),
            out: Dims::new(out_shape, out_strides),
            typed: Arc::clone(typed),
            len: checked_len(out_shape)?,
            collapsed,
            inner_strides,
            _kernel: kernel,
            extents,
            same_as_out,
            out_extent: extent(out_shape, out_strides, typed.out_dtype.size()),
        })
    }

    /// `true` when `inputs` have exactly the remembered signature.
    #[inline]
    pub fn matches(&self, inputs: &[(&str, Arg)]) -> bool {
        self.sig.len() == inputs.len()
            && self
                .sig
                .iter()
                .zip(inputs)
                .all(|(s, (name, arg))| s.matches(name, arg))
    }

    /// `true` when `out` (dtype, shape, strides) is the remembered one.
    #[inline]
    pub fn out_matches(&self, out: &ArrayViewMut) -> bool {
        out.dtype() == self.typed.out_dtype
            && same(out.shape(), self.out.shape())
            && same(out.strides(), self.out.strides())
    }

    /// `true` when an input overlaps `out` other than as the very same elements in the
    /// very same order (as `Ctx::overlaps_partially`, with the ranges precomputed).
    #[inline]
    pub fn overlaps_partially(&self, inputs: &[(&str, Arg)], out: *const u8) -> bool {
        let o = out as isize;
        let (olo, ohi) = (
            o.wrapping_add(self.out_extent.0),
            o.wrapping_add(self.out_extent.1),
        );
        let args = &self.args[..self.nargs];
        args.iter().enumerate().any(|(k, &i)| {
            let (Arg::Array(v), Some((lo, hi))) = (&inputs[i].1, self.extents[k]) else {
                return false;
            };
            let p = v.as_ptr() as isize;
            let (lo, hi) = (p.wrapping_add(lo), p.wrapping_add(hi));
            let disjoint = lo >= ohi || olo >= hi;
            let same_elements = self.same_as_out[k] && p == o;
            !(disjoint || same_elements)
        })
    }

    /// Runs the kernel with `inputs` (which [`LastCall::matches`]) into `out`, which has
    /// the remembered shape, strides and the result dtype.
    ///
    /// # Safety
    /// `out` addresses writable memory for the remembered shape and strides that no input
    /// overlaps other than element for element, and nothing else accesses it meanwhile.
    #[inline]
    pub unsafe fn run(&self, inputs: &[(&str, Arg)], out: *mut u8, threads: usize) {
        let args = &self.args[..self.nargs];
        let n = args.len();
        // Scalars live here for the whole run; the kernel reads them through pointers.
        let mut words = [0u64; MAX_FAST_INPUTS];
        if self.has_scalar {
            for (w, &i) in words.iter_mut().zip(args) {
                if let Arg::Scalar(s) = &inputs[i].1 {
                    let mut b = [0u8; 8];
                    s.write(&mut b);
                    *w = u64::from_ne_bytes(b);
                }
            }
        }
        let mut ptrs = [std::ptr::null::<u8>(); MAX_FAST_INPUTS];
        for ((p, w), &i) in ptrs.iter_mut().zip(&words).zip(args) {
            *p = match &inputs[i].1 {
                Arg::Array(v) => v.as_ptr(),
                Arg::Scalar(_) => w as *const u64 as *const u8,
            };
        }
        let f: KernelFn = self.func;
        let serial = threads <= 1 || self.len < self.parallel_from;
        if let (true, Some(out_stride)) = (serial, self.flat_out_stride) {
            // One call over everything: the kernel is element-wise, so cutting the loop
            // into work items would change nothing but the overhead.
            // SAFETY: the kernel was compiled for this layout and these dtypes; the caller
            // guarantees `out`, the views guarantee the inputs, and `words` outlives the call.
            unsafe {
                f(
                    self.len,
                    ptrs.as_ptr(),
                    self.inner_strides.as_ptr(),
                    out,
                    out_stride,
                )
            };
        } else {
            let plan = Plan::new(self.collapsed.clone(), ptrs[..n].to_vec(), out);
            let threads = if serial { 1 } else { threads };
            // SAFETY: as above.
            unsafe { run_kernel(&plan, f, threads) };
        }
    }
}

/// The remembered calls of one entry point: the current one, read without locking, and
/// up to [`MAX_RECORDS`] earlier ones to switch back to.
#[derive(Default)]
pub(crate) struct FastSlot {
    /// Null, or one of `records`.
    current: AtomicPtr<LastCall>,
    /// Owns every record; boxes never move, and are freed only with the slot.
    #[allow(clippy::vec_box)] // the boxes keep each record's address fixed as the vector grows
    records: Mutex<Vec<Box<LastCall>>>,
}

impl FastSlot {
    /// The record for `inputs` for which `fits` holds, if one is remembered. The current
    /// record costs one atomic load; the others are searched under a lock (skipped when
    /// another thread holds it: a miss only means the general path).
    #[inline]
    pub fn get(
        &self,
        inputs: &[(&str, Arg)],
        fits: impl Fn(&LastCall) -> bool,
    ) -> Option<&LastCall> {
        let ok = |l: &LastCall| l.matches(inputs) && fits(l);
        // SAFETY: `current` is null or points into a box of `records`, which lives (and
        // stays unmodified) as long as `self`.
        if let Some(l) = unsafe { self.current.load(Ordering::Acquire).as_ref() } {
            if ok(l) {
                return Some(l);
            }
        }
        let g = self.records.try_lock().ok()?;
        let l: &LastCall = g.iter().rev().find(|l| ok(l))?;
        self.current
            .store(l as *const LastCall as *mut LastCall, Ordering::Release);
        // SAFETY: the box outlives the guard: records are dropped only with `self`.
        Some(unsafe { &*(l as *const LastCall) })
    }

    /// `true` when a new record would be turned away (full or busy): callers then skip
    /// building one.
    pub fn is_full(&self) -> bool {
        self.records
            .try_lock()
            .map_or(true, |g| g.len() >= MAX_RECORDS)
    }

    /// Remembers `call` and makes it current, unless the slot is full or busy.
    pub fn set(&self, call: LastCall) {
        let Ok(mut g) = self.records.try_lock() else {
            return;
        };
        if g.len() >= MAX_RECORDS {
            return;
        }
        let b = Box::new(call);
        let p = &*b as *const LastCall as *mut LastCall;
        g.push(b);
        self.current.store(p, Ordering::Release);
    }
}

impl Drop for FastSlot {
    fn drop(&mut self) {
        // Nothing can read `current` any more; the records drop with the vector.
        *self.current.get_mut() = std::ptr::null_mut();
    }
}

#[cfg(test)]
mod tests {
    use crate::runtime::{ArrayView, ArrayViewMut};
    use crate::types::DType;
    use crate::{Arg, EvalOptions, Expr};

    fn opts(threads: usize) -> EvalOptions {
        EvalOptions {
            threads: Some(threads),
            ..EvalOptions::default()
        }
    }

    /// Repeated calls with new data, new scalar values and new signatures each give the
    /// answer a fresh `Expr` gives (which has nothing remembered).
    #[test]
    fn remembered_calls_follow_every_change() {
        let e = Expr::compile("a * k + b").unwrap();
        let a: Vec<f64> = (0..10).map(f64::from).collect();
        let b: Vec<f64> = (0..10).map(|i| 100.0 - f64::from(i)).collect();
        let a2: Vec<f64> = a.iter().map(|x| x * 3.0).collect();
        let b32: Vec<f32> = b.iter().map(|&x| x as f32).collect();
        let grid = ArrayView::from_shape(&a, &[2, 5]).unwrap();
        let calls: Vec<Vec<(&str, Arg)>> = vec![
            vec![("a", (&a).into()), ("k", 2.0.into()), ("b", (&b).into())],
            vec![("a", (&a2).into()), ("k", 2.0.into()), ("b", (&b).into())],
            vec![
                ("a", (&a2).into()),
                ("k", (-1.5).into()),
                ("b", (&b).into()),
            ],
            // Same names in another order, an integer scalar, a float32 array.
            vec![("b", (&b).into()), ("a", (&a).into()), ("k", 7i64.into())],
            vec![("a", (&a).into()), ("k", 2.0.into()), ("b", (&b32).into())],
            // Reversed and 2-d views, then back to the first signature.
            vec![
                ("a", ArrayView::from_slice(&a).slice_step(-1).into()),
                ("k", 2.0.into()),
                ("b", (&b).into()),
            ],
            vec![
                ("a", grid.into()),
                ("k", 2.0.into()),
                ("b", (&b[..5]).into()),
            ],
            vec![("a", (&a).into()), ("k", 2.0.into()), ("b", (&b).into())],
            // An unused extra input changes the signature too.
            vec![
                ("a", (&a).into()),
                ("k", 2.0.into()),
                ("b", (&b).into()),
                ("z", true.into()),
            ],
        ];
        for t in [1, 2] {
            for (i, inputs) in calls.iter().enumerate() {
                // Each call twice: the second takes the fast path.
                for _ in 0..2 {
                    let want = Expr::compile("a * k + b").unwrap().eval(inputs).unwrap();
                    let got = e.eval_with(inputs, &opts(t)).unwrap();
                    assert_eq!(got, want, "call {i}, {t} threads");
                    let mut out = crate::Array::zeros(want.dtype(), want.shape()).unwrap();
                    e.eval_into(inputs, &mut out.view_mut(), &opts(t)).unwrap();
                    assert_eq!(out, want, "call {i} into, {t} threads");
                }
            }
        }
    }

    #[test]
    fn out_is_checked_on_every_call() {
        let e = Expr::compile("a + 1").unwrap();
        let a = [1.0f64, 2.0, 3.0];
        let inputs = [("a", Arg::from(&a))];
        let mut out = [0.0f64; 3];
        for _ in 0..2 {
            e.eval_into(
                &inputs,
                &mut ArrayViewMut::from_slice_mut(&mut out),
                &opts(1),
            )
            .unwrap();
            assert_eq!(out, [2.0, 3.0, 4.0]);
        }
        let mut short = [0.0f64; 2];
        let err = e
            .eval_into(
                &inputs,
                &mut ArrayViewMut::from_slice_mut(&mut short),
                &opts(1),
            )
            .unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Output);
        let mut f32s = [0.0f32; 3];
        let err = e
            .eval_into(
                &inputs,
                &mut ArrayViewMut::from_slice_mut(&mut f32s),
                &opts(1),
            )
            .unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Output);
        // A strided `out` of the right shape takes the general path, then its own record.
        let mut wide = [0.0f64; 6];
        for _ in 0..2 {
            let mut v = ArrayViewMut::from_slice_mut(&mut wide).slice_step(2);
            e.eval_into(&inputs, &mut v, &opts(1)).unwrap();
            assert_eq!(wide, [2.0, 0.0, 3.0, 0.0, 4.0, 0.0]);
        }
        assert_eq!(short, [0.0; 2]);
    }

    /// In place stays element-wise on the fast path; a partial overlap still reads the old
    /// values (the general path's temporary), however often it repeats.
    #[test]
    fn overlap_on_remembered_calls() {
        let e = Expr::compile("a * 2").unwrap();
        let n = 1000usize;
        let mut buf: Vec<f64> = (0..n).map(|i| i as f64).collect();
        for round in 0..3 {
            let ptr = buf.as_mut_ptr();
            // SAFETY: the very same elements of `buf`, untouched elsewhere during the call.
            let (a, mut out) = unsafe {
                (
                    ArrayView::from_raw_parts(ptr as *const u8, DType::F64, &[n], &[8]),
                    ArrayViewMut::from_raw_parts(ptr as *mut u8, DType::F64, &[n], &[8]),
                )
            };
            e.eval_into(&[("a", a.into())], &mut out, &opts(1)).unwrap();
            let scale = f64::from(1 << (round + 1));
            assert!(buf.iter().enumerate().all(|(i, &x)| x == i as f64 * scale));
        }
        let m = n - 1;
        for _ in 0..3 {
            let old = buf.clone();
            let ptr = buf.as_mut_ptr();
            // SAFETY: both views lie within `buf`; the runtime must see the overlap.
            let (a, mut out) = unsafe {
                (
                    ArrayView::from_raw_parts(ptr as *const u8, DType::F64, &[m], &[8]),
                    ArrayViewMut::from_raw_parts(ptr.add(1) as *mut u8, DType::F64, &[m], &[8]),
                )
            };
            e.eval_into(&[("a", a.into())], &mut out, &opts(1)).unwrap();
            for i in 1..=m {
                assert_eq!(buf[i], old[i - 1] * 2.0, "element {i}");
            }
        }
    }

    /// More signatures than a slot remembers, cycled through: every answer stays right,
    /// whether it comes from the current record, an earlier one, or the general path.
    #[test]
    fn many_signatures_cycled() {
        let e = Expr::compile("a * a - 1").unwrap();
        let data: Vec<f64> = (0..40).map(|i| i as f64 * 0.5).collect();
        for round in 0..3 {
            for n in 1..=super::MAX_RECORDS + 4 {
                let inputs = [("a", Arg::from(&data[..n]))];
                let want: Vec<f64> = data[..n].iter().map(|x| x * x - 1.0).collect();
                assert_eq!(e.eval(&inputs).unwrap().to_vec::<f64>(), want, "n {n}");
                let mut out = vec![0.0f64; n];
                e.eval_into(
                    &inputs,
                    &mut ArrayViewMut::from_slice_mut(&mut out),
                    &opts(1),
                )
                .unwrap();
                assert_eq!(out, want, "n {n} round {round}");
            }
        }
    }

    /// Above the parallel threshold the fast path splits the work; every thread count
    /// gives the same bits, repeated calls included.
    #[test]
    fn large_calls_identical_across_threads() {
        let n = 200_003;
        let a: Vec<f64> = (0..n).map(|i| i as f64 * 1e-3).collect();
        let b: Vec<f64> = (0..n).map(|i| (i % 97) as f64).collect();
        for src in ["sin(a)**2 + cos(b)**2", "a*b + 2.5"] {
            let e = Expr::compile(src).unwrap();
            let inputs = [("a", Arg::from(&a)), ("b", Arg::from(&b))];
            let want = e.eval_with(&inputs, &opts(1)).unwrap();
            for t in [1, 2, 4] {
                for _ in 0..2 {
                    assert_eq!(e.eval_with(&inputs, &opts(t)).unwrap(), want, "{src} {t}T");
                    let mut out = vec![0.0f64; n];
                    let mut v = ArrayViewMut::from_slice_mut(&mut out);
                    e.eval_into(&inputs, &mut v, &opts(t)).unwrap();
                    assert_eq!(Some(&out[..]), want.as_slice::<f64>(), "{src} {t}T into");
                }
            }
        }
    }

    #[test]
    fn empty_and_scalar_results() {
        let e = Expr::compile("a - b").unwrap();
        let none: [f64; 0] = [];
        for _ in 0..2 {
            let r = e.eval(&[("a", (&none).into()), ("b", 1.0.into())]).unwrap();
            assert_eq!(r.shape(), &[0]);
        }
        for x in [1.0, 5.0] {
            let r = e.eval(&[("a", x.into()), ("b", 0.5.into())]).unwrap();
            assert_eq!(r.to_vec::<f64>(), vec![x - 0.5]);
        }
    }
}
