//! The thread count kernels run on, the [`Team`] that shares a run's work items between
//! threads, and one lazily built rayon pool per thread count (axis reductions split by
//! rayon's parallel iterators).

use rayon::ThreadPool;
use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

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
    static POOLS: PerCount<ThreadPool> = OnceLock::new();
    let threads = threads.clamp(1, MAX_THREADS);
    per_count(&POOLS, threads, || {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("jitex-pool-{i}"))
            .build()
            .ok()
    })
}

/// Things built once per thread count, kept for the life of the process.
type PerCount<T> = OnceLock<Mutex<HashMap<usize, Arc<T>>>>;

/// `cache`'s entry for `threads`, made by `make` on first request (`None`, and nothing
/// kept, if `make` fails).
fn per_count<T>(
    cache: &PerCount<T>,
    threads: usize,
    make: impl FnOnce() -> Option<T>,
) -> Option<Arc<T>> {
    // A poisoned lock only means another thread panicked while inserting; the map is intact.
    let mut map = cache
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(t) = map.get(&threads) {
        return Some(Arc::clone(t));
    }
    let t = Arc::new(make()?);
    map.insert(threads, Arc::clone(&t));
    Some(t)
}

/// Runs `item(i, scratch)` for every `i < items` on the calling thread together with up to
/// `threads - 1` workers of a [`Team`], and returns once every item is done; `false`
/// (nothing run) when no second thread can be had: the OS refused to start workers, or the
/// team is already working for another call (another thread's, or one made from inside a
/// shared item), whose cores are then busy anyway. Callers run everything themselves when
/// this returns `false`.
///
/// Each participant starts on its own contiguous block of items and, once that is done,
/// takes what is left of the others' blocks: the same thread gets the same part of the
/// data call after call (so it stays in that core's cache, as under OpenMP's static
/// schedule), while a participant that starts late or runs slow is simply helped. The
/// calling thread works rather than sleeping: a late worker only means the caller takes
/// more items, and a worker that has not started when the items run out is told not to
/// (see [`Team`]), so a parallel run never waits for a wake-up. `scratch` makes each
/// participant's reusable state.
pub(crate) fn share_items<S>(
    threads: usize,
    items: usize,
    scratch: impl Fn() -> S + Sync,
    item: impl Fn(usize, &mut S) + Sync,
) -> bool {
    let helpers = threads.min(items).saturating_sub(1);
    if helpers == 0 {
        return false;
    }
    let Some(team) = team(threads) else {
        return false;
    };
    let parts = helpers + 1;
    let start = |p: usize| p * items / parts;
    let next: Vec<Padded> = (0..parts)
        .map(|p| Padded(AtomicUsize::new(start(p))))
        .collect();
    let work = |me: usize| {
        let mut s = scratch();
        for k in 0..parts {
            let p = (me + k) % parts;
            loop {
                let i = next[p].0.fetch_add(1, Ordering::Relaxed);
                if i >= start(p + 1) {
                    break;
                }
                item(i, &mut s);
            }
        }
    };
    team.run(helpers, &work)
}

/// A block's next item, alone on its cache lines (participants take items from several).
#[repr(align(128))]
struct Padded(AtomicUsize);

/// The team for `threads` threads (the caller and `threads - 1` workers), started on first
/// request; `None` if the OS refused to start its threads.
fn team(threads: usize) -> Option<Arc<Team>> {
    static TEAMS: PerCount<Team> = OnceLock::new();
    let threads = threads.clamp(2, MAX_THREADS);
    per_count(&TEAMS, threads, || Team::start(threads - 1))
}

/// How long a worker keeps polling for the next job after finishing one before it parks.
///
/// Waking a parked thread costs the caller a system call and the worker tens of
/// microseconds on a VM (17–25 µs measured on the 2-vCPU development host, 5 µs when calls
/// follow each other closely), longer than a whole parallel run at 10⁴–10⁵ elements; a
/// program evaluating expressions in a loop calls again within this time, and finds its
/// worker awake. On a 2-vCPU AMD EPYC Zen 4, peer rows at 1e4–1e6 from Python with 200 µs,
/// 1 ms and 3 ms (two alternating runs each): 1 ms was never slower than 200 µs beyond the
/// host's noise, and `2*a + 3*b` at 1e5 took 0.17 ns per element against 0.28–0.29 (a
/// worker that had parked between the harness's calls); 3 ms gained nothing more. The
/// price is a core kept busy for 1 ms after a call; OpenMP runtimes spin longer still.
const POLL: Duration = Duration::from_millis(1);

/// A member's [`Slot::state`]: no job posted.
const IDLE: u8 = 0;
/// A job is posted and not yet taken.
const POSTED: u8 = 1;
/// The worker took the job and is running it.
const RUNNING: u8 = 2;

