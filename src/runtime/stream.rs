//! Streaming stores: results too large for the cache are computed block by block into a
//! scratch buffer that stays in L1, then copied out with non-temporal stores.
//!
//! A plain store first reads the cache line it writes (read-for-ownership), so a result
//! that does not fit in the last-level cache costs twice its size in DRAM traffic: a
//! fifth of the traffic of `a*b + c` is that read. Non-temporal stores skip it. Cranelift
//! has no non-temporal store, so the kernel writes each block into the scratch buffer and
//! [`stream_copy`] moves the block out; the extra copy runs from L1 and is cheaper than
//! the read it saves.

use super::exec::{for_each_piece, Iteration, Operands};
use crate::codegen::KernelFn;
use crate::types::DType;
use std::mem::MaybeUninit;

/// How a kernel's results reach memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Stores {
    /// Stream the results of runs whose data cannot stay in the cache: at least
    /// [`STREAM_MIN_RESULT_BYTES`] of results, and inputs and results together at least
    /// the last-level cache. Smaller runs store through the cache, where the caller is
    /// likely to read the result next.
    #[default]
    Auto,
    /// Always store through the cache.
    Cached,
    /// Stream whenever the outputs' layout allows it, whatever their size (for callers
    /// who will not read the result soon, and for tests of the streaming path).
    Streaming,
}

/// The fewest result bytes [`Stores::Auto`] streams: a small result is often read right
/// away, and streaming a 1-byte-per-element result saves little of a run's traffic.
pub const STREAM_MIN_RESULT_BYTES: usize = 1 << 20;

/// Scratch bytes for all outputs of one block together: with the inputs' lines of the
/// same block, this stays in a 32 KiB L1.
const BLOCK_BYTES: usize = 16 * 1024;

/// Elements per block are a multiple of this, so each output's block starts 64-byte
/// aligned in the scratch buffer.
const BLOCK_ALIGN: usize = 64;

/// The last-level cache size assumed where the OS does not say (the measured machines').
const DEFAULT_LLC_BYTES: usize = 8 << 20;

impl Stores {
    /// Whether a run touching `touched` bytes of inputs and results, `result` of them
    /// results, streams them (when [`can_stream`] accepts its outputs).
    pub(crate) fn streams(self, touched: usize, result: usize) -> bool {
        match self {
            Stores::Auto => {
                cfg!(target_arch = "x86_64")
                    && result >= STREAM_MIN_RESULT_BYTES
                    && touched >= llc_bytes()
            }
            Stores::Cached => false,
            Stores::Streaming => true,
        }
    }
}

/// For a run over `shape` whose inputs step by `in_strides` (one row per input, over
/// `shape`) with elements of `in_dtypes`, and whose outputs step by `out_inner_strides`
/// along the inner loop with elements of `out_sizes` bytes: `None` when [`can_stream`]
/// refuses the outputs, else the bytes the run touches (inputs and results) and the
/// results' bytes, what [`Stores::streams`] decides on.
pub(crate) fn stream_sizes<'s>(
    shape: &[usize],
    in_strides: impl Iterator<Item = &'s [isize]>,
    in_dtypes: &[DType],
    out_inner_strides: impl Iterator<Item = isize>,
    out_sizes: &[usize],
) -> Option<(usize, usize)> {
    if !can_stream(out_inner_strides, out_sizes) {
        return None;
    }
    let elements = shape.iter().fold(1usize, |n, &d| n.saturating_mul(d));
    let result = elements.saturating_mul(out_sizes.iter().sum());
    let touched = in_strides
        .zip(in_dtypes)
        .map(|(s, d)| footprint(shape, s, d.size()))
        .fold(result, usize::saturating_add);
    Some((touched, result))
}

/// The bytes one operand of an iteration over `shape` covers: its element size times
/// the extents of the axes it steps along (a broadcast axis adds nothing).
fn footprint(shape: &[usize], strides: &[isize], size: usize) -> usize {
    shape
        .iter()
        .zip(strides)
        .filter(|(_, &s)| s != 0)
        .fold(size, |b, (&d, _)| b.saturating_mul(d))
}

/// The size of the largest cache, read once from Linux's sysfs; [`DEFAULT_LLC_BYTES`]
/// elsewhere or when it cannot be read.
pub(crate) fn llc_bytes() -> usize {
    static LLC: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LLC.get_or_init(|| {
        let dir = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
        (0..8)
            .filter_map(|i| std::fs::read_to_string(dir.join(format!("index{i}/size"))).ok())
            .filter_map(|s| parse_cache_size(&s))
            .max()
            .unwrap_or(DEFAULT_LLC_BYTES)
    })
}

/// Parses sysfs's cache sizes: `"8192K"`, `"32M"` or plain bytes.
fn parse_cache_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let (digits, unit) = match s.as_bytes().last()? {
        b'K' => (&s[..s.len() - 1], 1 << 10),
        b'M' => (&s[..s.len() - 1], 1 << 20),
        b'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    digits
        .parse::<usize>()
        .ok()?
        .checked_mul(unit)
        .filter(|&b| b > 0)
}

