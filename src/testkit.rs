//! Test support shared by jitex's unit tests (inside the crate) and its integration tests:
//! a seedable random generator, the special values of each dtype, distances in units in
//! the last place, and bit comparison of scalars and whole arrays with every NaN equal to
//! every NaN (payloads and signs of NaNs differ between libms and SIMD paths and carry no
//! meaning). Hidden from the documentation and not part of the stable API.

use crate::runtime::Array;
use crate::types::{DType, Scalar};

/// A tiny deterministic generator (splitmix64): well mixed, any seed (0 included) is fine,
/// so generated test data is reproducible from one printed seed and cheap to make in bulk.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() <= p
    }

    /// One element of `items` (non-empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Any bit pattern: every exponent (and NaN) equally likely.
    pub fn any_f64(&mut self) -> f64 {
        f64::from_bits(self.next_u64())
    }

    /// A random value of numeric `dtype`: a special value a third of the time, else a
    /// small or a fully random one.
    pub fn scalar(&mut self, dtype: DType) -> Scalar {
        if self.chance(0.33) {
            let specials = specials(dtype);
            return specials[self.below(specials.len())];
        }
        if self.chance(0.5) {
            // Small magnitudes exercise the ordinary paths (and fit every dtype).
            let v = self.below(200) as f64 - 100.0;
            let v = if dtype.is_float() { v / 8.0 } else { v };
            let v = if dtype.is_unsigned_int() { v.abs() } else { v };
            return Scalar::F64(v).cast(dtype);
        }
        let lo = self.next_u64() as u128;
        // Only 16-byte dtypes draw a second word, so real dtypes keep their sequences.
        let hi = if dtype.size() > 8 {
            self.next_u64() as u128
        } else {
            0
        };
        Scalar::from_bits(dtype, lo | hi << 64)
    }
}