/// A job as a worker sees it: the caller's closure (called with the participant's number,
/// the caller being 0) with its lifetime erased. [`Team::run`]
/// keeps the closure alive until every worker that took it has finished.
type Job = *const (dyn Fn(usize) + Sync + 'static);

/// What a team's caller and one worker share.
struct Slot {
    /// [`IDLE`], [`POSTED`] or [`RUNNING`]: only the caller moves `IDLE → POSTED` and
    /// `POSTED → IDLE` (withdrawing a job not yet taken), only the worker moves
    /// `POSTED → RUNNING → IDLE`.
    state: AtomicU8,
    /// Set by the worker before it parks, so the caller knows to unpark it.
    parked: AtomicBool,
    /// A job panicked on this worker (reported by the caller that posted it).
    panicked: AtomicBool,
    /// The posted job; written by the caller only while the state is `IDLE`, read by the
    /// worker only after it moved the state `POSTED → RUNNING`.
    job: UnsafeCell<Option<Job>>,
}

// SAFETY: `job` is written and read on different threads only as the state machine above
// orders them (a release store of `POSTED` after the write, an acquire exchange before the
// read), and the closure it points to is `Sync`.
unsafe impl Sync for Slot {}
// SAFETY: as above; the pointer is only a reference lent for the duration of one run.
unsafe impl Send for Slot {}

/// One worker: its slot and its thread (to unpark).
struct Member {
    slot: Arc<Slot>,
    thread: Thread,
}

/// Worker threads that poll for a job for [`POLL`] after each one and then park, for one
/// caller at a time.
///
/// Unlike a work-stealing pool, where a fork waits until a worker has woken to take its
/// half, the caller here works through the items itself and at the end withdraws any job a
/// worker has not taken yet: a fork/join costs the caller two atomic operations per worker
/// when workers are slow to wake, and a system call only when one is parked.
struct Team {
    /// Held by the caller whose job the team runs; a second caller does not wait for it.
    busy: Mutex<()>,
    members: Vec<Member>,
}

impl Team {
    /// Starts `workers` threads; `None` if the OS refused one (those started then park
    /// for good).
    fn start(workers: usize) -> Option<Team> {
        let mut members = Vec::with_capacity(workers);
        for i in 0..workers {
            let slot = Arc::new(Slot {
                state: AtomicU8::new(IDLE),
                parked: AtomicBool::new(false),
                panicked: AtomicBool::new(false),
                job: UnsafeCell::new(None),
            });
            let mine = Arc::clone(&slot);
            let handle = std::thread::Builder::new()
                .name(format!("jitex-{i}"))
                .spawn(move || serve(&mine, i + 1))
                .ok()?;
            members.push(Member {
                slot,
                thread: handle.thread().clone(),
            });
        }
        Some(Team {
            busy: Mutex::new(()),
            members,
        })
    }

    /// Runs `work(0)` on the calling thread and `work(1)`… `work(helpers)` on the first
    /// `helpers` workers, and returns once every worker that started its part has finished;
    /// `false` (nothing run) when the team is busy with another call.
    fn run(&self, helpers: usize, work: &(dyn Fn(usize) + Sync)) -> bool {
        let _busy = match self.busy.try_lock() {
            Ok(g) => g,
            // A panic in an earlier caller left nothing half-done: every job was joined.
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return false,
        };
        let members = &self.members[..helpers.min(self.members.len())];
        // SAFETY: only the lifetime is erased; `Joined` below keeps `work` borrowed until
        // no worker can reach it, on return and on unwinding alike.
        let job: Job = unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync), Job>(work) };
        for m in members {
            // SAFETY: the state is `IDLE` (every earlier job was joined under `busy`), so
            // the worker does not read `job` now.
            unsafe { *m.slot.job.get() = Some(job) };
            m.slot.state.store(POSTED, Ordering::SeqCst);
            // Sequentially consistent with the worker's `parked` store and state load:
            // either it sees the job before parking, or this sees it parked.
            if m.slot.parked.load(Ordering::SeqCst) {
                m.thread.unpark();
            }
        }
        let joined = Joined(members);
        work(0);
        drop(joined);
        if members
            .iter()
            .any(|m| m.slot.panicked.swap(false, Ordering::Relaxed))
        {
            panic!("a work item panicked on a jitex worker thread");
        }
        true
    }
}

/// Joins a run's workers when dropped: withdraws each job not yet taken, and waits for
/// each one running (it stops at the end of its current item, the items being shared).
struct Joined<'a>(&'a [Member]);

impl Drop for Joined<'_> {
    fn drop(&mut self) {
        for m in self.0 {
            let s = &m.slot.state;
            if s.compare_exchange(POSTED, IDLE, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                while s.load(Ordering::Acquire) != IDLE {
                    std::hint::spin_loop();
                }
            }
        }
    }
}

