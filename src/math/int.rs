//! Integer power with NumPy-like wrapping semantics.
//!
//! Narrower integer types call these with sign- or zero-extended operands and truncate the
//! result: wrapping multiplication commutes with truncation, so the low bits are exact.

/// `base ** exp` on signed integers, wrapping. A negative exponent gives 0, except for a
/// base of 1 (→ 1) and -1 (→ ±1 by the exponent's parity); NumPy raises there instead.
pub extern "C" fn ipow_i64(base: i64, exp: i64) -> i64 {
    if exp < 0 {
        return match base {
            1 => 1,
            -1 => {
                if exp & 1 == 0 {
                    1
                } else {
                    -1
                }
            }
            _ => 0,
        };
    }
    ipow_u64(base as u64, exp as u64) as i64
}

/// `base ** exp` on unsigned integers, wrapping (square-and-multiply).
pub extern "C" fn ipow_u64(base: u64, exp: u64) -> u64 {
    let (mut r, mut b, mut e) = (1u64, base, exp);
    while e > 0 {
        if e & 1 == 1 {
            r = r.wrapping_mul(b);
        }
        b = b.wrapping_mul(b);
        e >>= 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_handles_negative_exponents() {
        assert_eq!(ipow_i64(3, 4), 81);
        assert_eq!(ipow_i64(2, 64), 0);
        assert_eq!(ipow_i64(3, 41), 3i64.wrapping_pow(41));
        assert_eq!(ipow_i64(-1, -3), -1);
        assert_eq!(ipow_i64(-1, -4), 1);
        assert_eq!(ipow_i64(1, -7), 1);
        assert_eq!(ipow_i64(5, -1), 0);
        assert_eq!(ipow_i64(0, 0), 1);
        assert_eq!(ipow_u64(7, 23), 7u64.wrapping_pow(23));
    }
}
