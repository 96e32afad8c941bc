//! The remembered-call path: a call with a signature seen before re-binds pointers to a
//! kept [`PreparedCall`].
//!
//! A program is usually evaluated many times with the same input signature (names, dtypes,
//! shapes, strides) and only the data pointers (and scalar values) changing. The first call
//! with a signature goes the general way (typing, broadcasting, collapsing, kernel-cache
//! lookup, all in [`PreparedCall::prepare`]); afterwards [`RememberedCall`] keeps that prepared
//! call with the signature, and a call whose signature matches exactly costs one pass over
//! the inputs ([`RememberedCall::bind`]: compare the signature, bind the pointers, check overlap
//! with `out`) and the kernel: no heap allocation, no global lock, no hashing of the
//! source.

use super::PreparedCall;
use crate::codegen::Codegen;
use crate::error::Result;
use crate::math::vector::MathImpl;
use crate::runtime::dims::Dims;
use crate::runtime::overlap::{conflicts, extent, same_walk};
use crate::runtime::typed::Typed;
use crate::runtime::{Arg, Array, ArrayViewMut, Backend, EvalOptions};
use crate::types::DType;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;

/// Most program inputs a remembered call binds (on the stack); larger programs take the
/// general path every time, where a few allocations are noise next to the work.
pub(crate) const MAX_REMEMBERED_INPUTS: usize = 8;

/// Signatures remembered per slot. A record is freed only with its `Expr` (so readers
/// need no reference counting), which is why their number is bounded; further signatures
/// take the general path.
const MAX_RECORDS: usize = 16;

/// [`SigInput::slot`] of a caller input the program does not read.
const UNUSED: u8 = u8::MAX;

/// Slice equality as an inline loop: these slices hold a few items, where calling
/// `memcmp` (what `==` on slices becomes) costs more than the comparison.
#[inline(always)]
fn same<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A remembered array shape and strides, compared per call: the usual one-axis case as
/// two words (`Dims::as_1d`), without slicing; any other as slices. A scalar's is `NONE`,
/// which no array matches.
#[derive(Debug)]
struct DimsKey {
    /// `(len, stride)` of a one-axis array.
    flat: Option<(usize, isize)>,
    /// Any other array's shape and strides (boxed: rare, and it keeps records small).
    general: Option<Box<Dims>>,
}

impl DimsKey {
    /// The dimensions of no array.
    const NONE: DimsKey = DimsKey {
        flat: None,
        general: None,
    };

    fn of(dims: &Dims) -> DimsKey {
        match dims.as_1d() {
            Some(f) => DimsKey {
                flat: Some(f),
                general: None,
            },
            None => DimsKey {
                flat: None,
                general: Some(Box::new(dims.clone())),
            },
        }
    }

    /// `true` when `dims` are these.
    #[inline(always)]
    fn matches(&self, dims: &Dims) -> bool {
        match dims.as_1d() {
            Some(f) => self.flat == Some(f),
            None => self.general.as_ref().is_some_and(|d| {
                same(d.shape(), dims.shape()) && same(d.strides(), dims.strides())
            }),
        }
    }
}

/// One caller input as the signature sees it, with what binding it takes.
#[derive(Debug)]
struct SigInput {
    name: Box<str>,
    /// `name`'s length and first byte (0 if empty), checked first, without following
    /// `name`: names are often a single letter.
    name_len: usize,
    name0: u8,
    dtype: DType,
    /// Whether the input is a scalar (else an array of `dims`).
    scalar: bool,
    dims: DimsKey,
    /// The program argument this input provides, or [`UNUSED`].
    slot: u8,
    /// For arrays, the byte range `[lo, hi)` the input spans relative to its pointer, and
    /// whether it walks exactly like `out` (so that being `out` is fine).
    lo: isize,
    hi: isize,
    same_as_out: bool,
}

impl SigInput {
    /// `true` when `name` is this input's name.
    #[inline(always)]
    fn same_name(&self, name: &str) -> bool {
        let b = name.as_bytes();
        b.len() == self.name_len
            && b.first().is_none_or(|&c| c == self.name0)
            && (b.len() <= 1 || same(&b[1..], &self.name.as_bytes()[1..]))
    }
}

