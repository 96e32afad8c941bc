//! The thread count kernels run on, and one lazily built rayon pool per thread count.

use rayon::ThreadPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Most threads jitex will start: more would only add scheduling overhead, and an absurd
/// request (`set_num_threads(usize::MAX)`) must not try to spawn millions of threads.
pub const MAX_THREADS: usize = 256;

/// The environment variable read for the default thread count.
pub const ENV_VAR: &str = "JITEX_NUM_THREADS";

/// 0 means "not chosen yet": the default is computed on first use.
static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets the number of threads kernels run on (clamped to `1..=MAX_THREADS`).
pub fn set_num_threads(n: usize) {
    NUM_THREADS.store(n.clamp(1, MAX_THREADS), Ordering::Relaxed);
}

/// The number of threads kernels run on: the last [`set_num_threads`], else
/// `JITEX_NUM_THREADS`, else every core.
pub fn num_threads() -> usize {
    match NUM_THREADS.load(Ordering::Relaxed) {
        0 => {
            let n = default_threads(std::env::var(ENV_VAR).ok().as_deref());
            // A concurrent `set_num_threads` wins over the default.
            match NUM_THREADS.compare_exchange(0, n, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => n,
                Err(set) => set,
            }
        }
        n => n,
    }
}

/// The default thread count given the environment variable's value, if any; an unparsable
/// or zero value falls back to the number of cores.
fn default_threads(env: Option<&str>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    env.and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(cores)
        .clamp(1, MAX_THREADS)
}

/// The pool for `threads` threads, built on first request; `None` if the OS refused to
/// start its threads (callers then run on the calling thread).
pub(crate) fn pool(threads: usize) -> Option<Arc<ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = OnceLock::new();
    let threads = threads.clamp(1, MAX_THREADS);
    let pools = POOLS.get_or_init(Default::default);
    // A poisoned lock only means another thread panicked while inserting; the map is intact.
    let mut map = pools.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = map.get(&threads) {
        return Some(Arc::clone(p));
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("jitex-{i}"))
        .build()
        .ok()?;
    let p = Arc::new(p);
    map.insert(threads, Arc::clone(&p));
    Some(p)
}

/// Runs `item(i, scratch)` for every `i < items` on the calling thread together with up to
/// `threads - 1` workers of a pool, each taking the next item from a shared counter, and
/// returns once every item is done; `false` (nothing run) when the OS refused to start
/// the workers.
///
/// The calling thread works instead of sleeping while a pool does everything (as
/// `ThreadPool::install` would have it): a fork/join then costs one wake-up of the workers
/// rather than two hand-offs, and if a worker wakes late the caller simply takes more
/// items. `scratch` makes each participant's reusable state.
pub(crate) fn share_items<S>(
    threads: usize,
    items: usize,
    scratch: impl Fn() -> S + Sync,
    item: impl Fn(usize, &mut S) + Sync,
) -> bool {
    let helpers = threads.min(items).saturating_sub(1);
    let Some(pool) = (helpers > 0).then(|| pool(helpers)).flatten() else {
        return false;
    };
    let next = AtomicUsize::new(0);
    let work = || {
        let mut s = scratch();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= items {
                break;
            }
            item(i, &mut s);
        }
    };
    pool.in_place_scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|_| work());
        }
        work();
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_parsing() {
        assert_eq!(default_threads(Some("3")), 3);
        assert_eq!(default_threads(Some(" 2 ")), 2);
        let cores = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS);
        assert_eq!(default_threads(Some("0")), cores);
        assert_eq!(default_threads(Some("lots")), cores);
        assert_eq!(default_threads(None), cores);
        assert_eq!(default_threads(Some("100000")), MAX_THREADS);
    }

    #[test]
    fn pools_are_cached_per_count() {
        let a = pool(2).unwrap();
        let b = pool(2).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.current_num_threads(), 2);
        assert_eq!(pool(0).unwrap().current_num_threads(), 1);
    }
}
