//! Tokens (logos): text → `(Tok, Span)` pairs, with Python's numeric-literal syntax.
//!
//! Numbers are scanned by hand ([`number`]): logos only spots where one starts. Its
//! backtracking over the overlapping number patterns misreports text such as `2.e` (an
//! `Int` spanning `2.`) and `1e+` (one `Int`), so the rules live in one plain function.

use crate::error::{Error, ErrorKind, Result, Span};
use logos::Logos;

/// One token kind. Literal values are decoded by the parser from the token's text, so that
/// a malformed literal becomes a spanned error there rather than a silent lexer fallback.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
pub enum Tok {
    /// Decimal, hex, octal or binary integer, `_` separators allowed between digits.
    Int,
    /// Float: `1.`, `.5`, `1e-3`, `1_0.5`.
    Float,
    /// Imaginary literal: a decimal integer or float followed by `j` or `J`.
    Imag,
    /// Where a number starts (a digit, or `.` and a digit); [`lex`] never returns it, but
    /// the `Int`, `Float` or `Imag` that [`number`] scans from there.
    #[regex(r"[0-9]|\.[0-9]")]
    Number,
    /// A name; keywords (`True`, `and`, …) are names the parser recognises.
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Name,
    /// A string literal with an optional one- or two-letter prefix (`b'…'`). The closing
    /// quote is optional and any prefix is accepted, so the parser can explain the mistake.
    #[regex(r#"([A-Za-z][A-Za-z]?)?('([^'\\\n]|\\[^\n])*'?|"([^"\\\n]|\\[^\n])*"?)"#)]
    Str,
    /// `**`
    #[token("**")]
    StarStar,
    /// `*`
    #[token("*")]
    Star,
    /// `//`
    #[token("//")]
    SlashSlash,
    /// `/`
    #[token("/")]
    Slash,
    /// `%`
    #[token("%")]
    Percent,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `~`
    #[token("~")]
    Tilde,
    /// `<<`
    #[token("<<")]
    Shl,
    /// `>>`
    #[token(">>")]
    Shr,
    /// `&`
    #[token("&")]
    Amp,
    /// `|`
    #[token("|")]
    Pipe,
    /// `^`
    #[token("^")]
    Caret,
    /// `<`
    #[token("<")]
    Lt,
    /// `<=`
    #[token("<=")]
    Le,
    /// `==`
    #[token("==")]
    EqEq,
    /// `!=`
    #[token("!=")]
    Ne,
    /// `>=`
    #[token(">=")]
    Ge,
    /// `>`
    #[token(">")]
    Gt,
    /// `=`: assignment at the start of a statement, or a keyword argument
    #[token("=")]
    Assign,
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `,`
    #[token(",")]
    Comma,
    /// `;` (separates statements)
    #[token(";")]
    Semi,
    /// `.` of an attribute (`z.real`); a `.` next to digits belongs to a number instead
    #[token(".")]
    Dot,
    /// `[` (always rejected: subscripts)
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
}

/// Splits `src` into tokens with their byte spans. The first character no token starts
/// with is a syntax error.
pub fn lex(src: &str) -> Result<Vec<(Tok, Span)>> {
    let mut out = Vec::new();
    let mut lexer = Tok::lexer(src);
    while let Some(tok) = lexer.next() {
        let r = lexer.span();
        let span = Span::new(r.start, r.end);
        match tok {
            Ok(Tok::Number) => {
                let (kind, len) = number(&src[r.start..]);
                lexer.bump(r.start + len - r.end);
                out.push((kind, Span::new(r.start, r.start + len)));
            }
            Ok(t) => out.push((t, span)),
            Err(()) => {
                // `'abc\` at the end of a line: the string swallowed all but the backslash.
                if let Some((Tok::Str, prev)) = out.last() {
                    if prev.end == r.start && src[r.start..].starts_with('\\') {
                        return Err(Error::at(
                            ErrorKind::Syntax,
                            Span::new(prev.start, r.start + 1),
                            "unterminated string",
                        )
                        .with_help("a string ends with its opening quote on the same line"));
                    }
                }
                // Report one whole character, not one byte, so carets line up on UTF-8.
                let c = src[r.start..].chars().next().unwrap_or('?');
                let span = Span::new(r.start, r.start + c.len_utf8());
                return Err(bad_char(c, span));
            }
        }
    }
    Ok(out)
}

/// The kind and byte length of the longest number at the start of `s` (which starts with a
/// digit, or `.` and a digit), by the grammar's `integer`, `float` and `imaginary`: a `.`
/// after digits is the number's (`1.` is a float, `3.j` imaginary), an `e` only when digits
/// follow it (`2.e-5`; in `2.e` the number is `2.`), `_` only between digits.
fn number(s: &str) -> (Tok, usize) {
    let b = s.as_bytes();
    let radix = match b {
        [b'0', b'x' | b'X', ..] => Some(16),
        [b'0', b'o' | b'O', ..] => Some(8),
        [b'0', b'b' | b'B', ..] => Some(2),
        _ => None,
    };
    if let Some(radix) = radix {
        let end = digits(b, 2, radix);
        if end > 2 {
            return (Tok::Int, end);
        }
    }
    let mut end = digits(b, 0, 10);
    let mut kind = Tok::Int;
    if b.get(end) == Some(&b'.') {
        kind = Tok::Float;
        end = digits(b, end + 1, 10);
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(end + 1), Some(b'+' | b'-')));
        let exp_end = digits(b, end + 1 + sign, 10);
        if exp_end > end + 1 + sign {
            kind = Tok::Float;
            end = exp_end;
        }
    }
    if matches!(b.get(end), Some(b'j' | b'J')) {
        return (Tok::Imag, end + 1);
    }
    (kind, end)
}