/// Whether outputs with these inner-loop strides and element sizes can be streamed: each
/// contiguous along the inner loop with a power-of-two element of at most 16 bytes (so a
/// block of them holds whole vectors), and few enough that a block holds 64 elements.
fn can_stream(out_inner_strides: impl Iterator<Item = isize>, out_sizes: &[usize]) -> bool {
    let contiguous = out_inner_strides
        .zip(out_sizes)
        .all(|(s, &size)| s == size as isize && size.is_power_of_two() && size <= 16);
    let row: usize = out_sizes.iter().sum();
    contiguous && row > 0 && block_len(row) > 0
}

/// Elements per block for outputs of `row` bytes per element together.
fn block_len(row: usize) -> usize {
    BLOCK_BYTES / row / BLOCK_ALIGN * BLOCK_ALIGN
}

/// The scratch buffer of one work item, aligned like a cache line.
#[repr(C, align(64))]
struct Block([MaybeUninit<u8>; BLOCK_BYTES]);

/// Runs a compiled kernel over `it` bound to `ops` as [`super::exec::run_kernel`] does,
/// but computes each piece block by block into a scratch buffer and streams the blocks out.
///
/// # Safety
/// As for `run_kernel`; in addition `out_sizes` holds each output's element size and
/// [`can_stream`] accepts the iteration's outputs, and no input overlaps an output other
/// than element for element (a block is read whole before it is written).
pub(crate) unsafe fn run_kernel_streamed(
    it: &Iteration,
    ops: Operands,
    f: KernelFn,
    threads: usize,
    chunk: usize,
    out_sizes: &[usize],
) {
    let row: usize = out_sizes.iter().sum();
    let block = block_len(row);
    debug_assert!(block > 0);
    // Output k's block sits at `block * (sizes before k)`: a multiple of 64 bytes.
    let offsets: Vec<usize> = out_sizes
        .iter()
        .scan(0, |at, &s| {
            let o = *at;
            *at += block * s;
            Some(o)
        })
        .collect();
    let scratch_strides: Vec<isize> = out_sizes.iter().map(|&s| s as isize).collect();
    for_each_piece(it, ops, threads, chunk, |ptrs, strides, outs, _, len| {
        let mut buf = Block([MaybeUninit::uninit(); BLOCK_BYTES]);
        let base = buf.0.as_mut_ptr() as *mut u8;
        let scratch: Vec<*mut u8> = offsets.iter().map(|&o| base.wrapping_add(o)).collect();
        let mut ins = ptrs.to_vec();
        let mut done = 0;
        while done < len {
            let n = block.min(len - done);
            // SAFETY: the kernel reads `n` elements from each input (valid: the caller's
            // contract, this block lies within the piece) and writes `n` contiguous
            // elements into each output's part of `buf`, which holds `block` of them.
            unsafe {
                f(
                    n,
                    ins.as_ptr(),
                    strides.as_ptr(),
                    scratch.as_ptr(),
                    scratch_strides.as_ptr(),
                )
            };
            for ((&dst, &src), &size) in outs.iter().zip(&scratch).zip(out_sizes) {
                // SAFETY: the piece's output elements `done..done + n` are contiguous and
                // writable (the caller's contract); `src` holds them, just written.
                unsafe { stream_copy(dst.wrapping_add(done * size), src, n * size) };
            }
            for (p, &s) in ins.iter_mut().zip(strides) {
                *p = p.wrapping_offset(n as isize * s);
            }
            done += n;
        }
        // Non-temporal stores are weakly ordered: fence them before the piece counts as
        // done, so the thread that joins the run sees every element.
        store_fence();
    });
}

/// Copies `bytes` bytes from `src` to `dst` with non-temporal stores where the
/// destination is 16-byte aligned, and plain stores at the unaligned ends.
///
/// # Safety
/// `src` is readable and `dst` writable for `bytes` bytes, and they do not overlap.
/// [`store_fence`] must run before another thread relies on the copy.
#[cfg(target_arch = "x86_64")]
pub(crate) unsafe fn stream_copy(dst: *mut u8, src: *const u8, bytes: usize) {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_stream_si128};
    let head = dst.align_offset(16).min(bytes);
    // SAFETY: within both ranges (the caller's contract).
    unsafe { std::ptr::copy_nonoverlapping(src, dst, head) };
    let mut i = head;
    // SAFETY: every access below lies in `[i, i + 16·k) ⊆ [0, bytes)`, `dst + i` is
    // 16-byte aligned, and SSE2 is part of x86-64.
    unsafe {
        while i + 64 <= bytes {
            for k in 0..4 {
                let v = _mm_loadu_si128(src.add(i + 16 * k) as *const __m128i);
                _mm_stream_si128(dst.add(i + 16 * k) as *mut __m128i, v);
            }
            i += 64;
        }
        while i + 16 <= bytes {
            let v = _mm_loadu_si128(src.add(i) as *const __m128i);
            _mm_stream_si128(dst.add(i) as *mut __m128i, v);
            i += 16;
        }
        std::ptr::copy_nonoverlapping(src.add(i), dst.add(i), bytes - i);
    }
}

