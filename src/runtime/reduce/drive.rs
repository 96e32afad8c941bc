//! Running a reduction's sweep: on the calling thread for small inputs, else inside the
//! rayon pool, split over outputs, tiles or (for one long run) pairwise halves. Where work
//! is split never changes what is computed, only which thread computes it.

use super::kernel::Kern;
use super::layout::{AllSrc, AxisSweep, Sweep};
use super::rowfold;
use super::rows::{reduce_rows, Tile};
use super::seq::{reduce_range, Ahead, Fork, Run, StrideAt};
use super::whole::reduce_all;
use crate::runtime::prefetch::ahead_from;
use crate::runtime::threads;
use rayon::prelude::*;

/// Outputs computed together in row mode: eight accumulator rows of this many values stay
/// in L1 (16 KiB for `complex128`).
pub(super) const TILE: usize = 128;

/// Outputs computed together in row mode where the input is larger than the last-level
/// cache and each row of the tile is contiguous: whole rows of up to this many elements,
/// so that every row is read from DRAM in long streams (a float sum's leaf reads its rows
/// a class at a time, `floatrows`; the generic leaf's eight accumulator rows live in L2).
/// `sum(a, axis=0)` over 10000 × 1000 float64 (80 MB), AMD EPYC Zen 4, one thread and
/// two, ns per element, generic leaf: tiles of 128 columns 0.99 and 0.55, of 512 (still a
/// fraction of each row) 1.1 and 0.52, whole rows 0.52–0.60 and 0.31 (NumPy, one thread:
/// 0.33). Within the cache the narrow tiles stay ahead (1e6 elements, two threads: 0.109
/// against 0.123).
pub(super) const WIDE_TILE: usize = 4096;

/// The fewest bytes for which a fold down the rows of one strip, or a sweep's narrow tiles,
/// are shared with the team:
/// a quarter of [`super::whole::PAR_BYTES`]. Each participant folds whole rows into a row
/// of its own, so the split costs one combined row per block, not a tree. `max(a, axis=0)`
/// over 100 × 1000 float64 (800 KB), AMD EPYC Zen 4, criterion, two threads: 8.7–14.0 µs
/// shared (in two blocks per thread; one is faster still) against 13.7–17.4 on the calling
/// thread alone. Narrow tiles share from here too (each tile is a piece of its own):
/// `sum(a, axis=0)` over 100 × 1000 float64 from Rust, 0.060–0.080 ns per element shared
/// against 0.102–0.107 alone.
pub(super) const ROWS_PAR_BYTES: u64 = 256 << 10;

/// When to go parallel.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tuning {
    /// Fewest bytes read for which the pool is used.
    pub par_bytes: u64,
    /// Fewest bytes read for which a fold down the rows of one strip
    /// (`rowfold::by_rows_shared`), or a sweep's narrow tiles, are shared with the team.
    pub rows_par_bytes: u64,
    /// The largest input taken to be read from the cache: a fold down the rows reads it
    /// four rows per pass (`rowfold::rows_per_pass`), a sum in tiles of [`TILE`] columns
    /// (larger ones in whole rows, [`WIDE_TILE`]); `None`: the host's last-level cache.
    pub cached_bytes: Option<u64>,
    /// Fewest elements of a range (or tile rows × columns) split across tasks.
    pub grain: usize,
    /// Fewest bytes of a unit-stride run over all elements read with prefetches
    /// (`seq::Ahead`); `None`: the host's [`ahead_from`].
    pub ahead_bytes: Option<u64>,
}

impl Tuning {
    /// The library default: the pool from the size where a reduction over all elements
    /// shares its tree ([`super::whole::PAR_BYTES`], about half an L2: beyond it the
    /// rows stream from L3 or DRAM, and two cores read nearly twice as fast; at 8 MiB,
    /// `max(a, axis=0)` over 1000 × 1000 float64 ran on one thread at half Numba's
    /// speed), a fold down the rows from [`ROWS_PAR_BYTES`], and tasks of 64K elements.
    pub const DEFAULT: Tuning = Tuning {
        par_bytes: super::whole::PAR_BYTES,
        rows_par_bytes: ROWS_PAR_BYTES,
        cached_bytes: None,
        grain: 1 << 16,
        ahead_bytes: None,
    };

