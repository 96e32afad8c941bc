//! Programs and statements: `;`-separated `name = expr` or bare `expr`.

use super::{keyword_help, BoxHelp, PResult, Parser};
use crate::error::{Error, ErrorKind, Span};
use crate::syntax::ast::{Program, Statement};
use crate::syntax::lexer::Tok;

/// Parses the tokens of `src` as a program.
pub(super) fn parse_tokens(src: &str, toks: Vec<(Tok, Span)>) -> PResult<Program> {
    if toks.is_empty() {
        return Err(Box::new(
            Error::at(
                ErrorKind::Syntax,
                Span::new(0, src.len()),
                "empty expression",
            )
            .with_help("write an expression such as `2*a + b`"),
        ));
    }
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
    };
    let mut statements = Vec::new();
    loop {
        statements.push(p.statement()?);
        match p.peek() {
            None => break,
            Some((Tok::Semi, _)) => {
                p.pos += 1;
                // A trailing `;` ends the program.
                if p.peek().is_none() {
                    break;
                }
            }
            Some((tok, span)) => return Err(p.trailing(tok, span)),
        }
    }
    Ok(Program { statements })
}

impl Parser<'_> {
    /// Parses `name = expr` or a bare `expr`.
    pub(super) fn statement(&mut self) -> PResult<Statement> {
        let start = match self.peek() {
            Some((Tok::Semi, s)) => {
                return Err(self
                    .syntax(s, "empty statement")
                    .with_help("remove the extra `;`"))
            }
            Some((_, s)) => s,
            None => return Err(self.syntax(self.eof_span(), "expected a statement")),
        };
        let mut target = None;
        if let (Some((Tok::Name, name)), Some((Tok::Assign, eq))) =
            (self.peek(), self.toks.get(self.pos + 1).copied())
        {
            let text = self.text(name);
            if matches!(text, "True" | "False" | "None") || keyword_help(text).is_some() {
                return Err(self.syntax(name, format!("cannot assign to `{text}`")));
            }
            self.pos += 2;
            self.expect_operand(self.text(eq))?;
            target = Some((text.to_string(), name));
        }
        let (value, _) = self.expr_bp(0)?;
        let span = start.cover(value.span);
        Ok(Statement {
            target,
            value: *value,
            span,
        })
    }
}
