//! The typed IR: a straight-line SSA program over one element.
//!
//! Lowering ([`lower`]) type-checks the AST and makes every conversion explicit, so that
//! each instruction's operands already have the dtypes its op needs:
//!
//! * [`Op::Binary`] arithmetic and bitwise ops: both operands and the result share one dtype;
//! * comparisons: both operands share one dtype, the result is `bool`;
//! * [`Op::Unary`] ops: operand dtype = result dtype, except the predicates
//!   (`isnan isfinite isinf signbit`), whose result is `bool`;
//! * [`Op::Select`]: the condition is `bool`, both branches have the result dtype;
//! * [`Op::Cast`]: any dtype to the instruction's dtype, with [`Scalar::cast`] semantics;
//! * complex: `abs`, [`UnaryOp::Real`] and [`UnaryOp::Imag`] on a complex operand give its
//!   part dtype (`complex64` → `float32`); [`BinaryOp::Complex`] takes two operands of one
//!   float dtype and gives the matching complex dtype;
//! * strings are never SSA values: [`Op::StrCompare`] and [`Op::StrContains`] read string
//!   inputs or literals directly and give `bool`; [`Op::StrCopy`] makes one an output (its
//!   dtype is the string's) and is never an operand.
//!
//! Instructions are in topological order: an operand always has a smaller [`ValueId`].
//! Backends (the Cranelift code generator and the reference interpreter) need nothing but
//! this module's types.

pub mod cse;
pub mod fold;
pub mod lower;
pub mod plan;
pub mod pow;

use crate::types::{DType, Scalar};
use std::fmt;

/// Index of an instruction in [`Program::insts`].
pub type ValueId = u32;

/// A compiled-once, typed program computing one output element from input elements.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The named inputs, in the order the runtime passes them.
    pub inputs: Vec<InputDecl>,
    /// The instructions, topologically ordered.
    pub insts: Vec<Inst>,
    /// The instructions whose values are the output elements, in output order (at least one).
    pub outputs: Vec<ValueId>,
}

/// A named input and its dtype.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InputDecl {
    /// The name used in the expression.
    pub name: String,
    /// The element dtype.
    pub dtype: DType,
}

/// One SSA instruction: an operation and the dtype of its result.
#[derive(Clone, Debug, PartialEq)]
pub struct Inst {
    /// The operation.
    pub op: Op,
    /// The result dtype.
    pub dtype: DType,
}

/// The operations.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// The current element of input `inputs[index]`.
    Input(usize),
    /// A constant; its dtype equals the instruction's.
    Const(Scalar),
    /// Converts the operand to the instruction's dtype.
    Cast(ValueId),
    /// A one-operand operation.
    Unary(UnaryOp, ValueId),
    /// A two-operand operation.
    Binary(BinaryOp, ValueId, ValueId),
    /// `where(cond, then, else)`.
    Select(ValueId, ValueId, ValueId),
    /// A comparison (`op.is_comparison()`) of two strings, NumPy's way: code unit by code
    /// unit, the shorter padded with NUL. Gives `bool`.
    StrCompare {
        /// One of the six comparisons.
        op: BinaryOp,
        /// `true` for `U` strings (code units are `u32`), `false` for `S` (bytes).
        unicode: bool,
        /// The left operand.
        lhs: StrOperand,
        /// The right operand.
        rhs: StrOperand,
    },
    /// `contains(haystack, needle)`: whether `needle`, trailing NULs stripped, occurs in
    /// `haystack`, trailing NULs stripped. Gives `bool`.
    StrContains {
        /// `true` for `U` strings, `false` for `S`.
        unicode: bool,
        /// The string searched.
        haystack: StrOperand,
        /// The string looked for.
        needle: StrOperand,
    },
    /// A string output: the current element of a string input, or a literal, NUL-padded to
    /// the instruction's dtype (`S<n>`, or `U<n>` with native-endian `u32` code points).
    /// Only ever one of [`Program::outputs`]: no instruction reads it, since strings are
    /// never SSA values.
    StrCopy(StrOperand),
}

/// A string operand: strings only ever come from inputs or literals.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StrOperand {
    /// The current element of input `inputs[index]`, whose dtype is `S<n>` or `U<n>`.
    Input(usize),
    /// A literal, already encoded in the comparison's code units: bytes for `S`, native-endian
    /// `u32` code points for `U`.
    Literal(Vec<u8>),
}