/// The argument pointers of one call, filled by [`RememberedCall::bind`] and read by
/// [`RememberedCall::run`]. Scalars are stored by value; `run` points at them only once the
/// binding no longer moves. Left uninitialised (no zeroing per call): a successful `bind`
/// writes every slot of its program, and nothing reads beyond them.
pub(crate) struct Binding {
    ptrs: [MaybeUninit<*const u8>; MAX_REMEMBERED_INPUTS],
    words: [MaybeUninit<u128>; MAX_REMEMBERED_INPUTS],
}

impl Binding {
    /// An empty binding.
    #[inline(always)]
    pub fn new() -> Binding {
        Binding {
            ptrs: [MaybeUninit::uninit(); MAX_REMEMBERED_INPUTS],
            words: [MaybeUninit::uninit(); MAX_REMEMBERED_INPUTS],
        }
    }
}

/// What [`RememberedCall::bind`] found for a call whose signature matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bound {
    /// Ready to run.
    Ready,
    /// An input overlaps `out` other than element for element: the general path's
    /// temporary is needed (the record itself is still right).
    Overlap,
}

/// A remembered signature with its prepared call: everything a call with that signature
/// needs besides the pointers.
pub(crate) struct RememberedCall {
    sig: Box<[SigInput]>,
    /// The broadcast result shape and the strides of `out` (for `eval`, the C strides of
    /// the fresh result).
    pub out: Dims,
    /// `out`'s dimensions, as compared per call.
    out_key: DimsKey,
    /// The result dtype.
    pub out_dtype: DType,
    /// The evaluator and math the call was prepared for (the store mode and threads are
    /// decided anew per call: [`PreparedCall::schedule_for`]).
    backend: Backend,
    math: MathImpl,
    codegen: Codegen,
    /// The number of program inputs.
    nargs: usize,
    /// Bit `k` set when program input `k` is a scalar (bound through a stack word).
    scalar_slots: u8,
    /// The byte range `out` spans relative to its pointer.
    out_extent: (isize, isize),
    call: PreparedCall,
}

impl RememberedCall {
    /// Remembers `call`, which just ran `typed` on `inputs` into a result of `out_shape`
    /// and `out_strides` with `opts`, or `None` when the call is not one this path serves
    /// (several outputs, more than [`MAX_REMEMBERED_INPUTS`] inputs, an empty result, or one
    /// caller input feeding two program inputs).
    pub fn new(
        call: PreparedCall,
        typed: &Typed,
        inputs: &[(&str, Arg)],
        out_shape: &[usize],
        out_strides: &[isize],
        opts: &EvalOptions,
    ) -> Option<RememberedCall> {
        let args = &typed.program_args;
        if typed.out_dtypes.len() != 1
            || args.len() > MAX_REMEMBERED_INPUTS
            || crate::runtime::checked_len(out_shape).is_none_or(|n| n == 0)
        {
            return None;
        }
        let mut sig: Vec<SigInput> = inputs
            .iter()
            .map(|(name, arg)| {
                let (dtype, dims) = match arg {
                    Arg::Array(v) => (v.dtype(), DimsKey::of(v.dims())),
                    Arg::Scalar(s) => (s.dtype(), DimsKey::NONE),
                };
                SigInput {
                    name: (*name).into(),
                    name_len: name.len(),
                    name0: name.as_bytes().first().copied().unwrap_or(0),
                    dtype,
                    scalar: matches!(arg, Arg::Scalar(_)),
                    dims,
                    slot: UNUSED,
                    lo: 0,
                    hi: 0,
                    same_as_out: false,
                }
            })
            .collect();
        let mut scalar_slots = 0u8;
        for (k, &i) in args.iter().enumerate() {
            let s = sig.get_mut(i)?;
            // Each program input names a distinct caller input; anything else would leave
            // a slot unbound here, so it is not remembered.
            if s.slot != UNUSED {
                return None;
            }
            s.slot = k as u8;
            match &inputs[i].1 {
                Arg::Array(v) => {
                    (s.lo, s.hi) = extent(v.shape(), v.strides(), v.dtype().size());
                    s.same_as_out = same_walk(v, typed.out_dtype, out_strides, out_shape);
                }
                Arg::Scalar(_) => scalar_slots |= 1 << k,
            }
        }
        let out = Dims::new(out_shape, out_strides);
        Some(RememberedCall {
            nargs: args.len(),
            scalar_slots,
            sig: sig.into(),
            out_key: DimsKey::of(&out),
            out,
            out_dtype: typed.out_dtype,
            backend: opts.backend,
            math: opts.math,
            codegen: opts.codegen,
            out_extent: extent(out_shape, out_strides, typed.out_dtype.size()),
            call,
        })
    }