    /// The largest input taken to be read from the cache.
    fn cached_bytes(self) -> u64 {
        self.cached_bytes
            .unwrap_or_else(|| crate::runtime::stream::llc_bytes() as u64)
    }

    /// The fewest bytes of a run read with prefetches.
    fn ahead_from(self) -> u64 {
        self.ahead_bytes.unwrap_or_else(ahead_from)
    }
}

/// The result's element pointer, shared by tasks that write distinct elements.
#[derive(Clone, Copy)]
pub(super) struct OutPtr<O>(pub *mut O);
// SAFETY: tasks write disjoint elements; the buffer outlives the (joined) tasks.
unsafe impl<O> Send for OutPtr<O> {}
// SAFETY: as above.
unsafe impl<O> Sync for OutPtr<O> {}

impl<O> OutPtr<O> {
    /// The address of element `i` (a method, so that closures capture the `Sync` whole).
    #[inline]
    pub(super) fn at(self, i: usize) -> *mut O {
        self.0.wrapping_add(i)
    }

    /// Writes element `i`.
    ///
    /// # Safety
    /// `i` is within the result, and no other task writes it.
    #[inline]
    pub(super) unsafe fn put(self, i: usize, v: O) {
        // SAFETY: the caller's contract.
        unsafe { self.0.add(i).write_unaligned(v) }
    }
}

/// Runs `sweep` with `k`, writing `finish(acc)` for output `i` to `out[i]`.
///
/// # Safety
/// `sweep` describes valid elements for `k`, nonempty along the reduced axis; `out` points to
/// one writable `O` per output.
pub(super) unsafe fn drive<K, O, F>(
    k: &K,
    sweep: &Sweep,
    elem_size: usize,
    threads: usize,
    tuning: Tuning,
    out: *mut O,
    finish: F,
) where
    K: Kern,
    K::A: Default,
    O: Copy + Send,
    F: Fn(K::A) -> O + Sync,
{
    let out = OutPtr(out);
    if let Sweep::All { len, src } = sweep {
        let v = match src {
            AllSrc::Run(r) => match Ahead::of::<K::E>(*r, *len, tuning.ahead_from()) {
                Some(far) => reduce_all(k, &far, *len, elem_size, threads, tuning),
                None => reduce_all(k, r, *len, elem_size, threads, tuning),
            },
            AllSrc::Nd(nd) => reduce_all(k, nd, *len, elem_size, threads, tuning),
        };
        // SAFETY: forwarded from the caller: `out` has room for the one result.
        unsafe { out.put(0, finish(v)) };
        return;
    }
    let total = match sweep {
        Sweep::All { len, .. } => *len,
        Sweep::Axis(a) => a.outer.iter().fold(a.len, |n, &(e, _)| n.saturating_mul(e)),
    };
    let bytes = (total as u64).saturating_mul(elem_size as u64);
    let pool = if threads > 1 && bytes >= tuning.par_bytes {
        threads::pool(threads)
    } else {
        None
    };
    let run = |par: bool| {
        let fork = Fork {
            par,
            grain: tuning.grain,
        };
        match sweep {
            // Reduced above, without the pool's `install`.
            Sweep::All { .. } => {}
            // Forwarded from the caller: `out` has room for every output of the sweep, and
            // the sweep's views hold their elements.
            Sweep::Axis(a) => match a.lane {
                // SAFETY: as said above the match; `fits` holds.
                Some(lane) if rowfold::fits(k, a, lane) => unsafe {
                    rowfold::by_rows(k, a, lane, (fork, tuning.cached_bytes()), out, &finish)
                },
                Some(lane) => {
                    let tiles = tiles::<K>(a, lane, bytes, tuning);
                    // SAFETY: as said above the match.
                    unsafe { by_tiles(k, a, lane, tiles, (fork, None), out, &finish) }
                }
                // SAFETY: as said above the match.
                None => unsafe { by_outputs(k, a, fork, out, &finish) },
            },
        }
    };
    // A fold down the rows of one strip is shared with the team from the calling thread,
    // not inside the pool (see `rowfold::by_rows_shared`).
    if let (true, Sweep::Axis(a)) = (threads > 1 && bytes >= tuning.rows_par_bytes, sweep) {
        if let Some(lane) = a.lane.filter(|&l| rowfold::fits(k, a, l)) {
            // SAFETY: forwarded from the caller; `fits` holds.
            if unsafe {
                rowfold::by_rows_shared(k, a, lane, (threads, tuning.cached_bytes()), out, &finish)
            } {
                return;
            }
        }
    }
    // So are the pieces of a sweep in narrow tiles, which need no tree between threads.
    if let (true, Sweep::Axis(a)) = (threads > 1 && bytes >= tuning.rows_par_bytes, sweep) {
        if let Some(lane) = a.lane.filter(|&l| !rowfold::fits(k, a, l)) {
            let tiles = tiles::<K>(a, lane, bytes, tuning);
            if tiles.0 == TILE && pieces(a, lane, TILE) > 1 {
                let crew = (Fork::SERIAL, Some(threads));
                // SAFETY: forwarded from the caller.
                unsafe { by_tiles(k, a, lane, tiles, crew, out, &finish) };
                return;
            }
        }
    }
    match pool {
        Some(p) => p.install(|| run(true)),
        None => run(false),
    }
}