/// A reduction over all elements or along one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReduceOp {
    /// `sum`: pairwise for floats; integers wrap in the widened dtype.
    Sum,
    /// `prod`.
    Prod,
    /// `min`: NaN if any element is NaN.
    Min,
    /// `max`: NaN if any element is NaN.
    Max,
    /// `mean`: the sum divided by the count.
    Mean,
    /// `any`: some element is nonzero.
    Any,
    /// `all`: every element is nonzero.
    All,
}

impl ReduceOp {
    /// Every reduction.
    pub const ALL: [ReduceOp; 7] = [
        ReduceOp::Sum,
        ReduceOp::Prod,
        ReduceOp::Min,
        ReduceOp::Max,
        ReduceOp::Mean,
        ReduceOp::Any,
        ReduceOp::All,
    ];

    /// The function name in the language.
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Prod => "prod",
            ReduceOp::Min => "min",
            ReduceOp::Max => "max",
            ReduceOp::Mean => "mean",
            ReduceOp::Any => "any",
            ReduceOp::All => "all",
        }
    }

    /// Parses a function name.
    pub fn from_name(name: &str) -> Option<ReduceOp> {
        ReduceOp::ALL.into_iter().find(|r| r.name() == name)
    }

    /// NumPy's result dtype for reducing elements of `dtype`, or `None` where the reduction
    /// is not defined (strings; `min`/`max` of complex, which jitex does not order).
    ///
    /// `sum`/`prod` widen `bool` and signed integers to `int64` and unsigned ones to
    /// `uint64`; `mean` of `bool` or integers is `float64`; `any`/`all` give `bool`.
    pub fn result_dtype(self, dtype: DType) -> Option<DType> {
        use DType::*;
        if dtype.is_string() {
            return None;
        }
        Some(match self {
            ReduceOp::Sum | ReduceOp::Prod => match dtype {
                Bool | I8 | I16 | I32 | I64 => I64,
                U8 | U16 | U32 | U64 => U64,
                d => d,
            },
            ReduceOp::Min | ReduceOp::Max => {
                if dtype.is_complex() {
                    return None;
                }
                dtype
            }
            ReduceOp::Mean => match dtype {
                F32 | F64 | C64 | C128 => dtype,
                _ => F64,
            },
            ReduceOp::Any | ReduceOp::All => Bool,
        })
    }
}

/// One-operand operations. Float-only ops are marked; the rest are defined for every
/// numeric dtype as NumPy defines them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnaryOp {
    /// `-x` (wrapping on integers; not defined on `bool`).
    Neg,
    /// `~x`: bitwise not on integers, logical not on `bool`.
    Not,
    /// `abs(x)` (wrapping: `abs(INT_MIN) == INT_MIN`).
    Abs,
    /// `sign(x)`: -1, 0 or 1 (NaN stays NaN); on complex, `z/|z|` (NumPy 2).
    Sign,
    /// `ceil` (float only).
    Ceil,
    /// `floor` (float only).
    Floor,
    /// `trunc` (float only).
    Trunc,
    /// `round`: to nearest, ties to even (floats, and each part of a complex number).
    Round,
    /// `sqrt` (float only).
    Sqrt,
    /// `sin` (float only).
    Sin,
    /// `cos` (float only).
    Cos,
    /// `tan` (float only).
    Tan,
    /// `arcsin` (float only).
    Arcsin,
    /// `arccos` (float only).
    Arccos,
    /// `arctan` (float only).
    Arctan,
    /// `sinh` (float only).
    Sinh,
    /// `cosh` (float only).
    Cosh,
    /// `tanh` (float only).
    Tanh,
    /// `arcsinh` (float only).
    Arcsinh,
    /// `arccosh` (float only).
    Arccosh,
    /// `arctanh` (float only).
    Arctanh,
    /// `exp` (float only).
    Exp,
    /// `expm1` (float only).
    Expm1,
    /// `log` (float only).
    Log,
    /// `log1p` (float only).
    Log1p,
    /// `log2` (float only).
    Log2,
    /// `log10` (float only).
    Log10,
    /// `real(z)`: the real part (complex only; the result has the part dtype).
    Real,
    /// `imag(z)`: the imaginary part (complex only; the result has the part dtype).
    Imag,
    /// `conj(z)`: the complex conjugate (complex only).
    Conj,
    /// `isnan(x)` → `bool` (false for integers).
    IsNan,
    /// `isfinite(x)` → `bool` (true for integers).
    IsFinite,
    /// `isinf(x)` → `bool` (false for integers).
    IsInf,
    /// `signbit(x)` → `bool` (sign bit set; `x < 0` for integers).
    SignBit,
}