    /// One pass over `inputs`: `None` unless they have exactly the remembered signature
    /// (and `out`, when given, the remembered dtype, shape and strides) and `opts` the
    /// remembered evaluator, math and code generator; else their pointers and scalar values are in `b`, and
    /// whether an input overlaps `out` other than element for element (the overlap check
    /// of `runtime::overlap`, with the ranges precomputed) says if it may run.
    #[inline(always)]
    pub fn bind(
        &self,
        inputs: &[(&str, Arg)],
        out: Option<&ArrayViewMut>,
        opts: &EvalOptions,
        b: &mut Binding,
    ) -> Option<Bound> {
        if self.sig.len() != inputs.len()
            || opts.backend != self.backend
            || opts.math != self.math
            || opts.codegen != self.codegen
        {
            return None;
        }
        // Without `out` (a fresh result) nothing can overlap: an empty range.
        let (o, olo, ohi) = match out {
            Some(out) => {
                if out.dtype() != self.out_dtype || !self.out_key.matches(out.dims()) {
                    return None;
                }
                let o = out.raw_ptr() as isize;
                (
                    o,
                    o.wrapping_add(self.out_extent.0),
                    o.wrapping_add(self.out_extent.1),
                )
            }
            None => (0, 0, 0),
        };
        // The smallest and largest addresses the bound arrays reach: when that envelope
        // misses `out` (the usual case), no input overlaps it and the exact per-input
        // test is skipped.
        let (mut lo_min, mut hi_max) = (isize::MAX, isize::MIN);
        for (s, (name, arg)) in self.sig.iter().zip(inputs) {
            if !s.same_name(name) {
                return None;
            }
            match arg {
                Arg::Array(v) => {
                    if v.dtype() != s.dtype || !s.dims.matches(v.dims()) {
                        return None;
                    }
                    if let Some(slot) = b.ptrs.get_mut(s.slot as usize) {
                        let p = v.as_ptr();
                        slot.write(p);
                        lo_min = lo_min.min((p as isize).wrapping_add(s.lo));
                        hi_max = hi_max.max((p as isize).wrapping_add(s.hi));
                    }
                }
                Arg::Scalar(x) => {
                    if !s.scalar || x.dtype() != s.dtype {
                        return None;
                    }
                    if let Some(w) = b.words.get_mut(s.slot as usize) {
                        w.write(super::prepared::scalar_word(x));
                    }
                }
            }
        }
        let clear = lo_min >= ohi || olo >= hi_max;
        Some(if clear || !self.overlaps_partially(inputs, o) {
            Bound::Ready
        } else {
            Bound::Overlap
        })
    }

    /// `true` when an input overlaps `out` (at `o`) other than as the very same elements in
    /// the very same order ([`conflicts`], with the ranges precomputed). Out of line: only
    /// reached when some input comes near `out`.
    #[cold]
    #[inline(never)]
    fn overlaps_partially(&self, inputs: &[(&str, Arg)], o: isize) -> bool {
        self.sig.iter().zip(inputs).any(|(s, (_, arg))| {
            let Arg::Array(v) = arg else {
                return false;
            };
            s.slot != UNUSED
                && conflicts(
                    v.as_ptr() as isize,
                    (s.lo, s.hi),
                    o,
                    self.out_extent,
                    s.same_as_out,
                )
        })
    }

    /// Runs the prepared call on the pointers [`RememberedCall::bind`] put in `b` (for this
    /// record) into a new array of the remembered shape and dtype.
    ///
    /// # Safety
    /// `b` was bound by this record's `bind` (without `out`) for inputs that are still
    /// borrowed.
    #[inline(never)]
    pub unsafe fn run_fresh(&self, b: &mut Binding, opts: &EvalOptions) -> Result<Array> {
        // SAFETY: the call writes every element of the fresh C-contiguous result (shape,
        // dtype and strides as remembered), which overlaps no input; `b` is the caller's.
        unsafe { Array::from_init(self.out_dtype, &self.out, |p| self.run(b, p, opts)) }
    }