/// The tiles a sum along `lane` of `a` (reading `bytes`) is cut into, and whether its rows
/// stream from memory: [`TILE`] outputs wide, or [`WIDE_TILE`] where the rows are contiguous
/// and beyond the cached size.
fn tiles<K: Kern>(a: &AxisSweep, lane: usize, bytes: u64, tuning: Tuning) -> (usize, bool) {
    let unit = a.unit_lane(lane, std::mem::size_of::<K::E>());
    let streams = bytes > tuning.cached_bytes();
    (if unit && streams { WIDE_TILE } else { TILE }, streams)
}

/// How many pieces of up to `width` outputs along `outer[lane]` [`by_lane_pieces`] cuts
/// `a`'s outputs into.
fn pieces(a: &AxisSweep, lane: usize, width: usize) -> usize {
    a.outer
        .iter()
        .enumerate()
        .map(|(i, &(n, _))| if i == lane { n.div_ceil(width) } else { n })
        .product()
}

/// The C-order element strides of the output shape `outer`.
pub(super) fn out_strides(outer: &[(usize, isize)]) -> Vec<usize> {
    let mut s = vec![0; outer.len()];
    let mut step = 1usize;
    for (st, &(n, _)) in s.iter_mut().zip(outer).rev() {
        *st = step;
        step = step.wrapping_mul(n);
    }
    s
}

/// One strided run per output.
///
/// # Safety
/// As [`drive`].
unsafe fn by_outputs<K, O, F>(k: &K, a: &AxisSweep, fork: Fork, out: OutPtr<O>, finish: &F)
where
    K: Kern,
    O: Copy + Send,
    F: Fn(K::A) -> O + Sync,
{
    let n_out: usize = a.outer.iter().map(|&(n, _)| n).product();
    let one = |o: usize| {
        // The source address of output `o`, from its multi-index (C order).
        let mut rem = o;
        let mut p = a.ptr;
        for &(n, s) in a.outer.iter().rev() {
            p = p.wrapping_offset(((rem % n) as isize).wrapping_mul(s));
            rem /= n;
        }
        let run = Run(StrideAt {
            ptr: p,
            stride: a.stride,
        });
        let v = reduce_range(k, &run, 0, a.len, fork);
        // SAFETY: `o < n_out`, written once.
        unsafe { out.put(o, finish(v)) }
    };
    if fork.par && n_out > 1 {
        let min = (fork.grain / a.len.max(1)).max(1);
        (0..n_out).into_par_iter().with_min_len(min).for_each(one);
    } else {
        (0..n_out).for_each(one);
    }
}

