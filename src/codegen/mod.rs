//! Cranelift kernel builder (stub).
use crate::error::Result;
use crate::ir::Program;

/// How the kernel walks one operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Elements `dtype.size()` bytes apart; the stride argument is ignored.
    Contiguous,
    /// Elements `stride` bytes apart (any value, negative and zero included).
    Strided,
    /// One element, read once before the loop and broadcast (inputs only).
    Broadcast,
}

/// The access pattern of every input and of the output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    /// One per [`Program::inputs`] entry.
    pub inputs: Vec<Access>,
    /// `Contiguous` or `Strided`.
    pub output: Access,
}

/// Options for [`compile`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CodegenOptions {
    /// Keep the Cranelift IR text (for `jitex explain`).
    pub keep_clif: bool,
}

/// The kernel ABI: computes `n` output elements.
///
/// `inputs[i]` points at input `i`'s first element, `strides[i]` is its byte stride (used
/// only for [`Access::Strided`]); `out`/`out_stride` likewise for the output.
pub type KernelFn = unsafe extern "C" fn(
    n: usize,
    inputs: *const *const u8,
    strides: *const isize,
    out: *mut u8,
    out_stride: isize,
);

/// A compiled kernel; dropping it frees its code memory.
pub struct Kernel {
    _private: (),
}

impl Kernel {
    /// The entry point.
    pub fn func(&self) -> KernelFn {
        todo!()
    }
    /// Machine-code size in bytes.
    pub fn code_size(&self) -> usize {
        todo!()
    }
    /// The Cranelift IR, when [`CodegenOptions::keep_clif`] was set.
    pub fn clif(&self) -> Option<&str> {
        todo!()
    }
}

/// Compiles `program` for `layout`.
pub fn compile(program: &Program, layout: &Layout, opts: &CodegenOptions) -> Result<Kernel> {
    let _ = (program, layout, opts);
    todo!("codegen::compile")
}