    /// Runs the prepared call on the pointers [`RememberedCall::bind`] put in `b` (for this
    /// record) into `out`, which has the remembered shape, strides and the result dtype.
    ///
    /// # Safety
    /// `b` was bound by this record's `bind` for inputs that are still borrowed; `out`
    /// addresses writable memory for the remembered shape and strides that no input
    /// overlaps other than element for element, and nothing else accesses it meanwhile.
    #[inline]
    pub unsafe fn run(&self, b: &mut Binding, out: *mut u8, opts: &EvalOptions) {
        let n = self.nargs.min(MAX_REMEMBERED_INPUTS);
        if self.scalar_slots != 0 {
            // Scalars live in `b` for the whole run; the kernel reads them through
            // pointers, taken here because `b` no longer moves.
            for k in 0..n {
                if self.scalar_slots & (1 << k) != 0 {
                    b.ptrs[k].write(b.words[k].as_ptr() as *const u8);
                }
            }
        }
        // SAFETY: `bind` wrote the first `n` pointers (the caller's contract), and
        // `MaybeUninit<T>` has `T`'s layout.
        let ins = unsafe { std::slice::from_raw_parts(b.ptrs.as_ptr() as *const *const u8, n) };
        let s = self.call.schedule_for(opts);
        // SAFETY: the call was prepared for this signature; the caller guarantees the
        // inputs and `out`.
        unsafe { self.call.execute(ins, &[out], s) };
    }
}

/// The remembered calls of one entry point: the current one, read without locking, and
/// up to [`MAX_RECORDS`] earlier ones to switch back to.
#[derive(Default)]
pub(crate) struct RememberedCalls {
    /// Null, or one of `records`.
    current: AtomicPtr<RememberedCall>,
    /// Owns every record; boxes never move, and are freed only with the slot.
    #[allow(clippy::vec_box)] // the boxes keep each record's address fixed as the vector grows
    records: Mutex<Vec<Box<RememberedCall>>>,
}

impl RememberedCalls {
    /// The first remembered record for which `try_call` gives `Some`, with that answer.
    /// The current record costs one atomic load; the others are searched under a lock
    /// (skipped when another thread holds it: a miss only means the general path).
    #[inline]
    pub fn get<R>(
        &self,
        mut try_call: impl FnMut(&RememberedCall) -> Option<R>,
    ) -> Option<(&RememberedCall, R)> {
        // SAFETY: `current` is null or points into a box of `records`, which lives (and
        // stays unmodified) as long as `self`.
        if let Some(l) = unsafe { self.current.load(Ordering::Acquire).as_ref() } {
            if let Some(r) = try_call(l) {
                return Some((l, r));
            }
        }
        self.search(try_call)
    }

    /// The locked part of [`RememberedCalls::get`], out of line: it is the rare case.
    #[cold]
    #[inline(never)]
    fn search<R>(
        &self,
        mut try_call: impl FnMut(&RememberedCall) -> Option<R>,
    ) -> Option<(&RememberedCall, R)> {
        let g = self.records.try_lock().ok()?;
        let (l, r) = g.iter().rev().find_map(|l| Some((&**l, try_call(l)?)))?;
        self.current.store(
            l as *const RememberedCall as *mut RememberedCall,
            Ordering::Release,
        );
        // SAFETY: the box outlives the guard: records are dropped only with `self`.
        Some((unsafe { &*(l as *const RememberedCall) }, r))
    }

    /// `true` when a new record would be turned away (full or busy): callers then skip
    /// building one.
    pub fn is_full(&self) -> bool {
        self.records
            .try_lock()
            .map_or(true, |g| g.len() >= MAX_RECORDS)
    }

    /// Remembers `call` and makes it current, unless the slot is full or busy.
    pub fn set(&self, call: RememberedCall) {
        let Ok(mut g) = self.records.try_lock() else {
            return;
        };
        if g.len() >= MAX_RECORDS {
            return;
        }
        let b = Box::new(call);
        let p = &*b as *const RememberedCall as *mut RememberedCall;
        g.push(b);
        self.current.store(p, Ordering::Release);
    }
}

impl Drop for RememberedCalls {
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
                // Each call twice: the second is a remembered call.
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

    /// In place stays element-wise on a remembered call; a partial overlap still reads the old
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

    /// Above the parallel threshold a remembered call splits the work; every thread count
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

