//! Schedules chosen by measurement: whether a kernel's run pays for a second thread, and
//! whether its results should bypass the cache, are answered by timing the kernel itself.
//!
//! Both answers depend on the host more than on the program: a fork/join costs about a
//! microsecond on an idle machine and far more on a busy VM whose other core is taken,
//! and non-temporal stores save a fifth of the DRAM traffic on one CPU while losing to
//! ordinary stores on another (they did on a 2-vCPU AMD EPYC Zen 4, even at ten times its
//! last-level cache). A fixed
//! threshold is wrong somewhere. So for the runs where the static estimate
//! (`runtime::work`, `runtime::stream`) is uncertain, each cached kernel keeps, per size
//! class (a power of two of elements), the fastest time per element it measured for each
//! candidate schedule: every candidate is tried [`SAMPLES`] times, the static choice first,
//! and from then on the fastest is used, except for three runs at the end of every period
//! that rerun a loser (first runs can lose for reasons that pass); the periods grow from
//! [`RETRY_FIRST`] to [`RETRY`] runs. The time of each run is
//! measured (two clock reads, against runs of microseconds at least), so later runs keep
//! refining the choice they make; the minimum is what noise cannot inflate.
//!
//! No result depends on the schedule: threads compute the same elements, and streamed
//! results are copied bit for bit. Only the speed learns.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Runs each candidate schedule is measured before the fastest is chosen.
pub(crate) const SAMPLES: u32 = 2;

/// A schedule to try: a bit for "several threads", a bit for "streaming stores".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Several threads (else the calling thread alone).
    pub parallel: bool,
    /// Streaming stores (else stores through the cache).
    pub stream: bool,
}

impl Candidate {
    fn index(self) -> usize {
        usize::from(self.parallel) | usize::from(self.stream) << 1
    }

    fn from_index(i: usize) -> Candidate {
        Candidate {
            parallel: i & 1 != 0,
            stream: i & 2 != 0,
        }
    }
}

/// What a run may choose between, and what the static estimate chose.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Question {
    /// Elements of the run (its size class is `log2(len)`).
    pub len: usize,
    /// The thread count "parallel" means (changing it forgets the parallel timings).
    pub threads: usize,
    /// Whether one thread and `threads` threads are both worth trying.
    pub try_threads: bool,
    /// Whether cached and streaming stores are both worth trying.
    pub try_stream: bool,
    /// The static estimate's choice, tried first.
    pub default: Candidate,
    /// What a fork/join costs on this host, in nanoseconds ([`fork_join_ns`]).
    pub fork_join_ns: u64,
}

/// A run to time: which size class and candidate its time belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Probe {
    class: u8,
    candidate: u8,
}

/// One size class's timings: picoseconds per element of the fastest run of each candidate
/// (`u64::MAX`: none yet) and how many runs each had.
#[derive(Clone, Debug)]
struct Class {
    class: u8,
    threads: usize,
    best: [u64; 4],
    runs: [u32; 4],
    /// Runs chosen by speed in the current period (the last [`BURST`] of which run a
    /// loser again instead).
    chosen: u32,
    /// The current period's runs: [`RETRY_FIRST`], doubling up to [`RETRY`].
    period: u32,
    /// The candidate the current burst of reruns runs.
    rerun: u8,
}

/// Of every this many runs chosen by speed (once the periods have grown from
/// [`RETRY_FIRST`]), the last [`BURST`] run the least-run other candidate instead.
///
/// A candidate's first runs can be slow for reasons that pass: a worker that was parked
/// (its core's caches cold, and the first run or two only wake it: the caller finishes
/// alone meanwhile) makes parallel runs lose to a serial run whose data is in the caller's
/// cache. Rerunning losers now and then, a few runs in a row so that the worker is awake
/// for the last, lets such a verdict be revised (the fastest time is what counts), at the
/// cost of [`BURST`] runs in this many taking a slower schedule.
const RETRY: u32 = 128;