/// The end of the digits of `radix` from `b[start..]`, each but the first optionally
/// preceded by one `_` (the first too after a radix prefix: `0x_1f`); `start` if none.
fn digits(b: &[u8], start: usize, radix: u32) -> usize {
    let digit = |i: usize| b.get(i).is_some_and(|&c| (c as char).is_digit(radix));
    let mut end = start;
    let mut i = start;
    loop {
        let at = if b.get(i) == Some(&b'_') && (i > start || radix != 10) {
            i + 1
        } else {
            i
        };
        if !digit(at) {
            return end;
        }
        i = at + 1;
        end = i;
    }
}

/// The error for a character that starts no token, with a hint for the usual suspects.
fn bad_char(c: char, span: Span) -> Error {
    let e = Error::at(
        ErrorKind::Syntax,
        span,
        format!("unexpected character `{c}`"),
    );
    match c {
        '!' => e.with_help("use `~` for logical not, `!=` for inequality"),
        '@' => e.with_help("matrix multiplication is not supported; jitex works element-wise"),
        '{' | '}' => e.with_help("only parentheses group expressions"),
        ':' => e.with_help("slices and annotations are not supported"),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn numbers_follow_python_literal_syntax() {
        use Tok::*;
        assert_eq!(kinds("1 0x1F 0o7 0b1_0 1_000"), [Int, Int, Int, Int, Int]);
        assert_eq!(
            kinds("1. .5 1e-3 1_0.5 1.e5"),
            [Float, Float, Float, Float, Float]
        );
        assert_eq!(kinds("1j 2.5j 1e3j .5J"), [Imag, Imag, Imag, Imag]);
        assert_eq!(
            kinds("a**-b//c"),
            [Name, StarStar, Minus, Name, SlashSlash, Name]
        );
    }

    #[test]
    fn a_point_next_to_digits_belongs_to_the_number() {
        use Tok::*;
        // `3.j` is the imaginary literal and `2.e-5` a float, never an attribute.
        assert_eq!(
            kinds("3.j 2.e-5 2. 1.5.real"),
            [Imag, Float, Float, Float, Dot, Name]
        );
        assert_eq!(
            kinds("z.real (3).imag"),
            [Name, Dot, Name, LParen, Int, RParen, Dot, Name]
        );
        // `1.real` is the float `1.` and a name (the parser explains it).
        assert_eq!(kinds("1.real"), [Float, Name]);
        assert_eq!(kinds("1 .real"), [Int, Dot, Name]);
    }

    #[test]
    fn numbers_end_where_the_grammar_says() {
        let texts = |src: &str| -> Vec<(Tok, String)> {
            lex(src)
                .unwrap()
                .into_iter()
                .map(|(t, s)| (t, src[s.start..s.end].to_string()))
                .collect()
        };
        let t = |k: Tok, s: &str| (k, s.to_string());
        use Tok::*;
        // An `e` without digits is not an exponent: the number ends before it.
        assert_eq!(texts("2.e"), [t(Float, "2."), t(Name, "e")]);
        assert_eq!(texts("1e+"), [t(Int, "1"), t(Name, "e"), t(Plus, "+")]);
        assert_eq!(texts("1.5ej"), [t(Float, "1.5"), t(Name, "ej")]);
        assert_eq!(
            texts("1.e5j 0x_1F+5"),
            [t(Imag, "1.e5j"), t(Int, "0x_1F"), t(Plus, "+"), t(Int, "5")]
        );
        // `_` only between digits; a prefix needs a digit.
        assert_eq!(texts("1__0"), [t(Int, "1"), t(Name, "__0")]);
        assert_eq!(texts("1._5"), [t(Float, "1."), t(Name, "_5")]);
        assert_eq!(texts("0x"), [t(Int, "0"), t(Name, "x")]);
        assert_eq!(texts("0b12"), [t(Int, "0b1"), t(Int, "2")]);
        assert_eq!(texts("x.5"), [t(Name, "x"), t(Float, ".5")]);
    }

    #[test]
    fn spans_are_byte_ranges() {
        let toks = lex(" ab <= 3").unwrap();
        assert_eq!(toks[0].1, Span::new(1, 3));
        assert_eq!(toks[1].1, Span::new(4, 6));
        assert_eq!(toks[2].1, Span::new(7, 8));
    }

    #[test]
    fn bad_character_is_one_char_wide() {
        let e = lex("a + é").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Syntax);
        assert_eq!(e.span, Some(Span::new(4, 6)));
    }
}
