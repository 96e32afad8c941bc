//! Huge pages for large results.
//!
//! A fresh result of many megabytes is mapped page by page as the kernel first writes
//! it: with 4 KiB pages that is a fault per 512 `f64`s, which costs more than computing
//! them (about 3 ns per element measured for `a*b + c` at 1e7). Asking the OS for
//! transparent huge pages, as NumPy's allocator does for arrays of 4 MiB and more, cuts
//! the faults 512-fold.

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