/// The values of numeric `dtype` where semantics have edges: zeros, ones, extremes, NaN,
/// infinities, subnormals (complex dtypes: the integer edges, as real parts).
pub fn specials(dtype: DType) -> Vec<Scalar> {
    let ints = |v: &[i128]| -> Vec<Scalar> {
        v.iter()
            .map(|&x| Scalar::I64(x as i64).cast(dtype))
            .collect()
    };
    match dtype {
        DType::Bool => vec![Scalar::Bool(false), Scalar::Bool(true)],
        DType::F32 => [
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            0.0,
            -0.0,
            f32::from_bits(1),
            f32::MIN_POSITIVE,
            f32::MAX,
            f32::MIN,
            1.0,
            -1.0,
            0.5,
            2.5,
            -1.5,
        ]
        .iter()
        .map(|&v| Scalar::F32(v))
        .collect(),
        DType::F64 => [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            f64::from_bits(1),
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            1.0,
            -1.0,
            0.5,
            2.5,
            -1.5,
        ]
        .iter()
        .map(|&v| Scalar::F64(v))
        .collect(),
        _ => {
            let bits = dtype.bits() as i128;
            let (min, max) = if dtype.is_signed_int() {
                (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
            } else {
                (0, (1i128 << bits) - 1)
            };
            // Wrapping casts from i64 give the right bits for uint64::MAX too.
            ints(&[min, min + 1, -1, 0, 1, 2, 3, bits - 1, bits, max - 1, max])
        }
    }
}

/// `true` if `x` is a float NaN.
pub fn is_nan(x: Scalar) -> bool {
    match x {
        Scalar::F32(v) => v.is_nan(),
        Scalar::F64(v) => v.is_nan(),
        _ => false,
    }
}

/// The parts of a complex value, as float scalars.
pub fn parts(x: Scalar) -> Option<(Scalar, Scalar)> {
    match x {
        Scalar::C64(z) => Some((Scalar::F32(z.re), Scalar::F32(z.im))),
        Scalar::C128(z) => Some((Scalar::F64(z.re), Scalar::F64(z.im))),
        _ => None,
    }
}

/// Bit-exact equality of the same dtype, with every NaN equal to every NaN; complex values
/// part by part.
pub fn same_bits(a: Scalar, b: Scalar) -> bool {
    if let (Some((ar, ai)), Some((br, bi))) = (parts(a), parts(b)) {
        return same_bits(ar, br) && same_bits(ai, bi);
    }
    a.dtype() == b.dtype() && ((is_nan(a) && is_nan(b)) || a.to_bits() == b.to_bits())
}

/// Distance in representable values between two `f64`s: 0 for equal values (±0 too) or
/// two NaNs, `u64::MAX` when only one is NaN.
pub fn ulps64(a: f64, b: f64) -> u64 {
    if a.is_nan() && b.is_nan() || a == b {
        return 0;
    }
    if a.is_nan() || b.is_nan() {
        return u64::MAX;
    }
    // The sign-magnitude encoding mapped to a monotonic integer line (±0 both to 0).
    let key = |x: f64| {
        let b = x.to_bits() as i64;
        if b < 0 {
            i64::MIN - b
        } else {
            b
        }
    };
    key(a).abs_diff(key(b))
}

/// [`ulps64`] for `f32`s.
pub fn ulps32(a: f32, b: f32) -> u64 {
    if a.is_nan() && b.is_nan() || a == b {
        return 0;
    }
    if a.is_nan() || b.is_nan() {
        return u64::MAX;
    }
    let key = |x: f32| {
        let b = x.to_bits() as i32;
        if b < 0 {
            i32::MIN - b
        } else {
            b
        }
    };
    u64::from(key(a).abs_diff(key(b)))
}

/// Distance in units in the last place between two scalars of one dtype: [`ulps64`] or
/// [`ulps32`] for floats, the larger of the parts' distances for complex values, 0 for
/// equal bits and `u64::MAX` for anything else that differs.
pub fn ulps(a: Scalar, b: Scalar) -> u64 {
    if same_bits(a, b) {
        return 0;
    }
    if let (Some((ar, ai)), Some((br, bi))) = (parts(a), parts(b)) {
        return ulps(ar, br).max(ulps(ai, bi));
    }
    match (a, b) {
        (Scalar::F64(x), Scalar::F64(y)) => ulps64(x, y),
        (Scalar::F32(x), Scalar::F32(y)) => ulps32(x, y),
        _ => u64::MAX,
    }
}

/// `a` and `b` equal bit for bit (NaNs equal), or floats (complex: part by part) at most
/// `tol` ULPs apart and of the same sign, so that a tolerance never hides a lost sign of
/// zero.
pub fn within_ulps(a: Scalar, b: Scalar, tol: u64) -> bool {
    if same_bits(a, b) {
        return true;
    }
    if let (Some((ar, ai)), Some((br, bi))) = (parts(a), parts(b)) {
        return within_ulps(ar, br, tol) && within_ulps(ai, bi, tol);
    }
    let negative = |x: Scalar| match x {
        Scalar::F64(v) => v.is_sign_negative(),
        Scalar::F32(v) => v.is_sign_negative(),
        _ => false,
    };
    tol > 0 && ulps(a, b) <= tol && negative(a) == negative(b)
}

/// Every element of a numeric array, in C order.
pub fn elements(a: &Array) -> Vec<Scalar> {
    let dtype = a.dtype();
    let size = dtype.size();
    if size == 0 {
        return Vec::new();
    }
    a.as_bytes()
        .chunks_exact(size)
        .map(|c| Scalar::read(dtype, c))
        .collect()
}

/// Compares `got` with `want`: the same dtype and shape, and every element equal bit for
/// bit with NaNs canonicalised (strings byte for byte, NUL padding included), or, with
/// `tol > 0`, float and complex elements [`within_ulps`] `tol`. The error names the first
/// differing element.
pub fn compare(got: &Array, want: &Array, tol: u64) -> Result<(), String> {
    if got.dtype() != want.dtype() || got.shape() != want.shape() {
        return Err(format!(
            "dtype/shape {} {:?}, expected {} {:?}",
            got.dtype(),
            got.shape(),
            want.dtype(),
            want.shape()
        ));
    }
    if got.dtype().is_string() {
        let size = got.dtype().size().max(1);
        let (g, w) = (got.as_bytes(), want.as_bytes());
        return match g.chunks(size).zip(w.chunks(size)).position(|(x, y)| x != y) {
            None if g.len() == w.len() => Ok(()),
            None => Err(format!("{} bytes, expected {}", g.len(), w.len())),
            Some(k) => Err(format!(
                "element {k}: bytes {:?}, expected {:?}",
                &g[k * size..(k + 1) * size],
                &w[k * size..(k + 1) * size]
            )),
        };
    }
    let (g, w) = (elements(got), elements(want));
    for (k, (x, y)) in g.iter().zip(&w).enumerate() {
        if !within_ulps(*x, *y, tol) {
            return Err(format!(
                "element {k} of {}: {x:?}, expected {y:?} ({} ULPs, tolerance {tol})",
                g.len(),
                ulps(*x, *y)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulps_count_representable_values() {
        assert_eq!(ulps64(1.0, 1.0 + f64::EPSILON), 1);
        assert_eq!(ulps64(-0.0, 0.0), 0);
        assert_eq!(ulps64(f64::from_bits(1), -f64::from_bits(1)), 2);
        assert_eq!(ulps64(f64::NAN, 1.0), u64::MAX);
        assert_eq!(ulps32(1.0, 1.0 + f32::EPSILON), 1);
        assert_eq!(ulps(Scalar::F64(1.0), Scalar::F32(1.0)), u64::MAX);
        assert_eq!(ulps(Scalar::I32(1), Scalar::I32(2)), u64::MAX);
    }

    #[test]
    fn nans_compare_equal_and_zero_signs_do_not() {
        let nan = Scalar::F64(f64::from_bits(0xfff8_0000_0000_0001));
        assert!(same_bits(nan, Scalar::F64(f64::NAN)));
        assert!(!same_bits(Scalar::F64(0.0), Scalar::F64(-0.0)));
        assert!(!within_ulps(Scalar::F64(0.0), Scalar::F64(-0.0), 4));
        assert!(within_ulps(
            Scalar::F32(1.0),
            Scalar::F32(1.0 + f32::EPSILON),
            1
        ));
        assert!(!within_ulps(
            Scalar::F32(1.0),
            Scalar::F32(1.0 + f32::EPSILON),
            0
        ));
    }

    #[test]
    fn rng_is_reproducible_and_in_range() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        for _ in 0..100 {
            assert!(a.below(5) < 5);
            assert!((-2.0..3.0).contains(&a.uniform(-2.0, 3.0)));
        }
    }
}