/// Two-operand operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BinaryOp {
    /// `+` (wrapping on integers).
    Add,
    /// `-` (wrapping on integers).
    Sub,
    /// `*` (wrapping on integers).
    Mul,
    /// `/` on floats only (lowering casts integer operands to float first).
    Div,
    /// `//`: floor division; integer `x // 0 == 0`, `INT_MIN // -1 == INT_MIN`.
    FloorDiv,
    /// `%`: result has the divisor's sign; integer `x % 0 == 0`.
    Mod,
    /// `**`: `pow` on floats; wrapping repeated multiplication on integers, where a
    /// negative exponent gives `0` unless the base is `1` or `-1` (NumPy raises instead).
    Pow,
    /// `<<` (integers and `bool` only): shifting by the width or more, or by a negative amount, gives 0.
    Shl,
    /// `>>` (integers only): by the width or more, or by a negative amount, gives 0, or -1 for a negative left side.
    Shr,
    /// `&`: bitwise and; logical and on `bool`.
    And,
    /// `|`: bitwise or; logical or on `bool`.
    Or,
    /// `^`: bitwise xor; logical xor on `bool`.
    Xor,
    /// `<` → `bool`.
    Lt,
    /// `<=` → `bool`.
    Le,
    /// `==` → `bool`.
    Eq,
    /// `!=` → `bool`.
    Ne,
    /// `>=` → `bool`.
    Ge,
    /// `>` → `bool`.
    Gt,
    /// `maximum`: NaN if either is NaN.
    Max,
    /// `minimum`: NaN if either is NaN.
    Min,
    /// `fmod`: C's remainder, sign of the dividend; integer `fmod(x, 0) == 0`.
    Fmod,
    /// `arctan2(y, x)` (float only).
    Arctan2,
    /// `hypot` (float only).
    Hypot,
    /// `nextafter` (float only).
    Nextafter,
    /// `copysign` (float only).
    Copysign,
    /// `complex(re, im)`: two operands of one float dtype → the matching complex dtype.
    Complex,
}

impl UnaryOp {
    /// `true` for the predicates, whose result is `bool` whatever the operand dtype.
    pub fn is_predicate(self) -> bool {
        matches!(
            self,
            UnaryOp::IsNan | UnaryOp::IsFinite | UnaryOp::IsInf | UnaryOp::SignBit
        )
    }

    /// The name used in listings and in the expression language.
    pub fn name(self) -> &'static str {
        use UnaryOp::*;
        match self {
            Neg => "neg",
            Not => "not",
            Abs => "abs",
            Sign => "sign",
            Ceil => "ceil",
            Floor => "floor",
            Trunc => "trunc",
            Round => "round",
            Sqrt => "sqrt",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Arcsin => "arcsin",
            Arccos => "arccos",
            Arctan => "arctan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Arcsinh => "arcsinh",
            Arccosh => "arccosh",
            Arctanh => "arctanh",
            Exp => "exp",
            Expm1 => "expm1",
            Log => "log",
            Log1p => "log1p",
            Log2 => "log2",
            Log10 => "log10",
            IsNan => "isnan",
            IsFinite => "isfinite",
            IsInf => "isinf",
            SignBit => "signbit",
            Real => "real",
            Imag => "imag",
            Conj => "conj",
        }
    }
}

impl BinaryOp {
    /// `true` for the six comparisons, whose result is `bool`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Ge | BinaryOp::Gt
        )
    }

    /// The name used in listings.
    pub fn name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            FloorDiv => "floordiv",
            Mod => "mod",
            Pow => "pow",
            Shl => "shl",
            Shr => "shr",
            And => "and",
            Or => "or",
            Xor => "xor",
            Lt => "lt",
            Le => "le",
            Eq => "eq",
            Ne => "ne",
            Ge => "ge",
            Gt => "gt",
            Max => "maximum",
            Min => "minimum",
            Fmod => "fmod",
            Arctan2 => "arctan2",
            Hypot => "hypot",
            Nextafter => "nextafter",
            Copysign => "copysign",
            Complex => "complex",
        }
    }
}

