//! Splitting a collapsed iteration space into work items and running them, on the calling
//! thread or shared with the workers of `threads`' team.

use super::broadcast::Collapsed;
use super::threads;
use crate::codegen::{Access, KernelFn, Layout};
use crate::types::DType;

/// Elements per work item: big enough that per-item overhead (a kernel call, pointer
/// arithmetic, taking the item from a shared counter) is noise, small enough that each item's operands (a few
/// arrays × 16K × 8 bytes) stay in L2 and that load balances across cores.
pub const CHUNK: usize = 16 * 1024;

/// The shortest work item: kernels whose elements are costly (libm calls) use items this
/// short, down from [`CHUNK`], so that a few thousand elements can still be shared between
/// threads (see `work::chunk_len`).
pub const MIN_CHUNK: usize = 1024;

/// A collapsed iteration space: its shape and, per operand, its strides. The operands'
/// addresses are not part of it ([`Operands`]), so a remembered call re-binds new data to
/// the same iteration without rebuilding it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Iteration {
    /// At least one axis; the last is the inner loop.
    pub shape: Vec<usize>,
    /// Strides of each input over `shape`.
    pub in_strides: Vec<Vec<isize>>,
    /// Strides of each output over `shape`.
    pub out_strides: Vec<Vec<isize>>,
}

/// The base addresses one run binds to an [`Iteration`]: each operand's element at index 0
/// along every axis.
#[derive(Clone, Copy)]
pub(crate) struct Operands<'a> {
    /// One per input row of the iteration.
    pub ins: &'a [*const u8],
    /// One per output row of the iteration.
    pub outs: &'a [*mut u8],
}

// SAFETY: operands only carry addresses of memory the caller keeps borrowed for the whole
// run (inputs shared, outputs exclusive); work items write disjoint output elements.
unsafe impl Send for Operands<'_> {}
// SAFETY: as above.
unsafe impl Sync for Operands<'_> {}

impl<'a> Operands<'a> {
    /// The input addresses. (Closures that run on other threads call this rather than
    /// read the field, so that they capture the `Sync` whole, not a bare slice of raw
    /// pointers.)
    fn ins(&self) -> &'a [*const u8] {
        self.ins
    }

    /// The output addresses (see [`Operands::ins`]).
    fn outs(&self) -> &'a [*mut u8] {
        self.outs
    }
}

impl Iteration {
    /// Splits collapsed strides whose last `outputs` rows are the outputs'. Collapsing the
    /// outputs' rows with the inputs' keeps one iteration space for all.
    pub fn new(c: Collapsed, outputs: usize) -> Iteration {
        let mut in_strides = c.strides;
        let out_strides = in_strides.split_off(in_strides.len().saturating_sub(outputs));
        Iteration {
            shape: c.shape,
            in_strides,
            out_strides,
        }
    }

    /// The total number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The kernel layout: per input its inner-loop access, and per output its own.
    pub fn layout(&self, in_dtypes: &[DType], out_dtypes: &[DType]) -> Layout {
        layout_for(
            self.in_strides.iter().map(Vec::as_slice),
            self.out_strides.iter().map(Vec::as_slice),
            in_dtypes,
            out_dtypes,
        )
    }

    /// Each input's stride along the inner loop.
    pub fn inner_in_strides(&self) -> impl Iterator<Item = isize> + '_ {
        self.in_strides.iter().map(|s| s[s.len() - 1])
    }

    /// Each output's stride along the inner loop.
    pub fn inner_out_strides(&self) -> impl Iterator<Item = isize> + '_ {
        self.out_strides.iter().map(|s| s[s.len() - 1])
    }
}

fn layout_for<'s>(
    in_strides: impl Iterator<Item = &'s [isize]>,
    out_strides: impl Iterator<Item = &'s [isize]>,
    in_dtypes: &[DType],
    out_dtypes: &[DType],
) -> Layout {
    let inner = |s: &[isize]| *s.last().expect("iterations have an axis");
    Layout {
        inputs: in_strides
            .zip(in_dtypes)
            .map(|(s, d)| match inner(s) {
                0 => Access::Broadcast,
                st if st == d.size() as isize => Access::Contiguous,
                _ => Access::Strided,
            })
            .collect(),
        outputs: out_strides
            .zip(out_dtypes)
            .map(|(s, d)| {
                if inner(s) == d.size() as isize {
                    Access::Contiguous
                } else {
                    Access::Strided
                }
            })
            .collect(),
    }
}

