//! Executable memory for one kernel: an anonymous mapping, written once and then made
//! read-and-execute (never writable and executable at once).

/// A page-rounded mapping holding machine code; unmapped on drop.
pub(crate) struct Mapping {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the mapping is immutable once made executable; it is only executed and, on
// drop, unmapped by its one owner.
unsafe impl Send for Mapping {}
// SAFETY: as for `Send`: shared references only read the pointer.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// `code` copied into fresh executable memory, or `None` if the system refuses it.
    pub(crate) fn new(code: &[u8]) -> Option<Mapping> {
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .ok()
            .filter(|&p| p > 0)?;
        let len = code.len().max(1).div_ceil(page) * page;
        // SAFETY: a fresh private anonymous mapping; nothing else refers to it.
        let mem = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if mem == libc::MAP_FAILED {
            return None;
        }
        let mapping = Mapping {
            ptr: mem.cast(),
            len,
        };
        // SAFETY: the mapping is `len` ≥ `code.len()` writable bytes, ours alone.
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), mapping.ptr, code.len()) };
        // SAFETY: the range is exactly the mapping made above.
        let rc = unsafe { libc::mprotect(mem, len, libc::PROT_READ | libc::PROT_EXEC) };
        (rc == 0).then_some(mapping)
    }

    /// The first byte of the code.
    pub(crate) fn ptr(&self) -> *const u8 {
        self.ptr
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`; the kernel's function pointer into it is
        // dropped with its owner.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}