/// Worker `me`'s loop (participant `me` of every job): wait for a job (polling, then
/// parked), run it, repeat.
fn serve(slot: &Slot, me: usize) {
    loop {
        wait_for_job(slot);
        if slot
            .state
            .compare_exchange(POSTED, RUNNING, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            // SAFETY: the exchange above made this thread the job's only reader, and the
            // caller keeps the closure alive until the state is `IDLE` again.
            let job = unsafe { (*slot.job.get()).expect("a posted job") };
            // SAFETY: as above: the closure outlives this call.
            let ran = std::panic::catch_unwind(AssertUnwindSafe(|| unsafe { (*job)(me) }));
            if ran.is_err() {
                slot.panicked.store(true, Ordering::Relaxed);
            }
            slot.state.store(IDLE, Ordering::Release);
        }
    }
}

/// Returns once `slot` has a job posted (which the caller may withdraw again): polls for
/// [`POLL`], then parks.
fn wait_for_job(slot: &Slot) {
    let start = Instant::now();
    let mut spins = 0u32;
    while slot.state.load(Ordering::Acquire) != POSTED {
        std::hint::spin_loop();
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(64) && start.elapsed() > POLL {
            slot.parked.store(true, Ordering::SeqCst);
            while slot.state.load(Ordering::SeqCst) != POSTED {
                std::thread::park();
            }
            slot.parked.store(false, Ordering::Relaxed);
            return;
        }
    }
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

    /// Runs `share_items` and returns how often each item ran, or `None` if there is no
    /// second thread to share with. Tests run concurrently and share the teams, so a busy
    /// team is waited for.
    fn counts(threads: usize, items: usize) -> Option<Vec<usize>> {
        for _ in 0..10_000 {
            let hits: Vec<AtomicUsize> = (0..items).map(|_| AtomicUsize::new(0)).collect();
            let shared = share_items(
                threads,
                items,
                || (),
                |i, _| {
                    hits[i].fetch_add(1, Ordering::Relaxed);
                },
            );
            let ran: Vec<usize> = hits.iter().map(|h| h.load(Ordering::Relaxed)).collect();
            if shared {
                return Some(ran);
            }
            assert!(ran.iter().all(|&n| n == 0), "not shared, yet items ran");
            if threads.min(items) < 2 {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("the team stayed busy");
    }

    #[test]
    fn every_item_runs_once() {
        for threads in 1..=5 {
            for items in [0, 1, 2, 3, 7, 64, 1000] {
                match counts(threads, items) {
                    Some(c) => assert!(c.iter().all(|&n| n == 1), "{threads}T {items}: {c:?}"),
                    None => assert!(threads.min(items) < 2, "{threads}T {items} not shared"),
                }
            }
        }
    }

    #[test]
    fn workers_that_parked_take_work_again() {
        for _ in 0..3 {
            std::thread::sleep(POLL * 3);
            assert!(counts(2, 100).unwrap().iter().all(|&n| n == 1));
        }
    }

    #[test]
    fn a_call_from_inside_an_item_runs_alone() {
        let inner_shared = AtomicUsize::new(0);
        let ran = AtomicUsize::new(0);
        assert!(share_items(
            3,
            8,
            || (),
            |_, _| {
                let shared = share_items(
                    3,
                    4,
                    || (),
                    |_, _| {
                        ran.fetch_add(1, Ordering::Relaxed);
                    },
                );
                if shared {
                    inner_shared.fetch_add(1, Ordering::Relaxed);
                } else {
                    // Told "not shared", the caller runs the items itself.
                    ran.fetch_add(4, Ordering::Relaxed);
                }
            },
        ));
        assert_eq!(ran.load(Ordering::Relaxed), 32);
        // The team of 3 is busy with the outer call, so no inner call could share it.
        assert_eq!(inner_shared.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn concurrent_callers_each_finish_their_items() {
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..200 {
                        let hits: Vec<AtomicUsize> = (0..50).map(|_| AtomicUsize::new(0)).collect();
                        let run = |i: usize| {
                            hits[i].fetch_add(1, Ordering::Relaxed);
                        };
                        if !share_items(2, 50, || (), |i, _| run(i)) {
                            (0..50).for_each(run);
                        }
                        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
                    }
                });
            }
        });
    }

    #[test]
    fn a_panicking_item_reaches_the_caller_and_the_team_survives() {
        for _ in 0..4 {
            let r = std::panic::catch_unwind(|| {
                let item = |i: usize| {
                    std::thread::sleep(Duration::from_micros(50));
                    assert!(i != 40, "item 40 fails");
                };
                if !share_items(2, 64, || (), |i, _| item(i)) {
                    (0..64).for_each(item);
                }
            });
            // Shared or (team busy with another test) run alone: the panic reaches us.
            assert!(r.is_err());
            assert!(counts(2, 64).unwrap().iter().all(|&n| n == 1));
        }
    }
}