    /// Names are compared by content on every call: equal lengths with different first,
    /// middle or last bytes, a name at a new address, and a name rewritten in place (same
    /// address, same length, new bytes) are each told apart.
    #[test]
    fn names_compared_by_content() {
        let x = [1.0f64, 2.0];
        let y = [10.0f64, 20.0];
        for (p, q) in [
            ("ab", "ac"),
            ("ab", "cb"),
            ("alpha1", "alpha2"),
            ("xa_y", "xb_y"),
        ] {
            let e = Expr::compile(&format!("{p} - 2*{q}")).unwrap();
            for _ in 0..2 {
                let r = e.eval(&[(p, (&x).into()), (q, (&y).into())]).unwrap();
                assert_eq!(r.to_vec::<f64>(), vec![-19.0, -38.0], "{p} {q}");
                let r = e.eval(&[(q, (&x).into()), (p, (&y).into())]).unwrap();
                assert_eq!(r.to_vec::<f64>(), vec![8.0, 16.0], "{q} {p}");
                let mut out = [0.0f64; 2];
                let inputs = [(q, Arg::from(&x)), (p, Arg::from(&y))];
                e.eval_into(
                    &inputs,
                    &mut ArrayViewMut::from_slice_mut(&mut out),
                    &opts(1),
                )
                .unwrap();
                assert_eq!(out, [8.0, 16.0]);
            }
        }
        let e = Expr::compile("ab - ac").unwrap();
        let mut name = String::from("ab");
        let mut out = [0.0f64; 2];
        for round in 0..4 {
            // A fresh copy (new address) of the same name is the same signature.
            let fresh = name.clone();
            let inputs = [(fresh.as_str(), Arg::from(&x)), ("ac", Arg::from(&y))];
            e.eval_into(
                &inputs,
                &mut ArrayViewMut::from_slice_mut(&mut out),
                &opts(1),
            )
            .unwrap();
            assert_eq!(out, [-9.0, -18.0], "round {round}");
        }
        e.eval_into(
            &[(name.as_str(), Arg::from(&x)), ("ac", Arg::from(&y))],
            &mut ArrayViewMut::from_slice_mut(&mut out),
            &opts(1),
        )
        .unwrap();
        // Rewritten in place: same pointer and length, other bytes: now a duplicate name.
        name.replace_range(1..2, "c");
        let err = e
            .eval_into(
                &[(name.as_str(), Arg::from(&x)), ("ac", Arg::from(&y))],
                &mut ArrayViewMut::from_slice_mut(&mut out),
                &opts(1),
            )
            .unwrap_err();
        assert!(err.message.contains("more than once"), "{err:?}");
    }

    /// Inputs on both sides of `out` in one buffer: their envelope covers `out`, yet none
    /// overlaps it, so the remembered call runs; shifting one onto `out` is then caught.
    #[test]
    fn inputs_around_out() {
        let e = Expr::compile("a + b").unwrap();
        let n = 4usize;
        let mut buf: Vec<f64> = (0..3 * n).map(|i| i as f64).collect();
        let ptr = buf.as_mut_ptr();
        for _ in 0..3 {
            // SAFETY: three disjoint thirds of `buf`, used only during the call.
            let (a, b, mut out) = unsafe {
                (
                    ArrayView::from_raw_parts(ptr as *const u8, DType::F64, &[n], &[8]),
                    ArrayView::from_raw_parts(ptr.add(2 * n) as *const u8, DType::F64, &[n], &[8]),
                    ArrayViewMut::from_raw_parts(ptr.add(n) as *mut u8, DType::F64, &[n], &[8]),
                )
            };
            e.eval_into(&[("a", a.into()), ("b", b.into())], &mut out, &opts(1))
                .unwrap();
        }
        let want: Vec<f64> = (0..n).map(|i| (i + i + 2 * n) as f64).collect();
        assert_eq!(&buf[n..2 * n], &want[..]);
        for _ in 0..2 {
            let old = buf.clone();
            // SAFETY: all within `buf`; `b` now starts one element into `out`.
            let (a, b, mut out) = unsafe {
                (
                    ArrayView::from_raw_parts(ptr as *const u8, DType::F64, &[n], &[8]),
                    ArrayView::from_raw_parts(ptr.add(n + 1) as *const u8, DType::F64, &[n], &[8]),
                    ArrayViewMut::from_raw_parts(ptr.add(n) as *mut u8, DType::F64, &[n], &[8]),
                )
            };
            e.eval_into(&[("a", a.into()), ("b", b.into())], &mut out, &opts(1))
                .unwrap();
            for i in 0..n {
                assert_eq!(buf[n + i], old[i] + old[n + 1 + i], "element {i}");
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
