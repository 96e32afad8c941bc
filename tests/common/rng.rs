//! A tiny deterministic PRNG (splitmix64) and special-value tables, so that generated test
//! data is reproducible from one printed seed and cheap to make in bulk.

use jitex::{DType, Scalar};

/// splitmix64: fast, well mixed, and trivially seedable.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
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

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// One element of `items` (non-empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A random value of `dtype`: a special value a third of the time, else a small or a
    /// fully random one.
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

/// The values where semantics have edges: zeros, ones, extremes, NaN, infinities, subnormals.
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