/// How the iteration space `outer × inner` is cut into work items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Split {
    outer: usize,
    inner: usize,
    /// Inner-loop pieces per row (1 when rows are short).
    pieces_per_row: usize,
    /// Elements per inner piece (the last one may be shorter).
    piece_len: usize,
    /// Whole rows per work item when rows are short (1 otherwise).
    rows_per_item: usize,
}

impl Split {
    /// Cuts `outer` rows of `inner` elements into items of about `chunk` elements.
    pub fn new(outer: usize, inner: usize, chunk: usize) -> Split {
        let chunk = chunk.max(1);
        if inner >= chunk {
            // Equal pieces, so the last one is not a sliver.
            let pieces = inner.div_ceil(chunk);
            Split {
                outer,
                inner,
                pieces_per_row: pieces,
                piece_len: inner.div_ceil(pieces),
                rows_per_item: 1,
            }
        } else {
            Split {
                outer,
                inner,
                pieces_per_row: 1,
                piece_len: inner,
                rows_per_item: (chunk / inner.max(1)).max(1),
            }
        }
    }

    /// The number of work items.
    pub fn items(&self) -> usize {
        if self.pieces_per_row > 1 {
            self.outer * self.pieces_per_row
        } else {
            self.outer.div_ceil(self.rows_per_item)
        }
    }

    /// Calls `f(row, start, len)` for each piece of item `i`.
    pub fn for_each_piece(&self, i: usize, mut f: impl FnMut(usize, usize, usize)) {
        if self.pieces_per_row > 1 {
            let row = i / self.pieces_per_row;
            let start = (i % self.pieces_per_row) * self.piece_len;
            f(row, start, self.piece_len.min(self.inner - start));
        } else {
            let first = i * self.rows_per_item;
            let last = (first + self.rows_per_item).min(self.outer);
            for row in first..last {
                f(row, 0, self.inner);
            }
        }
    }
}

/// Byte offset of outer row `row` (C order over `outer_shape`) for strides `strides`.
fn row_offset(mut row: usize, outer_shape: &[usize], strides: &[isize]) -> isize {
    let mut off = 0isize;
    for (&d, &s) in outer_shape.iter().zip(strides).rev() {
        let i = row % d;
        row /= d;
        off = off.wrapping_add((i as isize).wrapping_mul(s));
    }
    off
}

/// Work items per thread a run shorter than `threads` full chunks is cut into: a late
/// thread then still finds items left, and the rest are balanced.
const ITEMS_PER_THREAD: usize = 4;

/// Runs `body(inputs, inner_strides, outs, out_strides, len)` on every piece of `it` bound
/// to `ops`, on the calling thread or on `threads` threads. `body` gets pointers to each
/// operand's first element of the piece.
pub(crate) fn for_each_piece<F>(
    it: &Iteration,
    ops: Operands,
    threads: usize,
    chunk: usize,
    body: F,
) where
    F: Fn(&[*const u8], &[isize], &[*mut u8], &[isize], usize) + Sync,
{
    let ndim = it.shape.len();
    let inner = it.shape[ndim - 1];
    let outer_shape = &it.shape[..ndim - 1];
    let outer: usize = outer_shape.iter().product();
    let chunk = if threads > 1 {
        chunk.min(it.len().div_ceil(threads * ITEMS_PER_THREAD).max(MIN_CHUNK))
    } else {
        chunk
    };
    let split = Split::new(outer, inner, chunk);
    let inner_strides: Vec<isize> = it.inner_in_strides().collect();
    let out_inner: Vec<isize> = it.inner_out_strides().collect();

    let run_item = |item: usize, (ptrs, outs): &mut Ptrs| {
        split.for_each_piece(item, |row, start, len| {
            let at = |s: &[isize]| {
                row_offset(row, outer_shape, s)
                    .wrapping_add((start as isize).wrapping_mul(s[ndim - 1]))
            };
            ptrs.clear();
            for (&base, s) in ops.ins().iter().zip(&it.in_strides) {
                ptrs.push(base.wrapping_offset(at(s)));
            }
            outs.clear();
            for (&base, s) in ops.outs().iter().zip(&it.out_strides) {
                outs.push(base.wrapping_offset(at(s)));
            }
            body(ptrs, &inner_strides, outs, &out_inner, len);
        });
    };
    let scratch = || -> Ptrs {
        (
            Vec::with_capacity(ops.ins().len()),
            Vec::with_capacity(ops.outs().len()),
        )
    };

    let items = split.items();
    // Two work items at least, so that a second thread has something to do. Compiled
    // kernels additionally need enough estimated work (`work::parallel_threshold`, or the
    // tuner's measurements); the interpreter's elements are costly enough that this floor
    // suffices.
    let shared = threads > 1
        && items > 1
        && it.len() >= 2 * MIN_CHUNK
        && threads::share_items(threads, items, scratch, |i, p| run_item(i, p));
    if !shared {
        let mut p = scratch();
        for i in 0..items {
            run_item(i, &mut p);
        }
    }
}

