//! The one error type every stage returns, with a span into the source and a caret renderer.

use std::fmt;

/// A byte range `start..end` into the expression source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// What went wrong, coarsely; the message says exactly what.
///
/// Each kind names the Python exception a binding should raise for it, chosen as numexpr
/// and NumPy 2 raise for the same mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text is not a valid expression (bad character, unbalanced parenthesis, …).
    /// Python: `SyntaxError`.
    Syntax,
    /// A name that no input provides. Python: `KeyError`, as numexpr raises for a variable
    /// it cannot find.
    UnknownName,
    /// A call to a function jitex does not know. Python: `TypeError` (numexpr reads an
    /// unknown name as a variable, which cannot be called).
    UnknownFunction,
    /// A function called with the wrong number of arguments. Python: `TypeError`.
    Arity,
    /// An operator or function not defined for the operand dtypes. Python: `TypeError`
    /// (NumPy's `UFuncTypeError` is one), except for an integer literal that does not fit
    /// the dtype it meets (`int8_array + 300`), where NumPy raises `OverflowError`.
    Type,
    /// A value the operation does not accept, though its dtype is fine: an integer raised
    /// to a negative integer literal, a reduction axis out of range. Python: `ValueError`
    /// (NumPy's `AxisError` is a subclass of it, and of `IndexError`).
    Value,
    /// A feature that is recognised but not supported yet (complex numbers, …).
    /// Python: `NotImplementedError`.
    Unsupported,
    /// Input shapes that do not broadcast together, or an empty reduction without an
    /// identity (`min` of nothing). Python: `ValueError`, as NumPy raises for both.
    Shape,
    /// An `out` array of the wrong shape or dtype. Python: `ValueError`.
    Output,
    /// A documented limit was exceeded (nesting depth, number of inputs, size).
    /// Python: `ValueError` (`MemoryError` for an array too large to allocate).
    Limit,
    /// Reading or writing a file failed (CLI and `.npy` I/O). Python: `OSError`.
    Io,
    /// The code generator failed; this is a jitex bug and should be reported.
    /// Python: `RuntimeError`.
    Internal,
}

/// A jitex error: a kind, a message, and where in the source it points, if anywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The coarse category.
    pub kind: ErrorKind,
    /// A one-line, human message (`unknown function `sinn``).
    pub message: String,
    /// The offending bytes of the source, if the error is about the source.
    pub span: Option<Span>,
    /// A hint shown after the carets (`did you mean `sin`?`).
    pub help: Option<String>,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with no span.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            span: None,
            help: None,
        }
    }

    /// An error pointing at `span`.
    pub fn at(kind: ErrorKind, span: Span, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            span: Some(span),
            help: None,
        }
    }

    /// Adds a hint shown after the carets.
    pub fn with_help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }

    /// Renders the error against its source, pointing at the span:
    ///
    /// ```text
    /// error: unknown function `sinn`
    ///   2*sinn(a)
    ///     ^^^^ did you mean `sin`?
    /// ```
    pub fn render(&self, src: &str) -> String {
        let mut out = format!("error: {}", self.message);
        let Some(span) = self.span else {
            if let Some(help) = &self.help {
                out.push_str(&format!("\n  help: {help}"));
            }
            return out;
        };
        // Show only the line holding the span start; tabs and newlines would misplace carets.
        let start = span.start.min(src.len());
        let end = span.end.clamp(start, src.len());
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        let line: String = src[line_start..line_end]
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let col = src[line_start..start].chars().count();
        let width = src[start..end.min(line_end)].chars().count().max(1);
        out.push_str(&format!(
            "\n  {line}\n  {}{}",
            " ".repeat(col),
            "^".repeat(width)
        ));
        if let Some(help) = &self.help {
            out.push(' ');
            out.push_str(help);
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_carets_under_span() {
        let e = Error::at(
            ErrorKind::UnknownFunction,
            Span::new(2, 6),
            "unknown function `sinn`",
        )
        .with_help("did you mean `sin`?");
        assert_eq!(
            e.render("2*sinn(a)"),
            "error: unknown function `sinn`\n  2*sinn(a)\n    ^^^^ did you mean `sin`?"
        );
    }

    #[test]
    fn span_at_end_of_input_gets_one_caret() {
        let e = Error::at(ErrorKind::Syntax, Span::new(3, 3), "expected an operand");
        assert_eq!(e.render("a +"), "error: expected an operand\n  a +\n     ^");
    }
}
