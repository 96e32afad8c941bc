//! `==` and `!=` between a string input's element and a literal, inline: the element's
//! bytes are loaded in 8-, 4-, 2- and 1-byte pieces and compared with the literal,
//! NUL-padded (or cut, where its excess is all NUL) to the element's size, as constants.
//! NumPy pads the shorter string with NUL, so this is its equality for `S` and `U` alike
//! (a `U` code unit is NUL exactly when its four bytes are). The helper call it replaces
//! (`math::strings`) walks the strings a code unit at a time, about 10 ns per element.

use crate::ir::{BinaryOp, Op, Program, StrOperand};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::FunctionBuilder;

/// Elements up to this many bytes are compared inline (eight 8-byte pieces at most).
const MAX_INLINE: usize = 64;

/// The literal's bytes as an element of `size` bytes would hold them (NUL-padded or cut),
/// or `None` when its bytes past `size` are not all NUL: then no element equals it.
fn as_element(literal: &[u8], size: usize) -> Option<Vec<u8>> {
    if literal.iter().skip(size).any(|&c| c != 0) {
        return None;
    }
    let mut v = literal[..literal.len().min(size)].to_vec();
    v.resize(size, 0);
    Some(v)
}

/// Emits instruction `id` inline when it is `==` or `!=` of an input of at most
/// [`MAX_INLINE`] bytes and a literal, giving its 0/1 `bool` byte; `None` otherwise (the
/// caller emits the helper call). `addr(b, k)` is the address of input `k`'s element.
pub(crate) fn emit(
    b: &mut FunctionBuilder,
    program: &Program,
    id: usize,
    addr: &mut dyn FnMut(&mut FunctionBuilder, usize) -> Value,
) -> Option<Value> {
    let Op::StrCompare { op, lhs, rhs, .. } = &program.insts[id].op else {
        return None;
    };
    let eq = match op {
        BinaryOp::Eq => true,
        BinaryOp::Ne => false,
        _ => return None,
    };
    let (k, literal) = match (lhs, rhs) {
        (StrOperand::Input(k), StrOperand::Literal(l))
        | (StrOperand::Literal(l), StrOperand::Input(k)) => (*k, l),
        _ => return None,
    };
    let size = program.inputs.get(k)?.dtype.size();
    if size > MAX_INLINE {
        return None;
    }
    let Some(want) = as_element(literal, size) else {
        return Some(b.ins().iconst(types::I8, i64::from(!eq)));
    };
    let p = addr(b, k);
    // Whether any piece differs, as a 0/1 byte.
    let mut differs: Option<Value> = None;
    let mut off = 0;
    while off < size {
        let (ty, w) = match size - off {
            8.. => (types::I64, 8),
            4..=7 => (types::I32, 4),
            2 | 3 => (types::I16, 2),
            _ => (types::I8, 1),
        };
        let mut bytes = [0u8; 8];
        bytes[..w].copy_from_slice(&want[off..off + w]);
        // The element's bytes in memory order are a native-endian integer; so is the constant.
        let c = u64::from_ne_bytes(bytes);
        let v = b.ins().load(ty, MemFlagsData::new(), p, off as i32);
        let ne = b.ins().icmp_imm_u(IntCC::NotEqual, v, c as i64);
        differs = Some(match differs {
            None => ne,
            Some(d) => b.ins().bor(d, ne),
        });
        off += w;
    }
    // A zero-size element (`S0` does not exist, but be total) equals only an empty literal.
    let differs = differs.unwrap_or_else(|| b.ins().iconst(types::I8, 0));
    Some(if eq {
        b.ins().bxor_imm_s(differs, 1)
    } else {
        differs
    })
}

#[cfg(test)]
mod tests {
    use super::as_element;

    #[test]
    fn literals_are_padded_or_cut_to_the_element() {
        assert_eq!(as_element(b"abc", 5).as_deref(), Some(&b"abc\0\0"[..]));
        assert_eq!(as_element(b"ab\0\0", 2).as_deref(), Some(&b"ab"[..]));
        assert_eq!(as_element(b"abc", 2), None);
        assert_eq!(as_element(b"", 3).as_deref(), Some(&b"\0\0\0"[..]));
    }
}