/// Calls `body(inputs, len, done)` for each row piece of the logical elements
/// `lo..lo+n` (C order over `it.shape`) of `it` bound to the input addresses `ins`, in
/// order: `inputs` are each input's address of the piece's first element, `len` its
/// element count and `done` how many elements of the range came before it. Each piece's
/// inputs step by the inner strides ([`Iteration::inner_in_strides`]).
pub(crate) fn for_each_range_piece(
    it: &Iteration,
    ins: &[*const u8],
    lo: usize,
    n: usize,
    mut body: impl FnMut(&[*const u8], usize, usize),
) {
    let ndim = it.shape.len();
    let inner = it.shape[ndim - 1];
    let outer_shape = &it.shape[..ndim - 1];
    let (mut row, mut col) = (lo / inner.max(1), lo % inner.max(1));
    // The piece's addresses, on the stack for the usual few inputs: this runs per block.
    let (mut stack, mut heap) = ([std::ptr::null::<u8>(); 16], Vec::new());
    let ptrs: &mut [*const u8] = if ins.len() <= stack.len() {
        &mut stack[..ins.len()]
    } else {
        heap.resize(ins.len(), std::ptr::null());
        &mut heap
    };
    let mut done = 0;
    while done < n {
        let len = (inner - col).min(n - done);
        for ((p, &base), s) in ptrs.iter_mut().zip(ins).zip(&it.in_strides) {
            let off = row_offset(row, outer_shape, s)
                .wrapping_add((col as isize).wrapping_mul(s[ndim - 1]));
            *p = base.wrapping_offset(off);
        }
        body(ptrs, len, done);
        done += len;
        row += 1;
        col = 0;
    }
}

/// Per-piece pointers to the inputs' and the outputs' first elements, reused across pieces.
type Ptrs = (Vec<*const u8>, Vec<*mut u8>);

/// Runs a compiled kernel over `it` bound to `ops`.
///
/// # Safety
/// `f` must be a kernel compiled for `it.layout(..)` with the operands' dtypes, and every
/// address the bound iteration reaches must be valid for it (inputs readable, outputs
/// writable).
pub(crate) unsafe fn run_kernel(
    it: &Iteration,
    ops: Operands,
    f: KernelFn,
    threads: usize,
    chunk: usize,
) {
    for_each_piece(
        it,
        ops,
        threads,
        chunk,
        |ptrs, strides, outs, out_strides, len| {
            // SAFETY: the caller guarantees the kernel matches the iteration and the memory
            // is valid.
            unsafe {
                f(
                    len,
                    ptrs.as_ptr(),
                    strides.as_ptr(),
                    outs.as_ptr(),
                    out_strides.as_ptr(),
                )
            }
        },
    );
}

