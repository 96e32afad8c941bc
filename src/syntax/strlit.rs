//! Decoding of string literal tokens (`'…'`, `"…"`, `b'…'`) with Python's escapes.
//!
//! The lexer accepts any prefix of one or two letters and an unterminated body, so that
//! every mistake here gets a precise, spanned message instead of a stray-character error.

use super::ast::ExprKind;
use crate::error::{Error, ErrorKind, Result, Span};

/// Decodes the literal token `text` found at byte `start` of the source into
/// [`ExprKind::Str`] or [`ExprKind::Bytes`].
pub(crate) fn decode(text: &str, start: usize) -> Result<ExprKind> {
    let span = Span::new(start, start + text.len());
    let quote_at = text.find(['\'', '"']).unwrap_or(0);
    let (prefix, quoted) = text.split_at(quote_at);
    let bytes = match prefix {
        "" | "u" | "U" => false,
        "b" | "B" => true,
        _ => {
            let e = Error::at(
                ErrorKind::Syntax,
                Span::new(start, start + quote_at),
                format!("string prefix `{prefix}` is not supported"),
            );
            return Err(e.with_help("use `'…'` for text or `b'…'` for bytes"));
        }
    };
    let quote = quoted.chars().next().unwrap_or('\'');
    let body = &quoted[1..];
    let closed =
        !body.is_empty() && body.ends_with(quote) && !ends_in_escape(&body[..body.len() - 1]);
    if !closed {
        return Err(Error::at(ErrorKind::Syntax, span, "unterminated string")
            .with_help(format!("close it with `{quote}` on the same line")));
    }
    let body = &body[..body.len() - 1];
    let body_start = start + quote_at + 1;
    if bytes {
        if let Some((i, c)) = body.char_indices().find(|(_, c)| !c.is_ascii()) {
            let at = body_start + i;
            return Err(Error::at(
                ErrorKind::Syntax,
                Span::new(at, at + c.len_utf8()),
                "bytes literals can only contain ASCII characters",
            )
            .with_help(format!(
                "write it as an escape, e.g. `\\x{:02x}`",
                c as u32 & 0xff
            )));
        }
        Ok(ExprKind::Bytes(
            decode_body(body, body_start, true)?
                .into_iter()
                .map(|u| u as u8)
                .collect(),
        ))
    } else {
        let units = decode_body(body, body_start, false)?;
        // `decode_body` only yields valid scalar values for str literals.
        Ok(ExprKind::Str(
            units.into_iter().filter_map(char::from_u32).collect(),
        ))
    }
}

