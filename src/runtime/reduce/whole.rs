//! Reductions over all elements (`axis = None`) of a stored run or n-d view: on the
//! calling thread, or from the size where a second thread pays, as the fixed tree's nodes
//! shared by the calling thread and the pool's workers ([`Tree::shared`]).

use super::drive::Tuning;
use super::kernel::Kern;
use super::seq::{reduce_range, Fork, Seq, Tree};

/// The fewest bytes an `axis = None` reduction reads before it shares its tree between
/// threads: about half of one core's L2 on current x86 servers. Below it a run is a few
/// tens of microseconds from cache on one core, where a late worker wake-up (on a busy
/// host, a whole time slice) would cost more than a second core saves; above it the run
/// streams from L3 or DRAM, and two cores read nearly twice as fast as one.
pub(super) const PAR_BYTES: u64 = 1 << 20;

/// The fewest bytes of one shared task.
pub(super) const TASK_BYTES: usize = 32 << 10;

/// Whether a reduction reading `bytes` on up to `threads` threads shares its tree (from
/// [`Tuning::par_bytes`], [`PAR_BYTES`] by default).
pub(super) fn parallel(bytes: u64, threads: usize, tuning: Tuning) -> bool {
    threads > 1 && bytes >= tuning.par_bytes
}

/// The fewest elements of one shared task of elements of `elem_size` bytes.
pub(super) fn grain(elem_size: usize, tuning: Tuning) -> usize {
    tuning.grain.min(TASK_BYTES / elem_size.max(1))
}

/// Reduces elements `0..len` (`len >= 1`) of `seq` in `k`'s order on up to `threads`
/// threads.
pub(super) fn reduce_all<K: Kern, S: Seq>(
    k: &K,
    seq: &S,
    len: usize,
    elem_size: usize,
    threads: usize,
    tuning: Tuning,
) -> K::A {
    let serial = Fork::SERIAL;
    let bytes = (len as u64).saturating_mul(elem_size as u64);
    if parallel(bytes, threads, tuning) {
        if let Some(tree) = Tree::of(k) {
            let node = |lo, n| reduce_range(k, seq, lo, n, serial);
            let combine = |a, b| k.combine(a, b);
            let grain = grain(elem_size, tuning);
            if let Some(v) = tree.shared(len, threads, grain, node, combine) {
                return v;
            }
        }
    }
    reduce_range(k, seq, 0, len, serial)
}
