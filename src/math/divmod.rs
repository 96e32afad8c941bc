//! NumPy's float floor division and remainder (`npy_divmod`, `npy_floor_divide`,
//! `npy_remainder` in numpy's `npy_math_internal.h.src`), followed line by line so that
//! results, signed zeros and NaNs match NumPy exactly. All arithmetic is exact IEEE except
//! the final `(a - mod) / b`, which NumPy rounds the same way.

macro_rules! divmod_impl {
    ($divmod:ident, $floordiv:ident, $remainder:ident, $t:ty) => {
        /// `npy_divmod`: returns `(floordiv, mod)` for `b != 0`.
        fn $divmod(a: $t, b: $t) -> ($t, $t) {
            let mut m = a % b;
            let mut div = (a - m) / b;
            if m != 0.0 || m.is_nan() {
                if (b < 0.0) != (m < 0.0) {
                    m += b;
                    div -= 1.0;
                }
            } else {
                m = (0.0 as $t).copysign(b);
            }
            let floordiv = if div != 0.0 || div.is_nan() {
                let mut f = div.floor();
                if div - f > 0.5 {
                    f += 1.0;
                }
                f
            } else {
                (0.0 as $t).copysign(a / b)
            };
            (floordiv, m)
        }

        /// NumPy's `a // b` (`npy_floor_divide`): `a / b` when `b == 0`.
        pub extern "C" fn $floordiv(a: $t, b: $t) -> $t {
            if b == 0.0 {
                a / b
            } else {
                $divmod(a, b).0
            }
        }

        /// NumPy's `a % b` (`npy_remainder`): sign of `b`; `fmod(a, b)` when `b == 0`.
        pub extern "C" fn $remainder(a: $t, b: $t) -> $t {
            if b == 0.0 {
                a % b
            } else {
                $divmod(a, b).1
            }
        }
    };
}

divmod_impl!(divmod_f64, floordiv_f64, remainder_f64, f64);
divmod_impl!(divmod_f32, floordiv_f32, remainder_f32, f32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_semantics() {
        assert_eq!(floordiv_f64(7.0, -2.0), -4.0);
        assert_eq!(remainder_f64(7.0, -2.0), -1.0);
        assert_eq!(remainder_f64(-7.0, 2.0), 1.0);
        assert_eq!(floordiv_f64(-7.5, 2.0), -4.0);
        assert_eq!(remainder_f64(4.0, -2.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(floordiv_f64(0.0, -3.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(floordiv_f64(1.0, 0.0), f64::INFINITY);
        assert!(remainder_f64(1.0, 0.0).is_nan());
        assert!(floordiv_f32(f32::NAN, 2.0).is_nan());
        assert_eq!(remainder_f32(-1.0, f32::INFINITY), f32::INFINITY);
        assert_eq!(floordiv_f32(-1.0, f32::INFINITY), -1.0);
    }
}