/// The first period's runs. A wrong first verdict is most likely (the samples are a
/// kernel's first runs, and where the data sits moves with the schedule: two cores hold
/// their halves of 1e6 `bool`s in their own L2s only after running them), and it costs
/// until the first burst: `~m | n` over 1e6 `bool`s from Python ran its first 100 to 700
/// calls on one thread at 0.08 ns per element, against 0.017 on two, with a first
/// period of [`RETRY`].
const RETRY_FIRST: u32 = 16;

/// Consecutive runs of a loser per period.
const BURST: u32 = 3;

/// A kernel's timings, by size class. Only uncertain runs (tens of microseconds and more)
/// come here, so one short lock per run costs nothing measurable.
#[derive(Debug, Default)]
pub(crate) struct Tuner {
    classes: Mutex<Vec<Class>>,
}

impl Tuner {
    /// The candidate to run for `q`, and the probe to report its time with.
    pub fn choose(&self, q: &Question) -> (Candidate, Probe) {
        let class = size_class(q.len);
        let mut classes = self.classes.lock().unwrap_or_else(|e| e.into_inner());
        let c = match classes.iter_mut().position(|c| c.class == class) {
            Some(i) => &mut classes[i],
            None => {
                classes.push(Class {
                    class,
                    threads: q.threads,
                    best: [u64::MAX; 4],
                    runs: [0; 4],
                    chosen: 0,
                    period: RETRY_FIRST,
                    rerun: 0,
                });
                classes.last_mut().expect("just pushed")
            }
        };
        if c.threads != q.threads {
            // Timings on another thread count say nothing about this one.
            for i in [1, 3] {
                c.best[i] = u64::MAX;
                c.runs[i] = 0;
            }
            c.chosen = 0;
            c.period = RETRY_FIRST;
            c.threads = q.threads;
        }
        let allowed = |cand: Candidate| {
            (q.try_threads || cand.parallel == q.default.parallel)
                && (q.try_stream || cand.stream == q.default.stream)
        };
        // A second thread cannot pay when one thread finishes in less than two fork/joins.
        let serial = |stream: bool| {
            let i = Candidate {
                parallel: false,
                stream,
            }
            .index();
            (c.runs[i] > 0).then(|| c.best[i].saturating_mul(q.len as u64) / 1000)
        };
        let too_short = |cand: Candidate| {
            cand.parallel
                && !q.default.parallel
                && serial(cand.stream).is_some_and(|ns| ns < 2 * q.fork_join_ns)
        };
        let order = [q.default.index(), 0, 1, 2, 3];
        let candidates = order
            .into_iter()
            .map(Candidate::from_index)
            .filter(|&cand| allowed(cand) && !too_short(cand));
        // Untried candidates first (the static choice first of all), then the fastest, but
        // the last `BURST` runs of every period the least-run other one.
        let untried = candidates
            .clone()
            .find(|cand| c.runs[cand.index()] < SAMPLES);
        let pick = untried
            .or_else(|| {
                let fastest = candidates.clone().min_by_key(|cand| c.best[cand.index()])?;
                c.chosen += 1;
                if c.chosen > c.period {
                    c.chosen = 1;
                    c.period = (2 * c.period).min(RETRY);
                }
                if c.chosen <= c.period - BURST {
                    return Some(fastest);
                }
                if c.chosen == c.period - BURST + 1 {
                    // The burst's candidate, kept for the whole burst.
                    let loser = candidates
                        .clone()
                        .filter(|&cand| cand != fastest)
                        .min_by_key(|cand| c.runs[cand.index()])
                        .unwrap_or(fastest);
                    c.rerun = loser.index() as u8;
                }
                // (A call that does not allow it, say with other store options, runs the
                // fastest.)
                let rerun = Candidate::from_index(usize::from(c.rerun));
                Some(if candidates.clone().any(|cand| cand == rerun) {
                    rerun
                } else {
                    fastest
                })
            })
            .unwrap_or(q.default);
        (
            pick,
            Probe {
                class,
                candidate: pick.index() as u8,
            },
        )
    }

