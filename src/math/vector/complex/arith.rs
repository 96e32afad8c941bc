//! `/` on complex blocks, exactly as the interpreter computes it.

use super::{exact_binary, Part, Planes, BLOCK};

/// The block loop of a two-operand kernel: `f(ar, ai, br, bi) -> (re, im)` on every
/// element. The planes are filled once, so a short last block computes (and discards)
/// leftovers of the one before it.
///
/// # Safety
/// `x`, `y` and `out` are valid for `n` complex elements of part type `T`; `out` is `x`,
/// `y` or apart from both.
#[inline(always)]
unsafe fn blocks<T: Part>(
    n: usize,
    x: *const u8,
    y: *const u8,
    out: *mut u8,
    f: impl Fn(T, T, T, T) -> (T, T),
) {
    let (x, y, out) = (x as *const T, y as *const T, out as *mut T);
    crate::math::vector::align_frame();
    let (mut a, mut b, mut r) = (Planes::new(), Planes::new(), Planes::new());
    let mut i = 0;
    while i < n {
        let m = (n - i).min(BLOCK);
        // SAFETY: i + m <= n elements of two parts each.
        unsafe {
            a.load(x.add(2 * i), m);
            b.load(y.add(2 * i), m);
        }
        for j in 0..BLOCK {
            (r.re[j], r.im[j]) = f(a.re[j], a.im[j], b.re[j], b.im[j]);
        }
        // SAFETY: as above; the block was read in full before this write.
        unsafe { r.store(out.add(2 * i), m) };
        i += m;
    }
}

/// `a / b` by Smith's algorithm exactly as [`crate::math::complex`]'s `div`, without
/// branches: both branches divide by the larger part of `b` (`p`, the other one `q`), so
/// the operands are selected first and the products of each branch after. A zero `b`
/// gives `a / +0` per part, which is `a * +inf` bit for bit.
#[inline(always)]
fn div_lane<T: Part>(ar: T, ai: T, br: T, bi: T) -> (T, T) {
    let (abs_br, abs_bi) = (br.abs(), bi.abs());
    // False when a part of `b` is NaN: the second branch, as in the scalar code.
    let first = abs_br >= abs_bi;
    let zero = abs_br == T::ZERO && abs_bi == T::ZERO;
    let (p, q) = if first { (br, bi) } else { (bi, br) };
    let rat = q / p;
    let scl = T::ONE / (p + q * rat);
    let (pa, pb) = (ar * rat, ai * rat);
    // First branch: `(ar + ai*rat, ai - ar*rat)`; second: `(ar*rat + ai, ai*rat - ar)`.
    let re = if first { ar + pb } else { pa + ai };
    let im = if first { ai - pa } else { pb - ar };
    if zero {
        (ar * T::INFINITY, ai * T::INFINITY)
    } else {
        (re * scl, im * scl)
    }
}

/// `x / y`.
///
/// # Safety
/// As [`blocks`].
#[inline(always)]
unsafe fn div<T: Part>(n: usize, x: *const u8, y: *const u8, out: *mut u8) {
    // SAFETY: the caller keeps the contract.
    unsafe { blocks::<T>(n, x, y, out, div_lane) }
}

exact_binary!(DIV_C128, f64, div);
exact_binary!(DIV_C64, f32, div);
