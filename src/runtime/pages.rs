//! Memory for large results: huge pages, and reuse of freed large results.
//!
//! A fresh result of many megabytes is mapped page by page as the kernel first writes
//! it: with 4 KiB pages that is a fault per 512 `f64`s, which costs more than computing
//! them (about 3 ns per element measured for `a*b + c` at 1e7). Asking the OS for
//! transparent huge pages, as NumPy's allocator does for arrays of 4 MiB and more, cuts
//! the faults 512-fold. The OS still zeroes every fresh page, so a few freed large results
//! are also kept and reused for the next result of their size ([`take_words`]).

/// Allocations of at least this many bytes ask for huge pages (NumPy's threshold).
const HUGE_FROM_BYTES: usize = 4 << 20;

/// Asks the OS to back the untouched allocation `[p, p + bytes)` with huge pages where
/// it can. Only a hint: it changes no contents, and failures are ignored.
pub(crate) fn advise_huge_pages(p: *mut u8, bytes: usize) {
    if bytes < HUGE_FROM_BYTES {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        // madvise wants a page-aligned start; the kernel uses huge pages for the
        // 2 MiB-aligned stretches inside the range.
        const PAGE: usize = 4096;
        let start = (p as usize).next_multiple_of(PAGE);
        let end = (p as usize).saturating_add(bytes);
        if end > start {
            // SAFETY: the range lies inside one live allocation of the caller's; the
            // advice changes no contents.
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = p;
}

/// Freed result buffers of at least this many bytes are kept for the next result of about
/// their size (see [`take_words`]): from twice glibc's initial `mmap` threshold. Results
/// of a few hundred KiB faulted in every call too (`2*a + 3*b` at 1e5 float64, allocating,
/// 2 threads: 0.45-0.48 ns per element against 0.14 into `out`), as the allocator gave
/// such freed blocks back to the OS.
const RECYCLE_FROM_BYTES: usize = 256 << 10;

/// The most bytes, and the most buffers, kept for reuse: enough for the results of a loop
/// that evaluates a few large expressions, bounded so that a program that is done with
/// jitex does not hold much memory it freed. The byte bound is an eighth of the machine's
/// memory, between 1 and 8 GiB ([`recycle_max_bytes`]).
const RECYCLE_MIN_CAP: usize = 1 << 30;
const RECYCLE_MAX_CAP: usize = 8 << 30;
const RECYCLE_MAX_BUFFERS: usize = 4;

/// The byte bound of the kept buffers: an eighth of physical memory (a 1e8-element complex
/// result is 1.6 GB), clamped to `[RECYCLE_MIN_CAP, RECYCLE_MAX_CAP]`.
fn recycle_max_bytes() -> usize {
    static CAP: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CAP.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: sysconf only reads system configuration.
            let (pages, page) = unsafe {
                (
                    libc::sysconf(libc::_SC_PHYS_PAGES),
                    libc::sysconf(libc::_SC_PAGESIZE),
                )
            };
            if pages > 0 && page > 0 {
                let ram = (pages as usize).saturating_mul(page as usize);
                return (ram / 8).clamp(RECYCLE_MIN_CAP, RECYCLE_MAX_CAP);
            }
        }
        RECYCLE_MIN_CAP
    })
}

/// Result buffers freed and kept for reuse, oldest first.
static RECYCLED: std::sync::Mutex<Vec<Vec<u64>>> = std::sync::Mutex::new(Vec::new());

/// A freed buffer with room for `n_words` words, and at most a quarter more (so a small
/// result does not pin a much larger buffer), emptied (`len() == 0`); `None` when none is
/// kept.
///
/// Why: a fresh result of many megabytes comes from the OS as untouched pages, and its
/// first write faults on each page while the kernel zeroes it: for a streaming kernel such
/// as `2*a + 3*b` that is a third more memory traffic than the computation itself (C's
/// `malloc` only reuses freed blocks of up to 32 MiB). A buffer kept from an earlier
/// result of the same size is already mapped, so an allocating call costs what a call
/// into `out` costs.
pub(crate) fn take_words(n_words: usize) -> Option<Vec<u64>> {
    if n_words.saturating_mul(8) < RECYCLE_FROM_BYTES {
        return None;
    }
    let mut kept = RECYCLED.lock().unwrap_or_else(|e| e.into_inner());
    let fits = |v: &Vec<u64>| v.capacity() >= n_words && v.capacity() - n_words <= n_words / 4;
    let i = (0..kept.len())
        .filter(|&i| fits(&kept[i]))
        .min_by_key(|&i| kept[i].capacity())?;
    let mut v = kept.remove(i);
    v.clear();
    Some(v)
}

/// Keeps `words`, a result buffer its owner is done with, for [`take_words`] when it is
/// large; frees it otherwise, or frees the oldest kept buffers to stay within bounds.
pub(crate) fn give_words(words: Vec<u64>) {
    let bytes = |v: &Vec<u64>| v.capacity() * 8;
    let cap = recycle_max_bytes();
    if bytes(&words) < RECYCLE_FROM_BYTES || bytes(&words) > cap {
        return;
    }
    let mut evicted = Vec::new();
    {
        let mut kept = RECYCLED.lock().unwrap_or_else(|e| e.into_inner());
        kept.push(words);
        let mut total: usize = kept.iter().map(bytes).sum();
        while kept.len() > RECYCLE_MAX_BUFFERS || total > cap {
            let old = kept.remove(0);
            total -= bytes(&old);
            evicted.push(old);
        }
    }
    // Freed outside the lock: returning pages to the OS takes a while.
    drop(evicted);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_buffers_are_reused_and_bounded() {
        let words = RECYCLE_FROM_BYTES / 8 + 1000;
        assert!(take_words(10).is_none(), "small results are never recycled");
        let mut v: Vec<u64> = Vec::with_capacity(words);
        v.resize(words, 7);
        let p = v.as_ptr();
        give_words(v);
        // Other tests may take it first; when it comes back, it is the same memory, empty.
        if let Some(v) = take_words(words - 10) {
            assert!(v.is_empty() && v.capacity() >= words - 10);
            if v.as_ptr() == p {
                assert_eq!(v.capacity(), words);
            }
        }
        assert!(
            take_words(words / 2).is_none_or(|v| v.capacity() <= words / 2 + words / 8),
            "a result never takes a buffer much larger than it"
        );
        for _ in 0..2 * RECYCLE_MAX_BUFFERS {
            give_words(Vec::with_capacity(words));
        }
        let kept = RECYCLED.lock().unwrap();
        assert!(kept.len() <= RECYCLE_MAX_BUFFERS);
        assert!(kept.iter().map(|v| v.capacity() * 8).sum::<usize>() <= recycle_max_bytes());
        assert!((RECYCLE_MIN_CAP..=RECYCLE_MAX_CAP).contains(&recycle_max_bytes()));
    }
}
