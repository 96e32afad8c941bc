//! Tokens (logos): text → `(Tok, Span)` pairs, with Python's numeric-literal syntax.

use crate::error::{Error, ErrorKind, Result, Span};
use logos::Logos;

/// One token kind. Literal values are decoded by the parser from the token's text, so that
/// a malformed literal becomes a spanned error there rather than a silent lexer fallback.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
pub enum Tok {
    /// Decimal, hex, octal or binary integer, `_` separators allowed between digits.
    #[regex(r"[0-9](_?[0-9])*|0[xX](_?[0-9a-fA-F])+|0[oO](_?[0-7])+|0[bB](_?[01])+")]
    Int,
    /// Float: `1.`, `.5`, `1e-3`, `1_0.5`.
    #[regex(r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?")]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?")]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*")]
    Float,
    /// Imaginary literal: a decimal integer or float followed by `j` or `J`.
    #[regex(r"[0-9](_?[0-9])*(\.([0-9](_?[0-9])*)?)?([eE][+-]?[0-9](_?[0-9])*)?[jJ]")]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?[jJ]")]
    Imag,
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
    /// `.` (always rejected: attribute access)
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
