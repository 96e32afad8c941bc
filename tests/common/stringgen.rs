//! Random string-comparison expressions and string data for the strings differential test:
//! boolean combinations of `==  !=  <  <=  >  >=` and `contains` over `S`/`U` inputs `s`, `t`
//! and literals, and of numeric comparisons over `a`, `b`, optionally under `where(…, a,
//! b)`; or a string result (a copy of `s`, `t` or a literal). Strings draw their code units from a small alphabet (so that equal prefixes and
//! matches are common) holding NUL, high bytes and non-ASCII code points up to the astral
//! planes. Not declared in `common/mod.rs`: only the strings differential test uses it.

use crate::common::rng::Rng;

/// Code units of `S` strings: NUL, letters, the edges of ASCII and high bytes.
const BYTE_UNITS: [u32; 8] = [0, 0x61, 0x62, 0x78, 0x7f, 0x80, 0xe9, 0xff];
/// Code points of `U` strings: as above plus BMP, surrogate-range and astral code points.
const CHAR_UNITS: [u32; 12] = [
    0, 0x61, 0x62, 0x78, 0x7f, 0x80, 0xe9, 0xff, 0x3b1, 0xffff, 0x1f600, 0x10ffff,
];

/// Random code units for a string of at most `max` units (`U` when `unicode`), with the
/// array alphabet; a lone surrogate only in arrays, since source text cannot hold one.
pub fn units(rng: &mut Rng, unicode: bool, max: usize, in_array: bool) -> Vec<u32> {
    let n = rng.below(max + 1);
    (0..n)
        .map(|_| {
            if unicode {
                if in_array && rng.chance(0.03) {
                    0xd800
                } else {
                    rng.pick(&CHAR_UNITS)
                }
            } else {
                rng.pick(&BYTE_UNITS)
            }
        })
        .collect()
}

/// `units` as a literal: `b'…'` for bytes, `'…'` or `"…"` for text, each unit written
/// plainly, as an escape of a random form, or (text) as the character itself.
pub fn literal(rng: &mut Rng, unicode: bool, units: &[u32]) -> String {
    let quote = if unicode && rng.chance(0.3) {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    if !unicode {
        out.push('b');
    }
    out.push(quote);
    for &u in units {
        let c = char::from_u32(u).unwrap_or('?');
        if c.is_ascii_alphanumeric() && rng.chance(0.7) {
            out.push(c);
        } else if u == 0 && rng.chance(0.5) {
            out.push_str("\\0");
        } else if u < 0x100 {
            out.push_str(&format!("\\x{u:02x}"));
        } else if rng.chance(0.4) {
            out.push(c);
        } else if u < 0x10000 {
            out.push_str(&format!("\\u{u:04x}"));
        } else {
            out.push_str(&format!("\\U{u:08x}"));
        }
    }
    out.push(quote);
    out
}

/// A string operand: `s`, `t` or a literal (bytes arrays also meet ASCII text literals,
/// which become bytes).
fn operand(rng: &mut Rng, unicode: bool) -> String {
    match rng.below(5) {
        0 | 1 => "s".to_string(),
        2 | 3 => "t".to_string(),
        _ => {
            let u = units(rng, unicode, 4, false);
            if !unicode && u.iter().all(|&c| c < 0x80) && rng.chance(0.3) {
                // An ASCII text literal, re-spelled without the `b`.
                literal(rng, unicode, &u)[1..].to_string()
            } else {
                literal(rng, unicode, &u)
            }
        }
    }
}

/// A random boolean expression of depth at most `depth`.
pub fn condition(rng: &mut Rng, depth: usize, unicode: bool) -> String {
    if depth == 0 || rng.chance(0.25) {
        return match rng.below(7) {
            0..=3 => {
                let op = rng.pick(&["<", "<=", "==", "!=", ">=", ">"]);
                let (x, y) = (operand(rng, unicode), operand(rng, unicode));
                format!("({x} {op} {y})")
            }
            4 | 5 => {
                let (x, y) = (operand(rng, unicode), operand(rng, unicode));
                format!("contains({x}, {y})")
            }
            _ => format!("(a {} b)", rng.pick(&["<", "==", ">="])),
        };
    }
    let d = depth - 1;
    match rng.below(4) {
        0 => format!("(~{})", condition(rng, d, unicode)),
        _ => {
            let op = rng.pick(&["&", "|", "^"]);
            let (x, y) = (condition(rng, d, unicode), condition(rng, d, unicode));
            format!("({x} {op} {y})")
        }
    }
}

/// A whole expression: a condition, a `where` choosing between the numeric `a` and `b`,
/// or (one in six) a string result.
pub fn expr(rng: &mut Rng, unicode: bool) -> String {
    if rng.chance(1.0 / 6.0) {
        return string_result(rng, unicode);
    }
    let depth = 1 + rng.below(3);
    let c = condition(rng, depth, unicode);
    match rng.below(3) {
        0 => c,
        1 => format!("where({c}, a, b)"),
        _ => format!("where({c}, a, b) + a"),
    }
}

/// A string-valued expression: an input, a `copy` of one, a temporary holding one (after
/// an unused condition), or a literal of the kind.
fn string_result(rng: &mut Rng, unicode: bool) -> String {
    let name = rng.pick(&["s", "t"]);
    match rng.below(4) {
        0 => name.to_string(),
        1 => format!("copy({name})"),
        2 => format!("k = {name}; m = {}; k", condition(rng, 1, unicode)),
        _ => {
            let u = units(rng, unicode, 6, false);
            literal(rng, unicode, &u)
        }
    }
}
