//! The Cranelift code generator: turns a typed [`Program`] and a [`Layout`] into one fused
//! native loop with the [`KernelFn`] ABI.
//!
//! Split by concern: [`module`](self) setup and code memory, the loop skeleton (`kernel`),
//! vector shapes (`lanes`), `bool` lane masks (`masks`), complex values in vector loops
//! (`complex_lanes`), per-element ops (`scalar`, `ops_int`, `ops_float`, `cast`; division
//! by a constant in `divconst`), string ops (`strings`, inline literal equality in
//! `strings_eq`), and calls into [`crate::math`] (`calls`). A program with vector-math
//! calls is divided into phases run block by block (`phases` plans them, `phased` runs
//! them) behind the same ABI.

mod calls;
mod cast;
mod complex;
mod complex_lanes;
mod divconst;
mod extremes;
mod kernel;
mod lanes;
mod leaves;
mod masks;
mod module;
mod ops_float;
mod ops_int;
mod phased;
mod phases;
mod pool;
mod scalar;
mod strings;
mod strings_eq;
#[cfg(test)]
pub(crate) mod tests;
mod validate;
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod wide;

use crate::error::Result;
use crate::ir::Program;
pub use crate::math::vector::MathImpl;
pub use extremes::ExtremeFn;
pub use leaves::LeafSumFn;

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

/// The access pattern of every input and of every output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    /// One per [`Program::inputs`] entry.
    pub inputs: Vec<Access>,
    /// One per [`Program::outputs`] entry, each `Contiguous` or `Strided`.
    pub outputs: Vec<Access>,
}

/// Options for [`compile`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CodegenOptions {
    /// Keep the Cranelift IR text (for `jitex explain`); such a kernel is always
    /// Cranelift's.
    pub keep_clif: bool,
    /// How transcendental functions are computed.
    pub math: MathImpl,
    /// Which code generator compiles the kernel.
    pub codegen: Codegen,
}

/// Which code generator compiles a kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codegen {
    /// The wide generator (`wide`: AVX-512 loops on x86-64 Linux with AVX-512F, AVX-512BW
    /// and BMI2, AVX2 loops with AVX2 only) for a kernel it covers on a host that runs it;
    /// Cranelift for everything else.
    Wide,
    /// Cranelift for every kernel (128-bit vectors on x86-64).
    Cranelift,
}

impl Default for Codegen {
    /// [`Codegen::Wide`], unless the environment variable `JITEX_CODEGEN` is `cranelift`
    /// (read once; any other value keeps the default).
    fn default() -> Self {
        static FROM_ENV: std::sync::OnceLock<Codegen> = std::sync::OnceLock::new();
        *FROM_ENV.get_or_init(|| match std::env::var("JITEX_CODEGEN").as_deref() {
            Ok("cranelift") => Codegen::Cranelift,
            _ => Codegen::Wide,
        })
    }
}

/// The kernel ABI: computes `n` elements of every output in one pass.
///
/// `inputs[i]` points at input `i`'s first element, `strides[i]` is its byte stride (used
/// only for [`Access::Strided`]); `outs[k]`/`out_strides[k]` likewise for output `k` (one
/// per [`Program::outputs`] entry). All of element `i`'s inputs are read before any of its
/// outputs is written, so an output may be an input's very same elements.
pub type KernelFn = unsafe extern "C" fn(
    n: usize,
    inputs: *const *const u8,
    strides: *const isize,
    outs: *const *mut u8,
    out_strides: *const isize,
);

/// A compiled kernel; dropping it frees its code memory.
pub struct Kernel {
    func: KernelFn,
    code_size: usize,
    clif: Option<String>,
    /// Vector constants the code loads by absolute address.
    _consts: pool::ConstPool,
    /// The phases of a phased program, which the code calls by address.
    _phased: Option<Box<phased::Phased>>,
    /// Declared last so the code is freed after everything else is dropped.
    _memory: module::CodeMemory,
}

// SAFETY: after compilation the code memory is immutable and only executed; the JIT module
// (which is not `Sync` because of interior caches) is touched again only when the kernel
// is dropped, which requires ownership.
unsafe impl Send for Kernel {}
// SAFETY: see `Send`; `&Kernel` exposes only the function pointer and plain data.
unsafe impl Sync for Kernel {}

impl Kernel {
    /// The entry point.
    pub fn func(&self) -> KernelFn {
        self.func
    }
    /// Machine-code size in bytes.
    pub fn code_size(&self) -> usize {
        self.code_size
    }
    /// The Cranelift IR, when [`CodegenOptions::keep_clif`] was set.
    pub fn clif(&self) -> Option<&str> {
        self.clif.as_deref()
    }
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kernel")
            .field("code_size", &self.code_size)
            .finish_non_exhaustive()
    }
}

/// A compiled second entry point of a program that a fused reduction calls ([`LeafSums`],
/// [`Extremes`]); dropping it frees its code.
pub struct Reducer<F> {
    func: F,
    code_size: usize,
    /// Vector constants the code loads by absolute address.
    _consts: pool::ConstPool,
    /// Declared last so the code is freed after everything else is dropped.
    _memory: module::CodeMemory,
}

/// A compiled leaf-sum function (see [`compile_leaf_sums`]).
pub type LeafSums = Reducer<LeafSumFn>;

/// A compiled running-extreme function (see [`compile_extremes`]).
pub type Extremes = Reducer<ExtremeFn>;

// SAFETY: as for `Kernel`: the code memory is immutable after compilation (and `F` is a
// function pointer).
unsafe impl<F: Send> Send for Reducer<F> {}
// SAFETY: as for `Kernel`.
unsafe impl<F: Sync> Sync for Reducer<F> {}

impl<F: Copy> Reducer<F> {
    /// The entry point.
    pub fn func(&self) -> F {
        self.func
    }
    /// Machine-code size in bytes.
    pub fn code_size(&self) -> usize {
        self.code_size
    }
}

impl<F> std::fmt::Debug for Reducer<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reducer")
            .field("code_size", &self.code_size)
            .finish_non_exhaustive()
    }
}

/// Compiles a second entry point for a program whose one output is `float32` or
/// `float64`: the pairwise leaves of a sum of that output, computed from the inputs
/// (walked as `layout.inputs`) without storing it, in exactly the order of `jitex`'s
/// stored sums. `None` when the program does not qualify (another output dtype, several
/// outputs, vector-math calls, or no vector loop).
pub fn compile_leaf_sums(
    program: &Program,
    layout: &Layout,
    opts: &CodegenOptions,
) -> Result<Option<LeafSums>> {
    module::compile_leaf_sums(program, layout, opts)
}

/// Compiles a second entry point for a program whose one output is `float32` or
/// `float64`: the `min` (`is_min`) or `max` of a range of that output, computed from the
/// inputs (walked as `layout.inputs`) without storing it, with whether that is exactly
/// `jitex`'s ordered answer ([`ExtremeFn`]). `None` when the program does not qualify
/// (another output dtype, several outputs, vector-math calls, or no vector loop).
pub fn compile_extremes(
    program: &Program,
    layout: &Layout,
    opts: &CodegenOptions,
    is_min: bool,
) -> Result<Option<Extremes>> {
    module::compile_extremes(program, layout, opts, is_min)
}

/// Compiles `program` for `layout`.
pub fn compile(program: &Program, layout: &Layout, opts: &CodegenOptions) -> Result<Kernel> {
    module::compile_program(program, layout, opts)
}