impl Op {
    /// The operands, in order.
    pub fn operands(&self) -> Vec<ValueId> {
        match *self {
            Op::Input(_) | Op::Const(_) => vec![],
            Op::Cast(a) | Op::Unary(_, a) => vec![a],
            Op::Binary(_, a, b) => vec![a, b],
            Op::Select(c, a, b) => vec![c, a, b],
            Op::StrCompare { .. } | Op::StrContains { .. } | Op::StrCopy(_) => vec![],
        }
    }
}

impl fmt::Display for Program {
    /// A listing, one instruction a line: `%3 = add.float64 %1, %2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, inp) in self.inputs.iter().enumerate() {
            writeln!(f, "input {i}: {}: {}", inp.name, inp.dtype)?;
        }
        for (i, inst) in self.insts.iter().enumerate() {
            let t = inst.dtype;
            match &inst.op {
                Op::Input(k) => writeln!(f, "%{i} = input.{t} {}", self.inputs[*k].name)?,
                Op::Const(c) => writeln!(f, "%{i} = const.{t} {c}")?,
                Op::Cast(a) => writeln!(f, "%{i} = cast.{t} %{a}")?,
                Op::Unary(op, a) => writeln!(f, "%{i} = {}.{t} %{a}", op.name())?,
                Op::Binary(op, a, b) => writeln!(f, "%{i} = {}.{t} %{a}, %{b}", op.name())?,
                Op::Select(c, a, b) => writeln!(f, "%{i} = where.{t} %{c}, %{a}, %{b}")?,
                Op::StrCompare {
                    op,
                    unicode,
                    lhs,
                    rhs,
                } => {
                    let (l, r) = (
                        self.str_operand(lhs, *unicode),
                        self.str_operand(rhs, *unicode),
                    );
                    writeln!(f, "%{i} = str{}.{t} {l}, {r}", op.name())?
                }
                Op::StrContains {
                    unicode,
                    haystack,
                    needle,
                } => {
                    let (h, n) = (
                        self.str_operand(haystack, *unicode),
                        self.str_operand(needle, *unicode),
                    );
                    writeln!(f, "%{i} = contains.{t} {h}, {n}")?
                }
                Op::StrCopy(o) => {
                    let s = self.str_operand(o, matches!(t, DType::Str(_)));
                    writeln!(f, "%{i} = copy.{t} {s}")?
                }
            }
        }
        let outs: Vec<String> = self.outputs.iter().map(|o| format!("%{o}")).collect();
        write!(f, "return {}", outs.join(", "))
    }
}

impl Program {
    /// The value of the first (usually only) output.
    pub fn result(&self) -> ValueId {
        self.outputs[0]
    }

    /// The dtypes of `op`'s operands, in order.
    pub fn operand_dtypes(&self, op: &Op) -> Vec<DType> {
        op.operands()
            .iter()
            .map(|&a| self.insts[a as usize].dtype)
            .collect()
    }

    /// A listing's spelling of a string operand: the input's name, or the literal quoted.
    fn str_operand(&self, o: &StrOperand, unicode: bool) -> String {
        match o {
            StrOperand::Input(k) => self.inputs[*k].name.clone(),
            StrOperand::Literal(bytes) if unicode => {
                let s: String = bytes
                    .chunks_exact(4)
                    .map(|c| {
                        let u = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
                        char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER)
                    })
                    .collect();
                format!("{s:?}")
            }
            StrOperand::Literal(bytes) => {
                format!("b\"{}\"", bytes.escape_ascii())
            }
        }
    }
}

/// Which optimisation passes [`optimize`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OptOptions {
    /// Constant folding.
    pub fold: bool,
    /// Common-subexpression elimination.
    pub cse: bool,
    /// Integer-power expansion (`x**2` → `x*x`, `x**0.5` → `sqrt`).
    pub pow: bool,
}

impl Default for OptOptions {
    fn default() -> Self {
        OptOptions {
            fold: true,
            cse: true,
            pow: true,
        }
    }
}

/// Runs the enabled passes and removes dead instructions: fold → pow → fold → cse → dce.
///
/// Folding runs again after `pow` because expansion can expose constant operands.
/// `inputs` is never changed, so input indices stay valid for the caller.
pub fn optimize(program: &Program, opts: &OptOptions) -> Program {
    let mut p = program.clone();
    if opts.fold {
        p = fold::run(&p);
    }
    if opts.pow {
        p = pow::run(&p);
        if opts.fold {
            p = fold::run(&p);
        }
    }
    if opts.cse {
        p = cse::run(&p);
    }
    cse::dce(&p)
}