/// `true` when `s` ends in an odd number of backslashes (so the next quote is escaped).
fn ends_in_escape(s: &str) -> bool {
    s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// The code points (or byte values, for bytes) of a literal's body.
fn decode_body(body: &str, body_start: usize, bytes: bool) -> Result<Vec<u32>> {
    let mut out = Vec::with_capacity(body.len());
    let mut it = body.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c != '\\' {
            out.push(c as u32);
            continue;
        }
        let Some((_, e)) = it.next() else {
            // The lexer never ends a closed body on a lone backslash; be safe anyway.
            return Err(bad_escape(body_start + i, body_start + i + 1, "\\"));
        };
        let simple = match e {
            '\\' => Some('\\'),
            '\'' => Some('\''),
            '"' => Some('"'),
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'v' => Some('\x0b'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s as u32);
            continue;
        }
        let esc_start = body_start + i;
        match e {
            '0'..='7' => {
                // Python's octal escape: one to three digits (`\0` is NUL).
                let mut v = e as u32 - '0' as u32;
                let mut end = i + 2;
                for _ in 0..2 {
                    match it.peek() {
                        Some(&(j, d @ '0'..='7')) => {
                            v = v * 8 + (d as u32 - '0' as u32);
                            end = j + 1;
                            it.next();
                        }
                        _ => break,
                    }
                }
                if bytes && v > 0xff {
                    return Err(Error::at(
                        ErrorKind::Syntax,
                        Span::new(esc_start, body_start + end),
                        "octal escape value is larger than 0o377 in a bytes literal",
                    ));
                }
                out.push(v);
            }
            'x' | 'u' | 'U' => {
                let digits = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                if bytes && e != 'x' {
                    return Err(bad_escape(esc_start, esc_start + 2, &format!("\\{e}"))
                        .with_help("`\\u` and `\\U` escapes are only allowed in str literals"));
                }
                let mut v: u32 = 0;
                let mut end = i + 2;
                for _ in 0..digits {
                    match it.peek() {
                        Some(&(j, d)) if d.is_ascii_hexdigit() => {
                            v = v * 16 + d.to_digit(16).unwrap_or(0);
                            end = j + 1;
                            it.next();
                        }
                        _ => {
                            return Err(Error::at(
                                ErrorKind::Syntax,
                                Span::new(esc_start, body_start + end),
                                format!("truncated `\\{e}` escape: it needs {digits} hex digits"),
                            ))
                        }
                    }
                }
                let span = Span::new(esc_start, body_start + end);
                if char::from_u32(v).is_none() && !bytes {
                    let why = if v > 0x10ffff {
                        "is beyond U+10FFFF"
                    } else {
                        "is a surrogate, which jitex strings cannot hold"
                    };
                    return Err(Error::at(
                        ErrorKind::Syntax,
                        span,
                        format!("escape `{}` {why}", &body[i..end]),
                    ));
                }
                out.push(v);
            }
            'N' => {
                return Err(bad_escape(esc_start, esc_start + 2, "\\N")
                    .with_help("write the character itself or a `\\u` escape"))
            }
            _ => {
                return Err(
                    bad_escape(esc_start, esc_start + 1 + e.len_utf8(), &format!("\\{e}"))
                        .with_help("write `\\\\` for a backslash"),
                )
            }
        }
    }
    Ok(out)
}

fn bad_escape(start: usize, end: usize, what: &str) -> Error {
    Error::at(
        ErrorKind::Syntax,
        Span::new(start, end),
        format!("invalid escape `{what}`"),
    )
}

/// Writes `s` as a Python str literal that [`decode`] reads back to `s`.
pub(crate) fn quote_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\U{:08x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> ExprKind {
        decode(text, 0).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> Error {
        match decode(text, 0) {
            Ok(k) => panic!("{text} decoded as {k:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn escapes_follow_python() {
        assert_eq!(
            ok(r#"'a\n\t\r\\\'\"'"#),
            ExprKind::Str("a\n\t\r\\'\"".into())
        );
        assert_eq!(
            ok(r"'\0\01\012\x41\u00e9\U0001F600'"),
            ExprKind::Str("\0\x01\nA\u{e9}\u{1F600}".into())
        );
        assert_eq!(
            ok(r"b'\x80\xff\0a'"),
            ExprKind::Bytes(vec![0x80, 0xff, 0, b'a'])
        );
        assert_eq!(ok("\"it's\""), ExprKind::Str("it's".into()));
        assert_eq!(ok("''"), ExprKind::Str(String::new()));
        assert_eq!(ok("B\"\""), ExprKind::Bytes(vec![]));
        assert_eq!(ok("'é'"), ExprKind::Str("é".into()));
    }

    #[test]
    fn mistakes_are_spanned_syntax_errors() {
        let e = err(r"'ab\q'");
        assert_eq!(e.kind, ErrorKind::Syntax);
        assert_eq!(e.span, Some(Span::new(3, 5)));
        assert!(err(r"'\x4'").message.contains("truncated"));
        assert!(err(r"b'\u0041'").message.contains("invalid escape"));
        assert!(err("b'é'").message.contains("ASCII"));
        assert!(err(r"'\ud800'").message.contains("surrogate"));
        assert!(err(r"'\U00110000'").message.contains("U+10FFFF"));
        assert!(err(r"b'\777'").message.contains("0o377"));
        assert!(err("'abc").message.contains("unterminated"));
        assert!(err(r"'abc\'").message.contains("unterminated"));
        assert!(err("r'abc'").message.contains("prefix"));
    }

    #[test]
    fn quote_str_round_trips() {
        for s in ["", "a\"b'c\\", "\0\x01\x7f\n", "é\u{1F600}\u{85}"] {
            assert_eq!(decode(&quote_str(s), 0).unwrap(), ExprKind::Str(s.into()));
        }
    }
}