/// Copies every element of input `k` to output `k` of `it` bound to `ops`, for every `k`;
/// `sizes[k]` is the element size in bytes of pair `k`.
///
/// # Safety
/// The iteration has as many inputs as outputs and `sizes` one entry per pair; every
/// address it reaches is valid (inputs readable, outputs writable) and no input overlaps
/// an output.
pub(crate) unsafe fn copy_elements(it: &Iteration, ops: Operands, sizes: &[usize], threads: usize) {
    for_each_piece(
        it,
        ops,
        threads,
        CHUNK,
        |ptrs, strides, outs, out_strides, len| {
            for (k, &size) in sizes.iter().enumerate() {
                if strides[k] == size as isize && out_strides[k] == size as isize {
                    // Both contiguous: one copy, not a call per element.
                    // SAFETY: forwarded from the caller: `len` elements at each.
                    unsafe { std::ptr::copy_nonoverlapping(ptrs[k], outs[k], len * size) };
                    continue;
                }
                for i in 0..len as isize {
                    // SAFETY: forwarded from the caller.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            ptrs[k].wrapping_offset(i * strides[k]),
                            outs[k].wrapping_offset(i * out_strides[k]),
                            size,
                        )
                    };
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::super::broadcast::{broadcast_strides, collapse};
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn split_covers_everything_once() {
        for chunk in [CHUNK, MIN_CHUNK, 1000] {
            split_covers_everything_once_with(chunk);
        }
    }

    fn split_covers_everything_once_with(chunk: usize) {
        for &(outer, inner) in &[
            (1, 0),
            (1, 1),
            (1, chunk),
            (1, chunk + 1),
            (3, 5 * chunk - 7),
            (1000, 3),
            (7, chunk / 2 + 1),
            (0, 10),
        ] {
            let s = Split::new(outer, inner, chunk);
            let mut seen = HashSet::new();
            for i in 0..s.items() {
                let mut in_item = 0;
                s.for_each_piece(i, |row, start, len| {
                    assert!(row < outer && start + len <= inner);
                    in_item += len;
                    for k in start..start + len {
                        assert!(seen.insert((row, k)), "({row}, {k}) twice");
                    }
                });
                assert!(in_item <= 2 * chunk, "item of {in_item} elements");
            }
            assert_eq!(seen.len(), outer * inner, "outer {outer} inner {inner}");
        }
    }

    #[test]
    fn long_rows_split_into_even_pieces() {
        let s = Split::new(1, 2 * CHUNK + 2, CHUNK);
        assert_eq!(s.items(), 3);
        let mut lens = vec![];
        for i in 0..3 {
            s.for_each_piece(i, |_, _, len| lens.push(len));
        }
        assert_eq!(lens.iter().sum::<usize>(), 2 * CHUNK + 2);
        let (lo, hi) = (lens.iter().min().unwrap(), lens.iter().max().unwrap());
        assert!(hi - lo < 3, "uneven pieces {lens:?}");
    }

    #[test]
    fn row_offsets_follow_c_order() {
        assert_eq!(row_offset(5, &[2, 3], &[100, 10]), 100 + 2 * 10);
        assert_eq!(row_offset(0, &[], &[]), 0);
        assert_eq!(row_offset(3, &[4], &[-8]), -24);
    }

    /// `out = a + b` over f64, honouring each operand's access as the layout says.
    unsafe extern "C" fn add_f64(
        n: usize,
        inputs: *const *const u8,
        strides: *const isize,
        outs: *const *mut u8,
        out_strides: *const isize,
    ) {
        // SAFETY: the kernel ABI: two input pointers and strides, one output, `n` elements
        // each, all valid (the callers' contract).
        unsafe {
            let (out, out_stride) = (*outs, *out_strides);
            let a = *inputs;
            let b = *inputs.add(1);
            let (sa, sb) = (*strides, *strides.add(1));
            for i in 0..n as isize {
                let x = *(a.offset(i * sa) as *const f64);
                let y = *(b.offset(i * sb) as *const f64);
                *(out.offset(i * out_stride) as *mut f64) = x + y;
            }
        }
    }

    /// Runs `add_f64` the way the driver does: broadcast, collapse, bind, run.
    fn add(
        a: (&[f64], &[usize], &[isize]),
        b: (&[f64], &[usize], &[isize]),
        out_shape: &[usize],
        out: &mut [f64],
        out_strides: &[isize],
        threads: usize,
    ) -> Layout {
        let sa = broadcast_strides(a.1, a.2, out_shape);
        let sb = broadcast_strides(b.1, b.2, out_shape);
        let c = collapse(out_shape, &[sa, sb, out_strides.to_vec()]);
        let it = Iteration::new(c, 1);
        let ins = [a.0.as_ptr() as *const u8, b.0.as_ptr() as *const u8];
        let outs = [out.as_mut_ptr() as *mut u8];
        let layout = it.layout(&[DType::F64, DType::F64], &[DType::F64]);
        let ops = Operands {
            ins: &ins,
            outs: &outs,
        };
        // SAFETY: the kernel reads two f64 operands and writes f64, all within the slices.
        unsafe { run_kernel(&it, ops, add_f64, threads, CHUNK) };
        layout
    }

    #[test]
    fn contiguous_large_across_thread_counts() {
        let n = 5 * CHUNK + 123;
        let a: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
        let b: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
        let want: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        for threads in [1, 2, 4] {
            let mut out = vec![0.0; n];
            let l = add(
                (&a, &[n], &[8]),
                (&b, &[n], &[8]),
                &[n],
                &mut out,
                &[8],
                threads,
            );
            assert_eq!(l.inputs, vec![Access::Contiguous, Access::Contiguous]);
            assert_eq!(out, want, "threads {threads}");
        }
    }

    #[test]
    fn broadcast_row_and_scalar_2d() {
        // a: (rows, cols) C-order; b: (cols,) broadcast along rows.
        let (rows, cols) = (300, 301);
        let a: Vec<f64> = (0..rows * cols).map(|i| i as f64).collect();
        let b: Vec<f64> = (0..cols).map(|j| j as f64 * 1000.0).collect();
        for threads in [1, 2, 4] {
            let mut out = vec![0.0; rows * cols];
            let cs = [cols as isize * 8, 8];
            let l = add(
                (&a, &[rows, cols], &cs),
                (&b, &[cols], &[8]),
                &[rows, cols],
                &mut out,
                &cs,
                threads,
            );
            assert_eq!(l.inputs, vec![Access::Contiguous, Access::Contiguous]);
            for i in 0..rows {
                for j in 0..cols {
                    assert_eq!(out[i * cols + j], a[i * cols + j] + b[j]);
                }
            }
        }
        // A 0-d scalar: Broadcast access, one collapsed axis.
        let s = [2.5f64];
        let mut out = vec![0.0; rows * cols];
        let cs = [cols as isize * 8, 8];
        let l = add(
            (&a, &[rows, cols], &cs),
            (&s, &[], &[]),
            &[rows, cols],
            &mut out,
            &cs,
            2,
        );
        assert_eq!(l.inputs, vec![Access::Contiguous, Access::Broadcast]);
        assert!(out.iter().zip(&a).all(|(o, x)| *o == x + 2.5));
    }

    #[test]
    fn strided_reversed_and_transposed() {
        let n = 3 * CHUNK;
        let a: Vec<f64> = (0..2 * n).map(|i| i as f64).collect();
        let b: Vec<f64> = (0..n).map(|i| -(i as f64)).collect();
        // a[::2] + b[::-1]: b's view starts at its last element and steps back.
        let b_rev = b.as_ptr().wrapping_add(n - 1);
        for threads in [1, 2, 4] {
            let mut out = vec![0.0; n];
            let sa = broadcast_strides(&[n], &[16], &[n]);
            let sb = broadcast_strides(&[n], &[-8], &[n]);
            let c = collapse(&[n], &[sa, sb, vec![8]]);
            let it = Iteration::new(c, 1);
            let l = it.layout(&[DType::F64, DType::F64], &[DType::F64]);
            assert_eq!(l.inputs, vec![Access::Strided, Access::Strided]);
            let ops = Operands {
                ins: &[a.as_ptr() as *const u8, b_rev as *const u8],
                outs: &[out.as_mut_ptr() as *mut u8],
            };
            // SAFETY: every element read is within `a` or `b` (b_rev steps back into `b`).
            unsafe { run_kernel(&it, ops, add_f64, threads, CHUNK) };
            for i in 0..n {
                assert_eq!(out[i], a[2 * i] + b[n - 1 - i]);
            }
        }
        // Transposed (3, 4) view of a (4, 3) array plus a C-order (3, 4) array.
        let t: Vec<f64> = (0..12).map(|i| i as f64).collect();
        let c2: Vec<f64> = (0..12).map(|i| 100.0 * i as f64).collect();
        let mut out = vec![0.0; 12];
        add(
            (&t, &[3, 4], &[8, 24]),
            (&c2, &[3, 4], &[32, 8]),
            &[3, 4],
            &mut out,
            &[32, 8],
            1,
        );
        for i in 0..3 {
            for j in 0..4 {
                assert_eq!(out[i * 4 + j], t[j * 3 + i] + c2[i * 4 + j]);
            }
        }
    }

    #[test]
    fn strided_output_and_column_broadcast() {
        // out is a transposed (4, 3) view of a (3, 4) buffer; a is a (4, 1) column.
        let a = [1.0f64, 2.0, 3.0, 4.0];
        let b: Vec<f64> = (0..12).map(|i| i as f64 * 10.0).collect();
        for threads in [1, 2, 4] {
            let mut buf = vec![0.0; 12];
            let l = add(
                (&a, &[4, 1], &[8, 8]),
                (&b, &[4, 3], &[24, 8]),
                &[4, 3],
                &mut buf,
                &[8, 32],
                threads,
            );
            assert_eq!(l.outputs, vec![Access::Strided]);
            assert_eq!(l.inputs[0], Access::Broadcast);
            for i in 0..4 {
                for j in 0..3 {
                    assert_eq!(buf[j * 4 + i], a[i] + b[i * 3 + j]);
                }
            }
        }
    }

    /// `out0 = a + b`, `out1 = a * b` over f64, honouring strides.
    unsafe extern "C" fn add_mul_f64(
        n: usize,
        inputs: *const *const u8,
        strides: *const isize,
        outs: *const *mut u8,
        out_strides: *const isize,
    ) {
        // SAFETY: the kernel ABI: two inputs and two outputs with their strides, `n`
        // elements each, all valid (the callers' contract).
        unsafe {
            let (a, b) = (*inputs, *inputs.add(1));
            let (sa, sb) = (*strides, *strides.add(1));
            let (o0, o1) = (*outs, *outs.add(1));
            let (s0, s1) = (*out_strides, *out_strides.add(1));
            for i in 0..n as isize {
                let x = *(a.offset(i * sa) as *const f64);
                let y = *(b.offset(i * sb) as *const f64);
                *(o0.offset(i * s0) as *mut f64) = x + y;
                *(o1.offset(i * s1) as *mut f64) = x * y;
            }
        }
    }

    #[test]
    fn two_outputs_with_their_own_strides() {
        // a: (rows, cols) C order, b: a (cols,) row; out0 C order, out1 transposed.
        let (rows, cols) = (70, 1000);
        let a: Vec<f64> = (0..rows * cols).map(|i| i as f64 * 0.5).collect();
        let b: Vec<f64> = (0..cols).map(|j| j as f64 - 3.0).collect();
        let shape = [rows, cols];
        for threads in [1, 2, 4] {
            let mut o0 = vec![0.0f64; rows * cols];
            let mut o1 = vec![0.0f64; rows * cols];
            let c = collapse(
                &shape,
                &[
                    vec![cols as isize * 8, 8],
                    broadcast_strides(&[cols], &[8], &shape),
                    vec![cols as isize * 8, 8],
                    vec![8, rows as isize * 8],
                ],
            );
            let it = Iteration::new(c, 2);
            let l = it.layout(&[DType::F64; 2], &[DType::F64; 2]);
            assert_eq!(l.outputs, vec![Access::Contiguous, Access::Strided]);
            let ops = Operands {
                ins: &[a.as_ptr() as *const u8, b.as_ptr() as *const u8],
                outs: &[o0.as_mut_ptr() as *mut u8, o1.as_mut_ptr() as *mut u8],
            };
            // SAFETY: the iteration addresses only elements of `a`, `b`, `o0` and `o1`.
            unsafe { run_kernel(&it, ops, add_mul_f64, threads, CHUNK) };
            for i in 0..rows {
                for j in 0..cols {
                    assert_eq!(o0[i * cols + j], a[i * cols + j] + b[j]);
                    assert_eq!(o1[j * rows + i], a[i * cols + j] * b[j]);
                }
            }
            // Copying pairs back: input k to output k.
            let mut c0 = vec![0.0f64; rows * cols];
            let mut c1 = vec![0.0f64; rows * cols];
            let rows_ = [vec![cols as isize * 8, 8], vec![8, rows as isize * 8]];
            let c = collapse(
                &shape,
                &[
                    rows_[0].clone(),
                    rows_[1].clone(),
                    rows_[0].clone(),
                    rows_[1].clone(),
                ],
            );
            let it = Iteration::new(c, 2);
            let ops = Operands {
                ins: &[o0.as_ptr() as *const u8, o1.as_ptr() as *const u8],
                outs: &[c0.as_mut_ptr() as *mut u8, c1.as_mut_ptr() as *mut u8],
            };
            // SAFETY: four distinct buffers of rows × cols f64.
            unsafe { copy_elements(&it, ops, &[8, 8], threads) };
            assert_eq!((c0 == o0, c1 == o1), (true, true));
        }
    }

    /// Every (input offsets…, output offset) tuple `it` bound to `ops` visits, relative to
    /// the bases.
    fn visited(it: &Iteration, ops: Operands, threads: usize) -> Vec<Vec<isize>> {
        let seen = std::sync::Mutex::new(Vec::new());
        for_each_piece(
            it,
            ops,
            threads,
            CHUNK,
            |ptrs, strides, outs, out_strides, len| {
                let mut local = Vec::with_capacity(len);
                for i in 0..len as isize {
                    let mut t: Vec<isize> = ptrs
                        .iter()
                        .zip(ops.ins())
                        .zip(strides)
                        .map(|((&p, &b), &s)| p as isize - b as isize + i * s)
                        .collect();
                    for ((&o, &b), &s) in outs.iter().zip(ops.outs()).zip(out_strides) {
                        t.push(o as isize - b as isize + i * s);
                    }
                    local.push(t);
                }
                seen.lock().unwrap().extend(local);
            },
        );
        let mut v = seen.into_inner().unwrap();
        v.sort();
        v
    }

    proptest::proptest! {
        /// Collapsing and chunking visit exactly the elements a naive n-d loop visits.
        #[test]
        fn iterations_visit_what_a_naive_loop_visits(
            shape in proptest::collection::vec(1usize..6, 0..4),
            raw in proptest::collection::vec(proptest::collection::vec(-3isize..4, 4), 5),
            outputs in 1usize..4,
            threads in 1usize..4,
        ) {
            // Two inputs and 1–3 outputs, whose rows collapse together.
            let raw = &raw[..2 + outputs];
            let nd = shape.len();
            let rows: Vec<Vec<isize>> = raw.iter().map(|r| r[..nd].iter().map(|s| s * 8).collect()).collect();
            let mut want = Vec::new();
            let total: usize = shape.iter().product();
            for flat in 0..total {
                let mut rem = flat;
                let mut t = vec![0isize; rows.len()];
                for d in (0..nd).rev() {
                    let i = (rem % shape[d]) as isize;
                    rem /= shape[d];
                    for (k, r) in rows.iter().enumerate() {
                        t[k] += i * r[d];
                    }
                }
                want.push(t);
            }
            want.sort();
            let base = 1usize << 30;
            let it = Iteration::new(collapse(&shape, &rows), outputs);
            let ins = [base as *const u8, (base * 2) as *const u8];
            let outs: Vec<*mut u8> = (0..outputs).map(|k| (base * (3 + k)) as *mut u8).collect();
            proptest::prop_assert_eq!(it.out_strides.len(), outputs);
            let ops = Operands { ins: &ins, outs: &outs };
            proptest::prop_assert_eq!(visited(&it, ops, threads), want);
        }
    }
}
