//! String elements as NumPy prints them: Python's `repr` of the element with its trailing
//! NULs dropped (`b'ab\x00c'`, `'héllo'`), which is what indexing an `S`/`U` array gives.

use jitex::DType;

/// The repr of one element of string `dtype` stored in `bytes` (its full width).
pub fn string_element(dtype: DType, bytes: &[u8]) -> String {
    match dtype {
        DType::Str(_) => {
            let mut units: Vec<u32> = bytes
                .chunks_exact(4)
                .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            while units.last() == Some(&0) {
                units.pop();
            }
            text(&units)
        }
        _ => {
            let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            format!("b{}", quoted(&bytes[..end], ascii))
        }
    }
}

/// Python's `repr` of a `str` of code points `units` (lone surrogates as `\udXXX`).
fn text(units: &[u32]) -> String {
    quoted(units, |u| match char::from_u32(u) {
        Some(c) if !c.is_control() && u != 0xad => c.to_string(),
        _ => common_escape(u).unwrap_or_else(|| match u {
            0..=0xff => format!("\\x{u:02x}"),
            0x100..=0xffff => format!("\\u{u:04x}"),
            _ => format!("\\U{u:08x}"),
        }),
    })
}

/// A byte as Python's `bytes` repr writes it.
fn ascii(b: u8) -> String {
    common_escape(u32::from(b)).unwrap_or_else(|| {
        if (0x20..0x7f).contains(&b) {
            char::from(b).to_string()
        } else {
            format!("\\x{b:02x}")
        }
    })
}

/// The escapes both reprs share.
fn common_escape(u: u32) -> Option<String> {
    Some(
        match u {
            0x5c => "\\\\",
            0x09 => "\\t",
            0x0a => "\\n",
            0x0d => "\\r",
            _ => return None,
        }
        .to_string(),
    )
}

/// Python's quoting: single quotes unless the text holds `'` and no `"`.
fn quoted<T: Copy + Into<u32>>(units: &[T], one: impl Fn(T) -> String) -> String {
    let has = |q: u32| units.iter().any(|&u| u.into() == q);
    let q = if has(0x27) && !has(0x22) { '"' } else { '\'' };
    let mut out = String::from(q);
    for &u in units {
        if u.into() == q as u32 {
            out.push('\\');
            out.push(q);
        } else {
            out.push_str(&one(u));
        }
    }
    out.push(q);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ucs4(s: &str, width: usize) -> Vec<u8> {
        let mut v: Vec<u8> = s.chars().flat_map(|c| (c as u32).to_ne_bytes()).collect();
        v.resize(4 * width, 0);
        v
    }

    #[test]
    fn bytes_like_python() {
        let s = |b: &[u8]| string_element(DType::Bytes(b.len() as u32), b);
        assert_eq!(s(b"foo\0b\0"), "b'foo\\x00b'");
        assert_eq!(s(b"\0\0"), "b''");
        assert_eq!(s(b"it's"), "b\"it's\"");
        assert_eq!(s(b"'\""), "b'\\'\"'");
        assert_eq!(s(b"a\\\n\xff"), "b'a\\\\\\n\\xff'");
    }

    #[test]
    fn text_like_python() {
        let u = |s: &str| string_element(DType::Str(8), &ucs4(s, 8));
        assert_eq!(u("héllo"), "'héllo'");
        assert_eq!(u("a\0b"), "'a\\x00b'");
        assert_eq!(u("\u{7}\u{1F600}"), "'\\x07\u{1F600}'");
        assert_eq!(u(""), "''");
    }
}
