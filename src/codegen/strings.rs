//! String ops in kernels: each [`Op::StrCompare`] / [`Op::StrContains`] becomes a call of
//! a [`crate::math::strings`] helper (except `==`/`!=` with a literal: `strings_eq`) with the two strings' addresses and byte lengths, and
//! each [`Op::StrCopy`] output a call of the copy helper when the element is stored. A
//! string input's element is its address; a literal lives in the kernel's
//! [`ConstPool`](super::pool::ConstPool).

use super::calls::internal;
use super::pool::ConstPool;
use crate::error::Result;
use crate::ir::{BinaryOp, Op, Program, StrOperand};
use crate::math::strings::{compare_fn, contains_fn, copy_fn};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// What locating the operands of string instruction `id` needs.
struct OperandCtx<'a> {
    program: &'a Program,
    id: usize,
    pool: &'a ConstPool,
    ptr_ty: Type,
}

impl OperandCtx<'_> {
    /// The address and byte length of operand `which` (0 or 1) of the instruction for the
    /// current element: input `k`'s element (`addr(b, k)`) or the pooled literal.
    fn element(
        &self,
        b: &mut FunctionBuilder,
        which: usize,
        o: &StrOperand,
        addr: &mut dyn FnMut(&mut FunctionBuilder, usize) -> Value,
    ) -> Result<(Value, usize)> {
        let id = self.id;
        Ok(match o {
            StrOperand::Input(k) => {
                let d = self
                    .program
                    .inputs
                    .get(*k)
                    .ok_or_else(|| internal(format!("instruction %{id}: no input {k}")))?;
                (addr(b, *k), d.dtype.size())
            }
            StrOperand::Literal(bytes) => {
                let p = self
                    .pool
                    .literal_addr(id, which)
                    .ok_or_else(|| internal(format!("instruction %{id}: literal not pooled")))?;
                (b.ins().iconst(self.ptr_ty, p), bytes.len())
            }
        })
    }
}

/// Emits instruction `id` (a string op) for the current element. `addr(b, k)` gives the
/// address of input `k`'s current element.
pub(crate) fn emit(
    b: &mut FunctionBuilder,
    program: &Program,
    id: usize,
    pool: &ConstPool,
    ptr_ty: Type,
    addr: &mut dyn FnMut(&mut FunctionBuilder, usize) -> Value,
) -> Result<Value> {
    if let Some(v) = super::strings_eq::emit(b, program, id, addr) {
        return Ok(v);
    }
    let (lhs, rhs, entry) = match &program.insts[id].op {
        Op::StrCompare {
            unicode, lhs, rhs, ..
        } => (lhs, rhs, compare_fn(*unicode) as usize),
        Op::StrContains {
            unicode,
            haystack,
            needle,
        } => (haystack, needle, contains_fn(*unicode) as usize),
        _ => return Err(internal(format!("instruction %{id} is not a string op"))),
    };
    let ctx = OperandCtx {
        program,
        id,
        pool,
        ptr_ty,
    };
    let mut operand =
        |b: &mut FunctionBuilder, which: usize, o: &StrOperand| -> Result<[Value; 2]> {
            let (p, len) = ctx.element(b, which, o, addr)?;
            Ok([p, b.ins().iconst(ptr_ty, len as i64)])
        };
    let [pa, la] = operand(b, 0, lhs)?;
    let [pb, lb] = operand(b, 1, rhs)?;
    let mut sig = Signature::new(b.func.signature.call_conv);
    sig.params.extend((0..4).map(|_| AbiParam::new(ptr_ty)));
    sig.returns.push(AbiParam::new(types::I32));
    let sig = b.import_signature(sig);
    let callee = b.ins().iconst(ptr_ty, entry as i64);
    let call = b.ins().call_indirect(sig, callee, &[pa, la, pb, lb]);
    let r = b.inst_results(call)[0];
    // The helpers answer an order (-1, 0, 1) or a 0/1 flag; both become a 0/1 `bool` byte.
    let cc = match program.insts[id].op {
        Op::StrCompare { op, .. } => match op {
            BinaryOp::Lt => IntCC::SignedLessThan,
            BinaryOp::Le => IntCC::SignedLessThanOrEqual,
            BinaryOp::Eq => IntCC::Equal,
            BinaryOp::Ne => IntCC::NotEqual,
            BinaryOp::Ge => IntCC::SignedGreaterThanOrEqual,
            BinaryOp::Gt => IntCC::SignedGreaterThan,
            _ => return Err(internal(format!("instruction %{id}: not a comparison"))),
        },
        _ => IntCC::NotEqual,
    };
    Ok(b.ins().icmp_imm_s(cc, r, 0))
}

/// Stores string output `id` (an [`Op::StrCopy`]) at `dst`: a call of the copy helper with
/// the source element's address (`addr(b, k)` for input `k`, as in [`emit`]) or the pooled
/// literal, NUL-padded to the output dtype's size.
pub(crate) fn emit_copy(
    b: &mut FunctionBuilder,
    program: &Program,
    id: usize,
    dst: Value,
    pool: &ConstPool,
    ptr_ty: Type,
    addr: &mut dyn FnMut(&mut FunctionBuilder, usize) -> Value,
) -> Result<()> {
    let inst = &program.insts[id];
    let Op::StrCopy(o) = &inst.op else {
        return Err(internal(format!("instruction %{id} is not a string copy")));
    };
    let ctx = OperandCtx {
        program,
        id,
        pool,
        ptr_ty,
    };
    let (src, src_len) = ctx.element(b, 0, o, addr)?;
    let dst_len = b.ins().iconst(ptr_ty, inst.dtype.size() as i64);
    let src_len = b.ins().iconst(ptr_ty, src_len as i64);
    let mut sig = Signature::new(b.func.signature.call_conv);
    sig.params.extend((0..4).map(|_| AbiParam::new(ptr_ty)));
    let sig = b.import_signature(sig);
    let callee = b.ins().iconst(ptr_ty, copy_fn() as usize as i64);
    b.ins()
        .call_indirect(sig, callee, &[dst, dst_len, src, src_len]);
    Ok(())
}
