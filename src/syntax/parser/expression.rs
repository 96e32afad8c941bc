//! Expressions: operators by binding power, operands, attributes, calls and literals.

use super::{keyword_help, BoxHelp, Node, PResult, Parser};
use crate::error::{Error, ErrorKind, Span};
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Keyword, UnaryOp};
use crate::syntax::lexer::Tok;
use crate::syntax::MAX_DEPTH;

/// Binding power of prefix operators: tighter than `*`, looser than `**`'s left side.
const PREFIX_BP: u8 = 16;

/// Left and right binding powers of an infix operator; `lbp < rbp` is left-associative.
fn infix(tok: Tok) -> Option<(BinaryOp, u8, u8)> {
    use BinaryOp::*;
    Some(match tok {
        Tok::Lt => (Lt, 2, 3),
        Tok::Le => (Le, 2, 3),
        Tok::EqEq => (Eq, 2, 3),
        Tok::Ne => (Ne, 2, 3),
        Tok::Ge => (Ge, 2, 3),
        Tok::Gt => (Gt, 2, 3),
        Tok::Pipe => (BitOr, 4, 5),
        Tok::Caret => (BitXor, 6, 7),
        Tok::Amp => (BitAnd, 8, 9),
        Tok::Shl => (Shl, 10, 11),
        Tok::Shr => (Shr, 10, 11),
        Tok::Plus => (Add, 12, 13),
        Tok::Minus => (Sub, 12, 13),
        Tok::Star => (Mul, 14, 15),
        Tok::Slash => (Div, 14, 15),
        Tok::SlashSlash => (FloorDiv, 14, 15),
        Tok::Percent => (Mod, 14, 15),
        // Right-associative, and tighter than a prefix operator on its left (`-a**2`).
        Tok::StarStar => (Pow, 18, 17),
        _ => return None,
    })
}

