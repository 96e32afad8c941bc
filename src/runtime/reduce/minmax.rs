//! Float `min` and `max` whose contiguous folds compare many lanes at once.
//!
//! The semantics (see [`super`]): the first NaN if there is one, its bits kept, else the
//! first of the smallest (largest) elements. Folded one element at a time that is a chain
//! of dependent compares; but without NaNs the extreme *value* does not depend on the
//! order, and two equal floats have the same bits unless they are zeros of opposite sign.
//! So a contiguous fold keeps one running extreme per lane (which LLVM turns into
//! `minpd`/`maxpd` over whole vectors) and notes whether it saw a NaN; only when it did, or
//! when the extreme is a zero, is the block folded again one element at a time, which
//! gives the exact answer. The result is the one-at-a-time fold's in every case.

use super::kernel::{Kern, Order};

/// Lanes of running extremes: enough independent chains to fill two AVX-512 vectors of
/// `f64` (four of `f32`), so the compares pipeline.
const LANES: usize = 16;

/// `min` (`IS_MIN`) or `max` of a float type `T`.
pub(super) struct FloatMinMax<T, const IS_MIN: bool>(std::marker::PhantomData<T>);

impl<T, const IS_MIN: bool> FloatMinMax<T, IS_MIN> {
    /// The kernel.
    pub fn new() -> Self {
        FloatMinMax(std::marker::PhantomData)
    }
}

/// The float element types.
pub(super) trait Float: Copy + PartialOrd + Send + Sync + 'static {
    /// The value every element beats or ties (`+inf` for `min`, `-inf` for `max`).
    fn worst(is_min: bool) -> Self;
    /// `x != x`.
    fn is_nan(self) -> bool;
    /// `x == 0` (either sign).
    fn is_zero(self) -> bool;
}

impl Float for f64 {
    fn worst(is_min: bool) -> f64 {
        if is_min {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        }
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    #[inline(always)]
    fn is_zero(self) -> bool {
        self == 0.0
    }
}

impl Float for f32 {
    fn worst(is_min: bool) -> f32 {
        if is_min {
            f32::INFINITY
        } else {
            f32::NEG_INFINITY
        }
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    #[inline(always)]
    fn is_zero(self) -> bool {
        self == 0.0
    }
}

/// Whether `b` replaces the running `a` in a one-at-a-time fold: never once `a` is NaN;
/// a NaN `b` always; else a strictly better `b`.
#[inline(always)]
fn replaces<T: Float>(is_min: bool, a: T, b: T) -> bool {
    !a.is_nan() && (b.is_nan() || if is_min { b < a } else { b > a })
}

impl<T: Float, const IS_MIN: bool> Kern for FloatMinMax<T, IS_MIN> {
    type A = T;
    type E = T;

    #[inline(always)]
    unsafe fn load(&self, p: *const u8) -> T {
        // SAFETY: the caller's contract: `p` addresses a valid `T`.
        unsafe { (p as *const T).read_unaligned() }
    }

    #[inline(always)]
    fn combine(&self, a: T, b: T) -> T {
        if replaces(IS_MIN, a, b) {
            b
        } else {
            a
        }
    }

    fn order(&self) -> Order {
        Order::Fold { split: true }
    }

    #[inline]
    unsafe fn fold_unit(&self, p: *const u8, n: usize, acc: T) -> T {
        if acc.is_nan() || n == 0 {
            return acc;
        }
        if !(p as usize).is_multiple_of(std::mem::align_of::<T>()) {
            // Unaligned storage (a view into bytes) is read element by element.
            return (0..n).fold(acc, |a, i| {
                // SAFETY: element `i < n` (the caller's contract).
                self.combine(a, unsafe { self.load(p.wrapping_add(i * size_of::<T>())) })
            });
        }
        // SAFETY: `n` valid, aligned elements from `p` (the caller's contract and the test
        // above); any bits are a valid float.
        let xs = unsafe { std::slice::from_raw_parts(p as *const T, n) };
        let mut best = [T::worst(IS_MIN); LANES];
        let mut nan = [false; LANES];
        let mut chunks = xs.chunks_exact(LANES);
        for c in &mut chunks {
            for j in 0..LANES {
                let x = c[j];
                // A NaN never compares better, so it never enters `best`.
                let better = if IS_MIN { x < best[j] } else { x > best[j] };
                best[j] = if better { x } else { best[j] };
                nan[j] |= x.is_nan();
            }
        }
        let mut r = acc;
        let mut saw_nan = nan.iter().any(|&b| b);
        for &x in best.iter().chain(chunks.remainder()) {
            saw_nan |= x.is_nan();
            if if IS_MIN { x < r } else { x > r } {
                r = x;
            }
        }
        if saw_nan || r.is_zero() {
            // The first NaN, or which zero comes first, depends on the order.
            return one_at_a_time(self, xs, acc);
        }
        r
    }
}

/// The plain left fold.
fn one_at_a_time<T: Float, const IS_MIN: bool>(k: &FloatMinMax<T, IS_MIN>, xs: &[T], acc: T) -> T {
    xs.iter().fold(acc, |a, &x| k.combine(a, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: Float + std::fmt::Debug, const IS_MIN: bool>(
        xs: &[T],
        acc: T,
        bits: impl Fn(T) -> u64,
    ) {
        let k = FloatMinMax::<T, IS_MIN>::new();
        let want = one_at_a_time(&k, xs, acc);
        // SAFETY: `xs` holds `xs.len()` valid elements.
        let got = unsafe { k.fold_unit(xs.as_ptr() as *const u8, xs.len(), acc) };
        assert_eq!(bits(got), bits(want), "{xs:?} onto {acc:?}");
    }

    #[test]
    fn lane_folds_give_the_one_at_a_time_bits() {
        let nan2 = f64::from_bits(0x7ff8_0000_0000_0002);
        let specials = [
            0.0,
            -0.0,
            1.5,
            -1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            nan2,
            3.0,
            -7.25,
        ];
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for n in (0..70).chain([127, 128, 129, 500]) {
            for _ in 0..20 {
                let xs: Vec<f64> = (0..n)
                    .map(|i| {
                        if next() % 7 == 0 {
                            specials[next() % specials.len()]
                        } else {
                            (next() % 1000) as f64 - 500.0 + i as f64 * 0.001
                        }
                    })
                    .collect();
                let acc = specials[next() % specials.len()];
                check::<f64, true>(&xs, acc, f64::to_bits);
                check::<f64, false>(&xs, acc, f64::to_bits);
                let ys: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
                check::<f32, true>(&ys, acc as f32, |x| x.to_bits() as u64);
                check::<f32, false>(&ys, acc as f32, |x| x.to_bits() as u64);
            }
        }
        // Zeros of both signs: the first one wins.
        check::<f64, false>(&[-0.0; 40], 0.0, f64::to_bits);
        check::<f64, true>(&[0.0, -0.0, 0.0, -0.0].repeat(10), -0.0, f64::to_bits);
        let mut xs = vec![1.0; 40];
        xs[33] = nan2;
        xs[35] = f64::NAN;
        check::<f64, false>(&xs, 0.5, f64::to_bits);
    }
}
