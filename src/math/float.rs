//! `extern "C"` transcendental functions on `f64` and `f32` (platform libm via Rust `std`).

macro_rules! unary_pair {
    ($n64:ident, $n32:ident, $method:ident) => {
        #[doc = concat!("`", stringify!($method), "` on `f64`: Rust `f64::", stringify!($method), "` (platform libm accuracy).")]
        pub extern "C" fn $n64(x: f64) -> f64 {
            x.$method()
        }
        #[doc = concat!("`", stringify!($method), "` on `f32`: Rust `f32::", stringify!($method), "` (platform libm accuracy).")]
        pub extern "C" fn $n32(x: f32) -> f32 {
            x.$method()
        }
    };
}

// std's `asinh`/`acosh`/`atanh` are composed formulas, not libm calls, and differ from
// libm (and so from NumPy) by an ULP on many inputs: call libm directly.
macro_rules! libm_pair {
    ($n64:ident, $n32:ident, $f64:ident, $f32:ident) => {
        #[doc = concat!("`", stringify!($f64), "` on `f64`: the platform libm's.")]
        pub extern "C" fn $n64(x: f64) -> f64 {
            // SAFETY: a pure libm function of one double.
            unsafe { super::libm::$f64(x) }
        }
        #[doc = concat!("`", stringify!($f32), "` on `f32`: the platform libm's.")]
        pub extern "C" fn $n32(x: f32) -> f32 {
            // SAFETY: a pure libm function of one float.
            unsafe { super::libm::$f32(x) }
        }
    };
}

unary_pair!(sin_f64, sin_f32, sin);
unary_pair!(cos_f64, cos_f32, cos);
unary_pair!(tan_f64, tan_f32, tan);
unary_pair!(arcsin_f64, arcsin_f32, asin);
unary_pair!(arccos_f64, arccos_f32, acos);
unary_pair!(arctan_f64, arctan_f32, atan);
unary_pair!(sinh_f64, sinh_f32, sinh);
unary_pair!(cosh_f64, cosh_f32, cosh);
unary_pair!(tanh_f64, tanh_f32, tanh);
libm_pair!(arcsinh_f64, arcsinh_f32, asinh, asinhf);
libm_pair!(arccosh_f64, arccosh_f32, acosh, acoshf);
libm_pair!(arctanh_f64, arctanh_f32, atanh, atanhf);
unary_pair!(exp_f64, exp_f32, exp);
unary_pair!(expm1_f64, expm1_f32, exp_m1);
unary_pair!(log_f64, log_f32, ln);
unary_pair!(log1p_f64, log1p_f32, ln_1p);
unary_pair!(log2_f64, log2_f32, log2);
unary_pair!(log10_f64, log10_f32, log10);

macro_rules! binary_pair {
    ($n64:ident, $n32:ident, |$a:ident, $b:ident| $body:expr, $what:literal) => {
        #[doc = concat!($what, " on `f64`.")]
        pub extern "C" fn $n64($a: f64, $b: f64) -> f64 {
            $body
        }
        #[doc = concat!($what, " on `f32`.")]
        pub extern "C" fn $n32($a: f32, $b: f32) -> f32 {
            $body
        }
    };
}

binary_pair!(
    pow_f64,
    pow_f32,
    |a, b| a.powf(b),
    "`a ** b`: Rust `powf` (libm `pow`)"
);
binary_pair!(
    fmod_f64,
    fmod_f32,
    |a, b| a % b,
    "C `fmod`: Rust `%`, exact, sign of the dividend"
);
binary_pair!(
    arctan2_f64,
    arctan2_f32,
    |a, b| a.atan2(b),
    "`arctan2(y, x)`: Rust `atan2` (libm)"
);
binary_pair!(
    hypot_f64,
    hypot_f32,
    |a, b| a.hypot(b),
    "`hypot`: Rust `hypot` (libm)"
);

macro_rules! nextafter_impl {
    ($name:ident, $t:ty, $bits:ty) => {
        /// C `nextafter(x, y)`: the representable value after `x` towards `y`, exact.
        ///
        /// NaN in either gives NaN; `x == y` gives `y` (so `nextafter(0.0, -0.0) == -0.0`).
        pub extern "C" fn $name(x: $t, y: $t) -> $t {
            if x.is_nan() || y.is_nan() {
                return x + y;
            }
            if x == y {
                return y;
            }
            if x == 0.0 {
                // Smallest subnormal with the sign of the direction of travel.
                return <$t>::from_bits(1).copysign(y);
            }
            let bits = x.to_bits();
            // Moving away from zero increases the magnitude bits; towards zero decreases them.
            let away = (y > x) == (x > 0.0);
            <$t>::from_bits(if away { bits + 1 } else { bits - (1 as $bits) })
        }
    };
}

nextafter_impl!(nextafter_f64, f64, u64);
nextafter_impl!(nextafter_f32, f32, u32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nextafter_steps_one_ulp() {
        assert_eq!(nextafter_f64(1.0, 2.0), 1.0 + f64::EPSILON);
        assert_eq!(nextafter_f64(1.0, 0.0), 1.0 - f64::EPSILON / 2.0);
        assert_eq!(nextafter_f64(-1.0, -2.0), -1.0 - f64::EPSILON);
        assert_eq!(nextafter_f64(0.0, -1.0), -f64::from_bits(1));
        assert_eq!(nextafter_f32(0.0, 1.0), f32::from_bits(1));
        assert_eq!(nextafter_f64(f64::MAX, f64::INFINITY), f64::INFINITY);
        assert_eq!(nextafter_f64(f64::INFINITY, 0.0), f64::MAX);
        assert!(nextafter_f64(f64::NAN, 0.0).is_nan());
        assert!(nextafter_f32(0.0, f32::NAN).is_nan());
        assert_eq!(nextafter_f64(0.0, -0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(
            nextafter_f64(-f64::from_bits(1), 1.0).to_bits(),
            (-0.0f64).to_bits()
        );
    }
}