impl Parser<'_> {
    /// Builds a node, enforcing the tree-depth limit.
    fn node(kind: ExprKind, span: Span, child_depth: usize) -> PResult<Node> {
        let depth = child_depth + 1;
        if depth > MAX_DEPTH {
            return Err(Self::too_deep(span));
        }
        Ok((Box::new(Expr { kind, span }), depth))
    }

    pub(super) fn expr_bp(&mut self, min_bp: u8) -> PResult<Node> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.peek().map_or(self.eof_span(), |(_, s)| s);
            return Err(Self::too_deep(span));
        }
        let r = self.expr_bp_inner(min_bp);
        self.depth -= 1;
        r
    }

    fn expr_bp_inner(&mut self, min_bp: u8) -> PResult<Node> {
        let mut lhs = self.prefix()?;
        // Set when `lhs` is a comparison built by this loop, to reject `a < b < c`.
        let mut lhs_is_cmp = false;
        while let Some((tok, span)) = self.peek() {
            let Some((op, lbp, rbp)) = infix(tok) else {
                break;
            };
            if lbp < min_bp {
                break;
            }
            if op.is_comparison() && lhs_is_cmp {
                return Err(self
                    .syntax(span, "comparisons cannot be chained")
                    .with_help("combine comparisons with `&`, e.g. `(0 < a) & (a < 1)`"));
            }
            self.pos += 1;
            self.expect_operand(op.symbol())?;
            let rhs = self.expr_bp(rbp)?;
            let full = lhs.0.span.cover(rhs.0.span);
            let depth = lhs.1.max(rhs.1);
            lhs = Self::node(ExprKind::Binary(op, lhs.0, rhs.0), full, depth)?;
            lhs_is_cmp = op.is_comparison();
        }
        Ok(lhs)
    }

    /// Fails unless the next token can start an operand.
    #[inline(never)]
    pub(super) fn expect_operand(&self, what: &str) -> PResult<()> {
        match self.peek() {
            None => Err(self
                .syntax(
                    self.eof_span(),
                    format!("expected an operand after `{what}`"),
                )
                .with_help("the expression ends too early")),
            Some((tok, span)) if !starts_operand(tok) => Err(self.syntax(
                span,
                format!(
                    "expected an operand after `{what}`, found `{}`",
                    self.text(span)
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Parses an operand. Only the recursive cases live here, so that this function's
    /// stack frame (paid once per nesting level) stays small; the rest is in [`Self::atom`].
    fn prefix(&mut self) -> PResult<Node> {
        let Some((tok, span)) = self.peek() else {
            return Err(self.syntax(self.eof_span(), "expected an operand"));
        };
        let op = match tok {
            Tok::Minus => UnaryOp::Neg,
            Tok::Plus => UnaryOp::Pos,
            Tok::Tilde => UnaryOp::Invert,
            Tok::LParen => {
                let node = self.paren(span)?;
                return self.postfix(span, node);
            }
            _ => {
                let node = self.atom(tok, span)?;
                return self.postfix(span, node);
            }
        };
        self.pos += 1;
        self.expect_operand(op.symbol())?;
        let (inner, d) = self.expr_bp(PREFIX_BP)?;
        let full = span.cover(inner.span);
        Self::node(ExprKind::Unary(op, inner), full, d)
    }

    /// Applies the attributes after a primary that starts at `first`: `x.real` and
    /// `x.imag` mean `real(x)` and `imag(x)` (so every later stage sees an ordinary call),
    /// binding as tightly as Python's attribute access, and may chain. Built in a loop, so
    /// a long chain costs no stack; its tree depth is limited like any other.
    #[inline(never)]
    fn postfix(&mut self, first: Span, mut node: Node) -> PResult<Node> {
        while let Some((Tok::Dot, dot)) = self.peek() {
            let name = match self.toks.get(self.pos + 1).copied() {
                Some((Tok::Name, name)) => name,
                next => return Err(self.attribute_missing(dot, next)),
            };
            let attr = self.text(name);
            if !matches!(attr, "real" | "imag") {
                return Err(self.bad_attribute(dot.cover(name)));
            }
            self.pos += 2;
            let (inner, depth) = node;
            let kind = ExprKind::Call {
                func: attr.to_string(),
                func_span: dot.cover(name),
                args: vec![*inner],
                kwargs: Vec::new(),
            };
            node = Self::node(kind, first.cover(name), depth)?;
        }
        Ok(node)
    }

    /// The error for an attribute other than `.real` and `.imag` (`span` covers `.name`).
    #[inline(never)]
    fn bad_attribute(&self, span: Span) -> Box<Error> {
        let attr = &self.text(span)[1..];
        self.syntax(
            span,
            format!("attribute `.{attr}` is not supported; only `.real` and `.imag`"),
        )
        .with_help("call functions by their bare name, e.g. `sin(a)`")
    }

    /// The error for a `.` at `dot` that no name follows (`next` is what does, if anything).
    #[inline(never)]
    fn attribute_missing(&self, dot: Span, next: Option<(Tok, Span)>) -> Box<Error> {
        let e = match next {
            None => self.syntax(dot, "expected an attribute name after `.`"),
            Some((_, s)) => self.syntax(
                s,
                format!(
                    "expected an attribute name after `.`, found `{}`",
                    self.text(s)
                ),
            ),
        };
        e.with_help("the only attributes are `.real` and `.imag`")
    }

    /// Parses `( expr )` starting at the `(` at `open`.
    fn paren(&mut self, open: Span) -> PResult<Node> {
        self.pos += 1;
        if let Some((Tok::RParen, close)) = self.peek() {
            return Err(self.empty_parens(open.cover(close)));
        }
        let inner = self.expr_bp(0)?;
        match self.peek() {
            Some((Tok::RParen, _)) => {
                self.pos += 1;
                Ok(inner)
            }
            next => Err(self.unclosed(open, next)),
        }
    }

    #[inline(never)]
    fn empty_parens(&self, span: Span) -> Box<Error> {
        self.syntax(span, "empty parentheses")
            .with_help("tuples are not supported")
    }

    /// Parses a literal, a name or a call, or explains why the token cannot start an operand.
    #[inline(never)]
    fn atom(&mut self, tok: Tok, span: Span) -> PResult<Node> {
        self.pos += 1;
        match tok {
            Tok::Int => {
                let v = self.int_value(span)?;
                Self::node(ExprKind::Int(v), span, 0)
            }
            Tok::Float => {
                if let Some(e) = self.name_after_point(span) {
                    return Err(e);
                }
                let v = self.float_value(span, span.end)?;
                Self::node(ExprKind::Float(v), span, 0)
            }
            Tok::Imag => {
                let v = self.float_value(span, span.end - 1)?;
                Self::node(ExprKind::Imag(v), span, 0)
            }
            Tok::Name => self.name(span),
            Tok::Str => self.string(span),
            Tok::RParen => Err(self.syntax(span, "unmatched `)`")),
            _ => Err(self.syntax(
                span,
                format!("expected an operand, found `{}`", self.text(span)),
            )),
        }
    }

    /// The error for `1.real`: the lexer reads `1.` as a float, so a name right after its
    /// point is a mistake (as in Python), not an attribute of `1`.
    #[inline(never)]
    fn name_after_point(&self, float: Span) -> Option<Box<Error>> {
        let number = self.text(float);
        let (Tok::Name, name) = self.peek()? else {
            return None;
        };
        if !number.ends_with('.') || name.start != float.end {
            return None;
        }
        let attr = self.text(name);
        let e = self.syntax(
            float.cover(name),
            format!("a name cannot follow the number `{number}` directly"),
        );
        Some(if matches!(attr, "real" | "imag") {
            let int = &number[..number.len() - 1];
            e.with_help(&format!(
                "for an attribute of a number, write `({int}).{attr}`"
            ))
        } else {
            e.with_help("is an operator missing?")
        })
    }

    /// A string or bytes literal. Out of line: [`Self::atom`]'s frame is paid per nested call.
    #[inline(never)]
    fn string(&self, span: Span) -> PResult<Node> {
        let kind = crate::syntax::strlit::decode(self.text(span), span.start).map_err(Box::new)?;
        Self::node(kind, span, 0)
    }

    /// The error for a `(` at `open` that is not closed before `next` (or the end).
    #[inline(never)]
    fn unclosed(&self, open: Span, next: Option<(Tok, Span)>) -> Box<Error> {
        match next {
            None => self
                .syntax(open, "unclosed parenthesis")
                .with_help("add a `)` at the end"),
            Some((Tok::Comma, c)) => self
                .syntax(c, "tuples are not supported")
                .with_help("a comma separates arguments only inside a call"),
            Some((tok, span)) => {
                let e = self.trailing(tok, span);
                if e.kind == ErrorKind::Syntax && e.help.is_none() {
                    e.with_help("expected `)` here to close the parenthesis")
                } else {
                    e
                }
            }
        }
    }
    fn name(&mut self, span: Span) -> PResult<Node> {
        let text = self.text(span);
        match text {
            "True" => return Self::node(ExprKind::Bool(true), span, 0),
            "False" => return Self::node(ExprKind::Bool(false), span, 0),
            "None" => return Self::node(ExprKind::None, span, 0),
            _ => {}
        }
        if let Some(help) = keyword_help(text) {
            return Err(self.syntax(span, help));
        }
        if !matches!(self.peek(), Some((Tok::LParen, _))) {
            return Self::node(ExprKind::Name(text.to_string()), span, 0);
        }
        self.call(span)
    }

    fn call(&mut self, func_span: Span) -> PResult<Node> {
        let open = self.toks[self.pos].1;
        self.pos += 1;
        let mut args = Vec::new();
        let mut kwargs: Vec<Keyword> = Vec::new();
        let mut depth = 0;
        loop {
            match self.peek() {
                Some((Tok::RParen, close)) => {
                    self.pos += 1;
                    let kind = ExprKind::Call {
                        func: self.text(func_span).to_string(),
                        func_span,
                        args,
                        kwargs,
                    };
                    return Self::node(kind, func_span.cover(close), depth);
                }
                None => {
                    return Err(self
                        .syntax(open, "unclosed parenthesis in call")
                        .with_help("add a `)` at the end"))
                }
                _ => {}
            }
            if let (Some((Tok::Name, kw)), Some((Tok::Assign, _))) =
                (self.peek(), self.toks.get(self.pos + 1).copied())
            {
                depth = depth.max(self.keyword_arg(kw, &mut kwargs)?);
            } else {
                let (arg, d) = self.expr_bp(0)?;
                if !kwargs.is_empty() {
                    return Err(self.positional_after_keyword(arg.span, &kwargs));
                }
                depth = depth.max(d);
                args.push(*arg);
            }
            match self.peek() {
                Some((Tok::Comma, _)) => self.pos += 1,
                Some((Tok::RParen, _)) => {}
                Some((Tok::Assign, s)) => {
                    return Err(self
                        .syntax(s, "only a name can take a keyword argument's `=`")
                        .with_help("write `name=value`, or `==` to compare"))
                }
                Some((t, s)) => {
                    let e = self.trailing(t, s);
                    return Err(if e.help.as_deref() == Some("is an operator missing?") {
                        e.with_help("expected `,` or `)` in the argument list")
                    } else {
                        e
                    });
                }
                None => {
                    return Err(self
                        .syntax(open, "unclosed parenthesis in call")
                        .with_help("add a `)` at the end"))
                }
            }
        }
    }

    /// Parses `name=value` at `kw` into `kwargs`; returns the value's tree depth. Kept out
    /// of [`Self::call`] so that the frame every nested call pays stays small.
    #[inline(never)]
    fn keyword_arg(&mut self, kw: Span, kwargs: &mut Vec<Keyword>) -> PResult<usize> {
        let name = self.text(kw);
        if kwargs.iter().any(|k| k.name == name) {
            return Err(self.syntax(kw, format!("keyword argument `{name}` repeated")));
        }
        self.pos += 2;
        self.expect_operand("=")?;
        let (value, d) = self.expr_bp(0)?;
        kwargs.push(Keyword {
            name: name.to_string(),
            name_span: kw,
            value: *value,
        });
        Ok(d)
    }

    #[inline(never)]
    fn positional_after_keyword(&self, span: Span, kwargs: &[Keyword]) -> Box<Error> {
        let last = kwargs.last().map_or("", |k| k.name.as_str());
        self.syntax(span, "positional argument after a keyword argument")
            .with_help(&format!("move it before `{last}=`"))
    }

    fn int_value(&self, span: Span) -> PResult<u64> {
        let text = self.text(span);
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        let lower = clean.to_ascii_lowercase();
        let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
            (d, 16)
        } else if let Some(d) = lower.strip_prefix("0o") {
            (d, 8)
        } else if let Some(d) = lower.strip_prefix("0b") {
            (d, 2)
        } else {
            if clean.len() > 1 && clean.starts_with('0') && clean.bytes().any(|b| b != b'0') {
                return Err(self
                    .syntax(span, "leading zeros are not allowed in decimal integers")
                    .with_help("write octal as `0o…`"));
            }
            (clean.as_str(), 10)
        };
        u64::from_str_radix(digits, radix).map_err(|_| {
            self.syntax(span, "integer literal is too large")
                .with_help("integers must fit in 64 bits (at most 18446744073709551615)")
        })
    }

    /// Decodes the float in `span.start..end` (the imaginary suffix excluded).
    fn float_value(&self, span: Span, end: usize) -> PResult<f64> {
        let clean: String = self.src[span.start..end]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        clean
            .parse::<f64>()
            .map_err(|_| self.syntax(span, "malformed number"))
    }
}

/// `true` for tokens an operand can start with (including ones rejected with a better message).
fn starts_operand(tok: Tok) -> bool {
    matches!(
        tok,
        Tok::Int
            | Tok::Float
            | Tok::Imag
            | Tok::Name
            | Tok::Str
            | Tok::Minus
            | Tok::Plus
            | Tok::Tilde
            | Tok::LParen
    )
}