/// Copies `bytes` bytes (plain stores: this target has no streaming path).
///
/// # Safety
/// `src` is readable and `dst` writable for `bytes` bytes, and they do not overlap.
#[cfg(not(target_arch = "x86_64"))]
pub(crate) unsafe fn stream_copy(dst: *mut u8, src: *const u8, bytes: usize) {
    // SAFETY: the caller's contract.
    unsafe { std::ptr::copy_nonoverlapping(src, dst, bytes) };
}

/// Orders earlier non-temporal stores before later stores.
fn store_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `sfence` only orders stores; SSE is part of x86-64.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_copy_copies_every_alignment_and_length() {
        let src: Vec<u8> = (0..600u32).map(|i| (i * 7 + 3) as u8).collect();
        for off in 0..17 {
            for len in (0..80).chain([127, 128, 129, 255, 256, 500]) {
                let mut dst = vec![0u8; 600 + 32];
                // SAFETY: `off + len ≤ 517 < dst.len()` and `len ≤ src.len()`.
                unsafe { stream_copy(dst.as_mut_ptr().add(off), src.as_ptr(), len) };
                store_fence();
                assert_eq!(&dst[off..off + len], &src[..len], "off {off} len {len}");
                assert!(dst[..off].iter().all(|&b| b == 0), "before, off {off}");
                assert!(
                    dst[off + len..].iter().all(|&b| b == 0),
                    "after, off {off} len {len}"
                );
            }
        }
    }

    #[test]
    fn blocks_hold_whole_aligned_runs() {
        assert_eq!(block_len(8), 2048);
        assert_eq!(block_len(8 + 8 + 1), 960);
        for row in 1..=256 {
            let b = block_len(row);
            assert!(
                b.is_multiple_of(BLOCK_ALIGN) && b * row <= BLOCK_BYTES,
                "row {row}"
            );
        }
        assert!(can_stream([8, 1].into_iter(), &[8, 1]));
        assert!(
            !can_stream([8, 16].into_iter(), &[8, 1]),
            "strided bool output"
        );
        assert!(!can_stream([24].into_iter(), &[24]), "24-byte elements");
        assert!(
            !can_stream([16; 20].into_iter(), &[16; 20]),
            "too many outputs for a block"
        );
        assert!(!can_stream(std::iter::empty(), &[]));
    }

    #[test]
    fn auto_streams_only_runs_too_large_for_the_cache() {
        let (llc, min) = (llc_bytes(), STREAM_MIN_RESULT_BYTES);
        assert!(!Stores::Auto.streams(llc - 1, min), "fits in the cache");
        assert!(!Stores::Auto.streams(usize::MAX, min - 1), "small result");
        assert_eq!(Stores::Auto.streams(llc, min), cfg!(target_arch = "x86_64"));
        assert!(!Stores::Cached.streams(usize::MAX, usize::MAX));
        assert!(Stores::Streaming.streams(0, 0));
    }

    #[test]
    fn cache_sizes_and_footprints() {
        assert_eq!(parse_cache_size("8192K\n"), Some(8 << 20));
        assert_eq!(parse_cache_size("32M"), Some(32 << 20));
        assert_eq!(parse_cache_size("65536"), Some(65536));
        for bad in ["", "K", "x", "0K", "-1M"] {
            assert_eq!(parse_cache_size(bad), None, "{bad:?}");
        }
        assert!(llc_bytes() > 0);
        // A (1000, 300) array, a row broadcast along axis 0, and a scalar.
        assert_eq!(footprint(&[1000, 300], &[2400, 8], 8), 2_400_000);
        assert_eq!(footprint(&[1000, 300], &[0, 8], 8), 2400);
        assert_eq!(footprint(&[1000, 300], &[0, 0], 8), 8);
        assert_eq!(footprint(&[], &[], 4), 4);
        // `a + r` into f64 over (1000, 300), `r` a broadcast row; a strided output refuses.
        let rows: [&[isize]; 2] = [&[2400, 8], &[0, 8]];
        assert_eq!(
            stream_sizes(
                &[1000, 300],
                rows.into_iter(),
                &[DType::F64; 2],
                [8].into_iter(),
                &[8]
            ),
            Some((2_400_000 + 2400 + 2_400_000, 2_400_000))
        );
        assert_eq!(
            stream_sizes(
                &[1000, 300],
                rows.into_iter(),
                &[DType::F64; 2],
                [16].into_iter(),
                &[8]
            ),
            None
        );
    }
}
