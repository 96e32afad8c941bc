//! Pratt parser over the token stream, with a binding-power table in Python's precedence.
//!
//! Recursion happens only for parentheses, call arguments, prefix operators and right
//! operands, and every recursive entry is counted against [`MAX_DEPTH`], so no input can
//! overflow the stack. Left-associative chains (`a+a+…+a`) are built in a loop; their tree
//! depth is tracked per node and limited too, because later stages walk the tree recursively.
//!
//! Split as ruff's Python parser is: this module holds the entry points, the `Parser`
//! state and the error helpers both halves share; `statement` parses programs and their
//! statements, `expression` everything inside an expression.

mod expression;
mod statement;

use super::ast::{Expr, Program, Statement};
use super::lexer::{lex, Tok};
use super::{MAX_DEPTH, MAX_SOURCE_LEN};
use crate::error::{Error, ErrorKind, Result, Span};

/// A parsed node and the depth of its tree (a leaf has depth 1).
///
/// Nodes and errors are boxed so that results stay two words wide: unoptimised builds
/// keep every temporary in the frame, and the frames recur once per nesting level.
type Node = (Box<Expr>, usize);

/// The parser's internal result, with a boxed error (see [`Node`]).
type PResult<T> = std::result::Result<T, Box<Error>>;

/// `with_help` for boxed errors.
trait BoxHelp {
    fn with_help(self, help: &str) -> Self;
}

impl BoxHelp for Box<Error> {
    fn with_help(mut self, help: &str) -> Self {
        self.help = Some(help.to_string());
        self
    }
}

/// Python keywords that look plausible in an expression, with what to write instead.
fn keyword_help(name: &str) -> Option<&'static str> {
    Some(match name {
        "and" => "`and` is not supported: use `&`",
        "or" => "`or` is not supported: use `|`",
        "not" => "`not` is not supported: use `~`",
        "if" | "else" => "conditional expressions are not supported: use `where(cond, x, y)`",
        "is" => "`is` is not supported: use `==`",
        "in" => "`in` is not supported",
        "for" => "comprehensions (`for`) are not supported",
        "lambda" => "`lambda` is not supported",
        _ => return None,
    })
}

/// Parses a whole expression: a program of exactly one bare expression.
pub fn parse(src: &str) -> Result<Expr> {
    let mut program = parse_program(src)?;
    match program.statements.as_slice() {
        [Statement { target: None, .. }] => Ok(program.statements.pop().expect("one").value),
        [Statement {
            target: Some((_, span)),
            ..
        }, ..] => Err(Error::at(
            ErrorKind::Syntax,
            *span,
            "expected a single expression, found an assignment",
        )
        .with_help("use `==` to compare")),
        [_, second, ..] => Err(Error::at(
            ErrorKind::Syntax,
            second.span,
            "expected a single expression, found several statements",
        )),
        [] => Err(Error::new(ErrorKind::Syntax, "empty expression")),
    }
}

/// Parses a program of `;`-separated statements.
pub fn parse_program(src: &str) -> Result<Program> {
    if src.len() > MAX_SOURCE_LEN {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "expression is {} bytes long; the limit is {MAX_SOURCE_LEN}",
                src.len()
            ),
        ));
    }
    let toks = lex(src)?;
    statement::parse_tokens(src, toks).map_err(|e| *e)
}
struct Parser<'s> {
    src: &'s str,
    toks: Vec<(Tok, Span)>,
    pos: usize,
    /// Current recursion depth of `expr_bp`.
    depth: usize,
}

impl<'s> Parser<'s> {
    fn peek(&self) -> Option<(Tok, Span)> {
        self.toks.get(self.pos).copied()
    }

    fn text(&self, span: Span) -> &'s str {
        &self.src[span.start..span.end]
    }

    /// Span just past the last token, for "expected … at end of input".
    fn eof_span(&self) -> Span {
        let end = self.toks.last().map_or(0, |(_, s)| s.end);
        Span::new(end, end)
    }

    #[inline(never)]
    fn syntax(&self, span: Span, msg: impl Into<String>) -> Box<Error> {
        Box::new(Error::at(ErrorKind::Syntax, span, msg))
    }

    #[inline(never)]
    fn too_deep(span: Span) -> Box<Error> {
        Box::new(
            Error::at(
                ErrorKind::Limit,
                span,
                format!("expression nests deeper than {MAX_DEPTH} levels"),
            )
            .with_help("split it into smaller expressions"),
        )
    }

    /// The error for token `tok` where an operator or the end was expected.
    #[inline(never)]
    fn trailing(&self, tok: Tok, span: Span) -> Box<Error> {
        let text = self.text(span);
        match tok {
            Tok::RParen => self.syntax(span, "unmatched `)`"),
            Tok::Assign => self
                .syntax(
                    span,
                    "only a name can be assigned, at the start of a statement",
                )
                .with_help("use `==` to compare"),
            // Every operand takes its own attributes (`postfix`), so this is only a guard.
            Tok::Dot => self
                .syntax(span, "unexpected `.`")
                .with_help("the only attributes are `.real` and `.imag`"),
            Tok::LBracket => self
                .syntax(span, "subscripts are not supported")
                .with_help("jitex works on whole arrays, element by element"),
            Tok::LParen => self
                .syntax(span, "only names can be called")
                .with_help("add an operator before `(`"),
            Tok::Name => {
                if let Some(help) = keyword_help(text) {
                    self.syntax(span, help)
                } else {
                    self.syntax(
                        span,
                        format!("unexpected `{text}` after a complete expression"),
                    )
                    .with_help("is an operator missing?")
                }
            }
            _ => self
                .syntax(
                    span,
                    format!("unexpected `{text}` after a complete expression"),
                )
                .with_help("is an operator missing?"),
        }
    }
}
