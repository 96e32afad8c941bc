//! Calls from kernels into [`crate::math`]: imports each function into the JIT module once
//! and reuses its `FuncRef` for every call site.

use crate::error::{Error, ErrorKind, Result};
use crate::math::{MathEntry, MathFn};
use cranelift_codegen::ir::{
    types, AbiParam, FuncRef, InstBuilder, SigRef, Signature, Type, Value,
};
use cranelift_frontend::FunctionBuilder;
use cranelift_jit::JITModule;
use cranelift_module::{Linkage, Module};
use std::collections::HashMap;

/// The imported math functions of the function being built.
pub(crate) struct Callees<'m> {
    module: &'m mut JITModule,
    refs: HashMap<&'static str, FuncRef>,
    /// Signatures of calls by address, by argument count (all pointers, no result).
    sigs: HashMap<usize, SigRef>,
}

impl<'m> Callees<'m> {
    /// Imports into `module` lazily.
    pub(crate) fn new(module: &'m mut JITModule) -> Self {
        Callees {
            module,
            refs: HashMap::new(),
            sigs: HashMap::new(),
        }
    }

    /// The target's pointer type.
    pub(crate) fn pointer_type(&self) -> Type {
        self.module.target_config().pointer_type()
    }

    /// Emits a call of the `extern "C"` function at `addr` whose arguments are all
    /// pointers and which returns nothing (the complex entry points of
    /// [`crate::math::complex`]). Called by address: they are plain function pointers,
    /// valid for the whole process, so no symbol needs registering with the JIT.
    pub(crate) fn call_address(
        &mut self,
        b: &mut FunctionBuilder,
        addr: usize,
        args: &[Value],
    ) -> Result<()> {
        let ptr = self.pointer_type();
        let sig = match self.sigs.get(&args.len()) {
            Some(&s) => s,
            None => {
                let mut sig = Signature::new(self.module.isa().default_call_conv());
                sig.params.extend(args.iter().map(|_| AbiParam::new(ptr)));
                let s = b.import_signature(sig);
                self.sigs.insert(args.len(), s);
                s
            }
        };
        let callee = b.ins().iconst(ptr, addr as i64);
        b.ins().call_indirect(sig, callee, args);
        Ok(())
    }

    /// Emits `entry(args…)` and returns its result.
    pub(crate) fn call(
        &mut self,
        b: &mut FunctionBuilder,
        entry: MathEntry,
        args: &[Value],
    ) -> Result<Value> {
        if args.len() != entry.func.arity() {
            return Err(Error::new(
                ErrorKind::Internal,
                format!("`{}` called with {} arguments", entry.name, args.len()),
            ));
        }
        let fref = match self.refs.get(entry.name) {
            Some(&f) => f,
            None => {
                let ty = abi_type(entry.func);
                let mut sig = Signature::new(self.module.isa().default_call_conv());
                sig.params
                    .extend((0..entry.func.arity()).map(|_| AbiParam::new(ty)));
                sig.returns.push(AbiParam::new(ty));
                let id = self
                    .module
                    .declare_function(entry.name, Linkage::Import, &sig)
                    .map_err(|e| internal(format!("importing `{}`: {e}", entry.name)))?;
                let f = self.module.declare_func_in_func(id, b.func);
                self.refs.insert(entry.name, f);
                f
            }
        };
        let call = b.ins().call(fref, args);
        Ok(b.inst_results(call)[0])
    }
}

/// The Cranelift type of every argument and of the result.
pub(crate) fn abi_type(f: MathFn) -> Type {
    match f {
        MathFn::F64(_) | MathFn::F64x2(_) => types::F64,
        MathFn::F32(_) | MathFn::F32x2(_) => types::F32,
        MathFn::I64x2(_) | MathFn::U64x2(_) => types::I64,
    }
}

/// An [`ErrorKind::Internal`] error.
pub(crate) fn internal(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Internal, message)
}
