//! Software prefetches for runs that stream from beyond the caches.
//!
//! One core's hardware prefetcher keeps too few lines in flight for loops whose work waits
//! on itself (the pairwise sums' chained additions, a kernel called block by block): such a
//! loop read DRAM at about 11 GB/s on one Sapphire Rapids core, 16 GB/s with each step
//! first asking for the lines [`AHEAD_BYTES`] beyond it into L2 (one thread, `sum(a)` over
//! 1e8 float64: 0.75 against 0.53 ns per element, two alternating runs; `sum(a*b)` 1.22
//! against 1.15). Where the data fits the last-level cache they gained nothing or cost
//! a few percent, hence [`ahead_from`]. Prefetches are hints: they read nothing into the
//! program, change no result, and cannot fault.

/// How far ahead of the bytes about to be read a prefetch asks for lines: far enough to
/// cover DRAM latency at one core's bandwidth, near enough that the lines are still in L2
/// when they are read.
pub(crate) const AHEAD_BYTES: usize = 8 << 10;

/// The fewest bytes a run must read for prefetching to pay, whatever the last-level cache:
/// beyond what a core's share of a server's L3 holds.
const AHEAD_FROM_MIN: u64 = 16 << 20;

/// The fewest bytes a run must read for prefetching to pay: [`AHEAD_FROM_MIN`], and no
/// less than the last-level cache, so that the data comes from DRAM. Within the LLC the
/// prefetches only fill the core's miss buffers: on two Sapphire Rapids cores (300 MiB L3
/// reported) `mean(a)` over 1e7 float64 (80 MB) took 0.122-0.130 ns per element without
/// them and 0.132-0.138 with; over 2e7 both 0.13; from 4e7 (320 MB) on, they gained
/// 30% (0.155 against 0.221-0.243).
pub(crate) fn ahead_from() -> u64 {
    AHEAD_FROM_MIN.max(crate::runtime::stream::llc_bytes() as u64)
}

/// Elements per step of a compiled kernel run with prefetches (for leaf sums: one leaf per
/// call, leaves being 64 to 128 elements): short, so that each step's few prefetches
/// overlap the kernel's work rather than arriving in one burst that fills the core's miss
/// buffers. On two Sapphire Rapids cores over 1e8 float64, steps of 64 against 256:
/// `sum(a*b)` 0.48-0.49 against 0.53-0.55 ns per element, `max(a + b)` 0.52-0.54 against
/// 0.55-0.57; 32 to 128 timed alike, 512 lost 15%.
pub(crate) const AHEAD_STEP: usize = 64;

/// Whether leaf sums that stream from DRAM prefetch (each call of a leaf first asking for
/// the lines [`AHEAD_BYTES`] on): on Intel hosts with AVX-512, where they were measured to
/// pay (above, and in `runtime::call::fused`, on Sapphire Rapids with the AVX-512 leaf
/// loop). On AMD hosts they cost, whatever the vector width:
/// - Zen 3, AVX2's leaf loop: `sum(a*b)` over 1e7 and 1e8 `float64`s, one thread 0.95-1.10
///   ns per element with them against 0.77-0.95 without, two threads 0.50-0.60 against
///   0.41-0.58;
/// - Zen 4, AVX-512's leaf loop: over 1e7 `float64`s from NumPy (huge pages), two threads,
///   four alternating rounds, `sum(a*b)` 0.508-0.593 against 0.462-0.512, `sum(a*b,
///   axis=1)` 0.510-0.578 against 0.433-0.499 (Numba 0.454-0.467 and 0.445-0.464).
pub(crate) fn leaf_sums_prefetch() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        static PAYS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *PAYS.get_or_init(|| std::arch::is_x86_feature_detected!("avx512f") && is_intel())
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Whether the CPU's vendor string is Intel's.
#[cfg(target_arch = "x86_64")]
fn is_intel() -> bool {
    // Leaf 0 exists on every x86-64 CPU.
    let id = std::arch::x86_64::__cpuid(0);
    // "GenuineIntel" in EBX, EDX, ECX.
    (id.ebx, id.edx, id.ecx) == (0x756e_6547, 0x4965_6e69, 0x6c65_746e)
}

/// Asks for the cache lines of the `bytes` bytes from `p` on to be brought into L2.
#[inline(always)]
pub(crate) fn prefetch_l2(p: *const u8, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T1};
        let mut off = 0;
        while off < bytes {
            // SAFETY: a prefetch dereferences nothing and cannot fault, whatever the
            // address; SSE is part of the x86-64 baseline.
            unsafe { _mm_prefetch::<_MM_HINT_T1>(p.wrapping_add(off) as *const i8) };
            off += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, bytes);
}