    /// Records that the run `probe` stands for took `elapsed` for `len` elements.
    pub fn record(&self, probe: Probe, len: usize, elapsed: Duration) {
        let ps = (elapsed.as_nanos().saturating_mul(1000) / len.max(1) as u128)
            .min(u64::MAX as u128 - 1) as u64;
        let mut classes = self.classes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = classes.iter_mut().find(|c| c.class == probe.class) {
            let i = probe.candidate as usize;
            c.best[i] = c.best[i].min(ps);
            c.runs[i] = c.runs[i].saturating_add(1);
        }
    }
}

/// The size class of a run of `len` elements: `floor(log2(len))`.
fn size_class(len: usize) -> u8 {
    (usize::BITS - 1 - len.max(1).leading_zeros()) as u8
}

/// The measured cost of sharing two empty work items between the calling thread and a
/// team worker (`threads::share_items`, how runs go parallel) and waiting for both, in
/// nanoseconds (the fastest of a few, after a warm-up): the
/// least a parallel run pays on top of its work.
pub(crate) fn fork_join_ns() -> u64 {
    static COST: OnceLock<u64> = OnceLock::new();
    static MEASURING: AtomicBool = AtomicBool::new(false);
    if let Some(&c) = COST.get() {
        return c;
    }
    // While one thread measures, others assume a typical cost rather than wait for it.
    if MEASURING.swap(true, Ordering::Relaxed) {
        return 20_000;
    }
    *COST.get_or_init(measure_fork_join)
}

/// The most [`fork_join_ns`] reports: a measurement taken while the pool was busy with
/// another call's work can be far too high, and must not rule threads out for good.
const MAX_FORK_JOIN_NS: u64 = 50_000;

