//! The untyped syntax tree. Every node carries the byte span it was parsed from.

use crate::error::Span;

/// A whole program: statements separated by `;`, the last one giving the default result.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The statements, in order (at least one).
    pub statements: Vec<Statement>,
}

/// `name = expr` or a bare `expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The assigned name and its span, for an assignment.
    pub target: Option<(String, Span)>,
    /// The value.
    pub value: Expr,
    /// The whole statement.
    pub span: Span,
}

/// An expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// The source bytes it covers (for a parenthesised expression, without the parentheses).
    pub span: Span,
}

/// The node variants.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal (`42`, `0x2a`, `1_000`). Values above `u64::MAX` are a syntax error.
    Int(u64),
    /// A float literal (`1.`, `.5`, `1e-3`).
    Float(f64),
    /// `True` or `False`.
    Bool(bool),
    /// `None`: only meaningful as a reduction's axis (`sum(x, axis=None)`, all axes, as in
    /// numexpr and NumPy); anywhere else lowering rejects it.
    None,
    /// An imaginary literal (`2.5j`).
    Imag(f64),
    /// A string literal `'...'` or `"..."`: unicode, or bytes when it meets a byte string.
    Str(String),
    /// A bytes literal `b'...'`.
    Bytes(Vec<u8>),
    /// A name: an input, or a dtype name used as a cast function.
    Name(String),
    /// `op operand`.
    Unary(UnaryOp, Box<Expr>),
    /// `lhs op rhs`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `func(args…)`.
    Call {
        /// The function name.
        func: String,
        /// The span of the function name alone.
        func_span: Span,
        /// The positional arguments, in order.
        args: Vec<Expr>,
        /// The keyword arguments (`axis=1`), in order.
        kwargs: Vec<Keyword>,
    },
}

/// A keyword argument `name=value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyword {
    /// The keyword.
    pub name: String,
    /// The keyword's span.
    pub name_span: Span,
    /// The value.
    pub value: Expr,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `~x` (bitwise not; logical not on `bool`)
    Invert,
}

/// Infix operators, in the order of Python's precedence table (loosest last).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `**`
    Pow,
    /// `*`
    Mul,
    /// `/` (true division)
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `&`
    BitAnd,
    /// `^`
    BitXor,
    /// `|`
    BitOr,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>=`
    Ge,
    /// `>`
    Gt,
}

impl UnaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Pos => "+",
            UnaryOp::Invert => "~",
        }
    }
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Pow => "**",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::FloorDiv => "//",
            BinaryOp::Mod => "%",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Shl => "<<",
            BinaryOp::Shr => ">>",
            BinaryOp::BitAnd => "&",
            BinaryOp::BitXor => "^",
            BinaryOp::BitOr => "|",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Ge => ">=",
            BinaryOp::Gt => ">",
        }
    }

    /// `true` for the six comparisons.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Ge | BinaryOp::Gt
        )
    }
}

impl Program {
    /// The names the program reads from its inputs, in order of first use: every [`Name`]
    /// that no earlier statement assigns. A name assigned and later read is a temporary,
    /// not an input; one read before its assignment (`a = a*2`) is both.
    ///
    /// [`Name`]: ExprKind::Name
    pub fn input_names(&self) -> Vec<String> {
        let mut assigned: Vec<&str> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for stmt in &self.statements {
            stmt.value.visit_names(&mut |n| {
                if !assigned.contains(&n) && !names.iter().any(|m| m == n) {
                    names.push(n.to_string());
                }
            });
            if let Some((t, _)) = &stmt.target {
                assigned.push(t);
            }
        }
        names
    }
}

impl Expr {
    /// Calls `f` on every name the expression reads, left to right (repeats included).
    fn visit_names<'a>(&'a self, f: &mut impl FnMut(&'a str)) {
        match &self.kind {
            ExprKind::Name(n) => f(n),
            ExprKind::Unary(_, x) => x.visit_names(f),
            ExprKind::Binary(_, l, r) => {
                l.visit_names(f);
                r.visit_names(f);
            }
            ExprKind::Call { args, kwargs, .. } => {
                args.iter().for_each(|a| a.visit_names(f));
                kwargs.iter().for_each(|k| k.value.visit_names(f));
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Imag(_)
            | ExprKind::Str(_)
            | ExprKind::Bytes(_) => {}
        }
    }
}
