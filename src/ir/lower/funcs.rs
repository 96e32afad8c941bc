//! The function table and did-you-mean suggestions.

use crate::ir::{BinaryOp, UnaryOp};
use crate::types::DType;

/// What a function name lowers to.
#[derive(Clone, Copy, Debug)]
pub(super) enum Func {
    Unary(UnaryOp),
    Binary(BinaryOp),
    Where,
    Cast(DType),
    /// `contains(haystack, needle)` on strings.
    Contains,
    /// `copy(x)`: `x` itself (numexpr's copy), strings included.
    Copy,
    /// `ones_like(x)`: 1 of `x`'s dtype, in `x`'s shape.
    OnesLike,
}

impl Func {
    pub(super) fn arity(self) -> usize {
        match self {
            Func::Unary(_) | Func::Cast(_) | Func::Copy | Func::OnesLike => 1,
            Func::Binary(_) | Func::Contains => 2,
            Func::Where => 3,
        }
    }
}

/// Every function name, for suggestions.
pub(super) const NAMES: &[&str] = &[
    "where",
    "contains",
    "copy",
    "ones_like",
    "sqrt",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "log",
    "log1p",
    "log10",
    "log2",
    "exp",
    "expm1",
    "abs",
    "ceil",
    "floor",
    "trunc",
    "round",
    "sign",
    "isnan",
    "isfinite",
    "isinf",
    "signbit",
    "fmod",
    "arctan2",
    "hypot",
    "nextafter",
    "copysign",
    "maximum",
    "minimum",
    "real",
    "imag",
    "conj",
    "complex",
    "complex64",
    "complex128",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
];

/// Looks a function up by name.
pub(super) fn lookup(name: &str) -> Option<Func> {
    use BinaryOp as B;
    use UnaryOp as U;
    Some(match name {
        "where" => Func::Where,
        "contains" => Func::Contains,
        "copy" => Func::Copy,
        "ones_like" => Func::OnesLike,
        "sqrt" => Func::Unary(U::Sqrt),
        "sin" => Func::Unary(U::Sin),
        "cos" => Func::Unary(U::Cos),
        "tan" => Func::Unary(U::Tan),
        "arcsin" => Func::Unary(U::Arcsin),
        "arccos" => Func::Unary(U::Arccos),
        "arctan" => Func::Unary(U::Arctan),
        "sinh" => Func::Unary(U::Sinh),
        "cosh" => Func::Unary(U::Cosh),
        "tanh" => Func::Unary(U::Tanh),
        "arcsinh" => Func::Unary(U::Arcsinh),
        "arccosh" => Func::Unary(U::Arccosh),
        "arctanh" => Func::Unary(U::Arctanh),
        "log" => Func::Unary(U::Log),
        "log1p" => Func::Unary(U::Log1p),
        "log10" => Func::Unary(U::Log10),
        "log2" => Func::Unary(U::Log2),
        "exp" => Func::Unary(U::Exp),
        "expm1" => Func::Unary(U::Expm1),
        "abs" => Func::Unary(U::Abs),
        "ceil" => Func::Unary(U::Ceil),
        "floor" => Func::Unary(U::Floor),
        "trunc" => Func::Unary(U::Trunc),
        "round" => Func::Unary(U::Round),
        "sign" => Func::Unary(U::Sign),
        "isnan" => Func::Unary(U::IsNan),
        "isfinite" => Func::Unary(U::IsFinite),
        "isinf" => Func::Unary(U::IsInf),
        "signbit" => Func::Unary(U::SignBit),
        "fmod" => Func::Binary(B::Fmod),
        "arctan2" => Func::Binary(B::Arctan2),
        "hypot" => Func::Binary(B::Hypot),
        "nextafter" => Func::Binary(B::Nextafter),
        "copysign" => Func::Binary(B::Copysign),
        "maximum" => Func::Binary(B::Max),
        "minimum" => Func::Binary(B::Min),
        "real" => Func::Unary(U::Real),
        "imag" => Func::Unary(U::Imag),
        "conj" => Func::Unary(U::Conj),
        "complex" => Func::Binary(B::Complex),
        // Only NumPy's full names: `i8` etc. would shadow plausible input names.
        "float32" | "float64" | "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16"
        | "uint32" | "uint64" | "bool" | "complex64" | "complex128" => {
            Func::Cast(DType::from_name(name)?)
        }
        _ => return None,
    })
}

/// Levenshtein distance, in characters.
fn distance(a: &str, b: &str) -> usize {
    // Optimal string alignment: a swap of two neighbours (`alpah` → `alpha`) is one edit.
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// The closest candidate within a third of the name's length (at least 1 edit), if any.
pub(super) fn did_you_mean<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    // Very long names are not typos worth an O(n·m) comparison.
    if name.len() > 64 {
        return None;
    }
    let max = (name.chars().count() / 3).max(1);
    candidates
        .filter(|c| c.len() <= 64)
        .map(|c| (distance(name, c), c))
        .filter(|&(d, _)| d <= max)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("sinn", NAMES.iter().copied()), Some("sin"));
        assert_eq!(
            did_you_mean("arctn2", NAMES.iter().copied()),
            Some("arctan2")
        );
        assert_eq!(did_you_mean("zzzzzz", NAMES.iter().copied()), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn every_name_resolves() {
        for n in NAMES {
            assert!(lookup(n).is_some(), "{n}");
        }
    }
}