fn measure_fork_join() -> u64 {
    let mut best = u64::MAX;
    for round in 0..12 {
        let t = Instant::now();
        let shared = super::threads::share_items(
            2,
            2,
            || (),
            |i, _| {
                std::hint::black_box(i);
            },
        );
        if !shared {
            // No second thread to be had: no run is worth trying on two.
            return u64::MAX / 4;
        }
        let ns = t.elapsed().as_nanos() as u64;
        if round >= 2 {
            best = best.min(ns);
        }
    }
    best.clamp(1, MAX_FORK_JOIN_NS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(len: usize, try_threads: bool, try_stream: bool) -> Question {
        Question {
            len,
            threads: 2,
            try_threads,
            try_stream,
            default: Candidate {
                parallel: false,
                stream: false,
            },
            fork_join_ns: 10_000,
        }
    }

    fn run(t: &Tuner, q: &Question, ps_per: impl Fn(Candidate) -> u64) -> Candidate {
        let (cand, probe) = t.choose(q);
        let ns = ps_per(cand) * q.len as u64 / 1000;
        t.record(probe, q.len, Duration::from_nanos(ns));
        cand
    }

    #[test]
    fn tries_each_candidate_then_keeps_the_fastest() {
        let t = Tuner::default();
        let q = question(1 << 20, true, true);
        // Fastest: streaming on one thread. Every run is long enough for threads to pay.
        let cost = |c: Candidate| match (c.parallel, c.stream) {
            (false, false) => 900,
            (true, false) => 700,
            (false, true) => 500,
            (true, true) => 600,
        };
        let mut seen = Vec::new();
        for _ in 0..4 * SAMPLES {
            seen.push(run(&t, &q, cost));
        }
        assert_eq!(seen[0], q.default, "the static choice runs first");
        for i in 0..4 {
            let n = seen.iter().filter(|c| c.index() == i).count();
            assert_eq!(n, SAMPLES as usize, "candidate {i} tried");
        }
        for _ in 0..5 {
            let c = run(&t, &q, cost);
            assert!(!c.parallel && c.stream, "{c:?}");
        }
        // Another size class learns on its own.
        let (c, _) = t.choose(&question(1 << 10, true, true));
        assert_eq!(c, q.default);
    }

    #[test]
    fn only_allowed_candidates_are_tried() {
        let t = Tuner::default();
        let q = question(1 << 20, false, true);
        for _ in 0..10 {
            let c = run(&t, &q, |c| if c.stream { 100 } else { 200 });
            assert!(!c.parallel);
        }
        assert!(t.choose(&q).0.stream);
    }

    #[test]
    fn short_serial_runs_never_try_threads() {
        let t = Tuner::default();
        // 1000 elements at 1 ps each: 1 ns per run, far below any fork/join.
        let q = question(1000, true, false);
        for _ in 0..10 {
            assert!(!run(&t, &q, |_| 1).parallel);
        }
    }

    #[test]
    fn a_new_thread_count_forgets_parallel_timings() {
        let t = Tuner::default();
        let mut q = question(1 << 24, true, false);
        let slow_parallel = |c: Candidate| if c.parallel { 2_000 } else { 1_000 };
        for _ in 0..6 {
            run(&t, &q, slow_parallel);
        }
        assert!(!t.choose(&q).0.parallel);
        q.threads = 4;
        assert!(t.choose(&q).0.parallel, "retried on the new thread count");
    }

    #[test]
    fn a_loser_is_rerun_now_and_then_and_can_win() {
        let t = Tuner::default();
        let q = question(1 << 20, true, false);
        // Parallel runs are slow at first (cold worker), fast later.
        let warm = std::cell::Cell::new(false);
        let cost = |c: Candidate| match (c.parallel, warm.get()) {
            (false, _) => 1_000,
            (true, false) => 3_000,
            (true, true) => 500,
        };
        for _ in 0..2 * SAMPLES {
            run(&t, &q, cost);
        }
        warm.set(true);
        // Runs chosen by speed number 1, 2, …: the periods are 16, 32, 64, 128, 128 runs,
        // the last 3 of each a burst: 14–16 first.
        let picks: Vec<bool> = (1..=RETRY_FIRST)
            .map(|_| run(&t, &q, cost).parallel)
            .collect();
        let first = picks.iter().position(|&p| p).expect("parallel retried");
        assert_eq!(
            first as u32,
            RETRY_FIRST - BURST,
            "retried at the end of the first period"
        );
        // Parallel is now the fastest: kept until the second period's burst reruns serial.
        let second = 2 * RETRY_FIRST;
        let picks: Vec<bool> = (1..=second).map(|_| run(&t, &q, cost).parallel).collect();
        assert!(
            picks[..(second - BURST) as usize].iter().all(|&p| p),
            "kept once faster"
        );
        assert!(
            picks[(second - BURST) as usize..].iter().all(|&p| !p),
            "the serial run, now the loser, is retried in turn"
        );
        // The periods stop growing at `RETRY`.
        for _ in 0..RETRY_FIRST * 4 + RETRY * 2 {
            run(&t, &q, cost);
        }
        let picks: Vec<bool> = (0..2 * RETRY).map(|_| run(&t, &q, cost).parallel).collect();
        assert_eq!(picks.iter().filter(|&&p| !p).count() as u32, 2 * BURST);
    }

    #[test]
    fn fork_join_is_measured_once() {
        let a = fork_join_ns();
        assert!(a > 0 && (a <= MAX_FORK_JOIN_NS || a == u64::MAX / 4));
        assert_eq!(a, fork_join_ns());
        assert_eq!(size_class(1), 0);
        assert_eq!(size_class(1 << 20), 20);
        assert_eq!(size_class((1 << 20) + 5), 20);
        assert_eq!(size_class(0), 0);
    }
}