/// Tiles of up to `width` ([`TILE`] or [`WIDE_TILE`]) neighbouring outputs along
/// `outer[lane]`, reduced row by row.
///
/// # Safety
/// As [`drive`].
unsafe fn by_tiles<K, O, F>(
    k: &K,
    a: &AxisSweep,
    lane: usize,
    (width, streams): (usize, bool),
    (fork, team): (Fork, Option<usize>),
    out: OutPtr<O>,
    finish: &F,
) where
    K: Kern,
    K::A: Default,
    O: Copy + Send,
    F: Fn(K::A) -> O + Sync,
{
    // SAFETY: each tile's rows and columns are elements of the swept view.
    let reduce =
        |t: Tile, acc: &mut [K::A]| unsafe { reduce_rows(k, t, a.len, acc, fork, streams) };
    // SAFETY: the caller's contract.
    unsafe { by_lane_pieces(a, lane, width, (fork, team), out, finish, reduce) }
}

/// Splits the outputs into pieces of up to `width` neighbours along `outer[lane]` (for
/// every index of the other output axes), runs `reduce` on each piece's [`Tile`] into a
/// row of default accumulators, and writes `finish(acc)` for each of its outputs; pieces
/// are shared with the team of `team` threads from the calling thread
/// (`threads::share_items`), else run in the rayon pool where `fork` says so.
///
/// # Safety
/// As [`drive`]: `out` holds one element per output of `a`.
pub(super) unsafe fn by_lane_pieces<A, O, F, R>(
    a: &AxisSweep,
    lane: usize,
    width: usize,
    (fork, team): (Fork, Option<usize>),
    out: OutPtr<O>,
    finish: &F,
    reduce: R,
) where
    A: Copy + Default,
    O: Copy + Send,
    F: Fn(A) -> O + Sync,
    R: Fn(Tile, &mut [A]) + Sync,
{
    let ostr = out_strides(&a.outer);
    let lane_out = ostr[lane];
    let (lane_len, lane_stride) = a.outer[lane];
    let pieces = lane_len.div_ceil(width);
    let others: Vec<usize> = (0..a.outer.len()).filter(|&i| i != lane).collect();
    let n_other: usize = others.iter().map(|&i| a.outer[i].0).product();
    let one = |item: usize| {
        let (mut rem, piece) = (item / pieces, item % pieces);
        let (mut p, mut o) = (a.ptr, 0usize);
        for &i in others.iter().rev() {
            let (n, s) = a.outer[i];
            let idx = rem % n;
            rem /= n;
            p = p.wrapping_offset((idx as isize).wrapping_mul(s));
            o += idx * ostr[i];
        }
        let j0 = piece * width;
        let w = width.min(lane_len - j0);
        let t = Tile {
            base: p.wrapping_offset((j0 as isize).wrapping_mul(lane_stride)),
            row: a.stride,
            col: lane_stride,
            w,
        };
        let mut acc = vec![A::default(); w];
        reduce(t, &mut acc);
        let o = o + j0 * lane_out;
        if lane_out == 1 {
            // Neighbouring outputs: a loop the compiler vectorises (a tenth of a fold's
            // time where `finish` is the identity, against a fifth strided).
            let dst = out.at(o);
            for (j, &v) in acc.iter().enumerate() {
                // SAFETY: outputs `o..o + w` are this piece's, distinct from every other's
                // (the result may be unaligned bytes, hence the unaligned writes).
                unsafe { dst.add(j).write_unaligned(finish(v)) }
            }
        } else {
            for (j, &v) in acc.iter().enumerate() {
                // SAFETY: each (other index, lane index) pair is one distinct output.
                unsafe { out.put(o + j * lane_out, finish(v)) }
            }
        }
    };
    let items = n_other * pieces;
    if let Some(threads) = team {
        if threads::share_items(threads, items, || (), |item, _| one(item)) {
            return;
        }
    }
    if fork.par && items > 1 {
        let min = (fork.grain / a.len.saturating_mul(width).max(1)).max(1);
        (0..items).into_par_iter().with_min_len(min).for_each(one);
    } else {
        (0..items).for_each(one);
    }
}
