//! Vectorised math kernels: `out[i] = f(x[i])` over whole contiguous blocks, compiled
//! ahead of time by rustc for 256- and 512-bit vectors and chosen at run time.
//!
//! Cranelift's x86-64 backend has 128-bit vectors only, and a per-element libm call costs
//! 3–15 ns. These kernels are branch-free polynomial code that LLVM vectorises inside
//! `#[target_feature]` functions (AVX-512 or AVX2 with FMA where the CPU has them, SSE2
//! otherwise), so a transcendental costs a fraction of a libm call per element. float64
//! `exp`, `expm1`, `log`, `log1p`, `log2`, `log10`, `sin`, `cos`, `tan`, `arctan2`, `arctan`,
//! `tanh`, `sinh` and `cosh` on AVX-512 are hand-written with intrinsics instead (`avx512`), keeping their small tables
//! in registers. The code generator calls the kernels on L1-sized scratch blocks (see
//! `codegen::phases`).
//!
//! Every kernel has the same contract:
//! * `x`, `y` and `out` point at `n` contiguous elements and need not be aligned; `out`
//!   may be exactly `x` or `y` (in place), never a partial overlap.
//! * The result for an element depends on that element's value(s) only, never on `n`,
//!   its position or its neighbours, and one process always uses one code path: so a call
//!   with `n = 1` gives the same bits as the element inside a long call (so splitting
//!   work into blocks and threads never changes a result).
//! * Inputs outside a function's fast domain (NaN, infinities, subnormals, huge
//!   arguments) are recomputed with the scalar libm function of [`super::float`], so the
//!   special values are libm's.
//! * Within the fast domain the result is within [`VectorEntry::ulps`] of the correctly
//!   rounded value (the tests measure every code path against correctly rounded values
//!   from mpmath, `reference.txt`, and against libm); `docs/math.md` lists the bounds.

// Constants are quoted with every digit their sources publish (fdlibm and others).
#![allow(clippy::excessive_precision)]

mod atan;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod complex;
mod driver;
mod exp;
mod expm1;
mod hyperbolic;
mod lanes32;
mod log;
mod log1p;
mod log2;
#[cfg(test)]
mod reference_tests;
mod tables;
#[cfg(test)]
mod tests;
mod trig;

use crate::ir::{BinaryOp, Inst, Op, UnaryOp};
use crate::types::DType;

/// `out[i] = f(x[i])` for `i < n`; see the module docs for the contract.
pub type UnaryKernel = unsafe extern "C" fn(n: usize, x: *const u8, out: *mut u8);
/// `out[i] = f(x[i], y[i])` for `i < n`; see the module docs for the contract.
pub type BinaryKernel = unsafe extern "C" fn(n: usize, x: *const u8, y: *const u8, out: *mut u8);

/// A vector kernel, by arity.
#[derive(Clone, Copy, Debug)]
pub enum VectorFn {
    /// One operand.
    Unary(UnaryKernel),
    /// Two operands.
    Binary(BinaryKernel),
}

impl VectorFn {
    /// The kernel's address.
    pub fn addr(self) -> usize {
        match self {
            VectorFn::Unary(f) => f as usize,
            VectorFn::Binary(f) => f as usize,
        }
    }
    /// Number of operands.
    pub fn arity(self) -> usize {
        match self {
            VectorFn::Unary(_) => 1,
            VectorFn::Binary(_) => 2,
        }
    }
}

/// A vector kernel with its name and accuracy.
#[derive(Clone, Copy, Debug)]
pub struct VectorEntry {
    /// For listings (`jitex explain`).
    pub name: &'static str,
    /// The kernel for this CPU.
    pub func: VectorFn,
    /// The same function computed by scalar libm calls: bit-identical to
    /// [`MathImpl::Libm`], for testing the phases with [`MathImpl::LibmBlocks`].
    pub libm: VectorFn,
    /// The largest error in ULPs (against the correctly rounded result) in the fast domain.
    pub ulps: u32,
}

/// Which implementation computes transcendental functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MathImpl {
    /// The vector kernels of this module where one exists, else libm.
    #[default]
    Vector,
    /// Scalar libm calls inside the fused loop (bit-identical to NumPy's libm-based loops).
    Libm,
    /// Divided into phases over blocks like [`MathImpl::Vector`], each block computed by scalar
    /// libm calls: results identical to [`MathImpl::Libm`], so tests can check the
    /// phases bit for bit against the reference interpreter.
    LibmBlocks,
}

/// The code path every kernel of this process uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// AVX-512F with FMA: 8 `f64` lanes.
    #[cfg(target_arch = "x86_64")]
    Avx512,
    /// AVX2 with FMA: 4 `f64` lanes.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// Whatever the compile target gives (SSE2 on x86-64), without FMA.
    Base,
}

/// A value on a 64-byte boundary: the kernels' stack buffers, so that their vector loads
/// and stores each touch one cache line.
#[repr(C, align(64))]
pub(crate) struct Aligned<T>(pub(crate) T);

/// Makes the calling kernel realign its stack frame to 64 bytes (by keeping a 64-byte
/// aligned object there), so that the vectors LLVM spills to it sit on whole cache lines.
/// With the ABI's 16-byte alignment alone, a process whose stack lands off a 64-byte
/// boundary splits every spill and reload of the hot loop across two lines: the AVX-512
/// `sin` ran 1.30 or 1.96 ns per element on one AMD EPYC Zen 4 depending only on the
/// length of the environment, and the `float32` kernels 10–30% slower on the other half.
#[inline(always)]
pub(crate) fn align_frame() {
    // A mutable local: `&Aligned(..)` alone would be promoted to a static.
    let mut object = Aligned([0u8; 64]);
    std::hint::black_box(&mut object);
}

/// Detected once: every call of the process takes the same path. For measurements,
/// `JITEX_VECTOR_MATH_BASE` forces the base path and `JITEX_VECTOR_MATH_AVX2` the AVX2
/// one (where the CPU has it) on an AVX-512 machine.
pub(crate) fn level() -> Level {
    use std::sync::OnceLock;
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        if std::env::var_os("JITEX_VECTOR_MATH_BASE").is_some() {
            return Level::Base;
        }
        #[cfg(target_arch = "x86_64")]
        {
            // The AVX-512 variants are compiled with AVX512DQ as well.
            if std::env::var_os("JITEX_VECTOR_MATH_AVX2").is_none()
                && std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Level::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Level::Avx2;
            }
        }
        Level::Base
    })
}

/// The vector kernel computing instruction `inst`, a unary or binary op whose operands
/// have dtype `operand` (its own dtype, or for complex `abs` the complex one), if there
/// is one.
pub fn for_inst(inst: &Inst, operand: DType) -> Option<VectorEntry> {
    let entry = match inst.op {
        Op::Unary(u, _) => unary(u, operand)?,
        Op::Binary(b, _, _) => binary(b, operand)?,
        _ => return None,
    };
    // Only complex `abs` changes the dtype; comparisons have no kernel.
    let result = if operand.is_complex() && matches!(inst.op, Op::Unary(UnaryOp::Abs, _)) {
        operand.real_part()
    } else {
        operand
    };
    (inst.dtype == result).then_some(entry)
}

/// The address of the one-vector entry of unary `op` on `float64` (eight lanes in zmm0 to
/// eight in zmm0, System V: every vector and mask register and the caller-saved general
/// registers clobbered; the same lane code and results as the block kernel), where this
/// process runs the AVX-512 kernels and `op` has one: what the wide code generator calls
/// from inside its loops.
pub(crate) fn one_vector_f64(op: UnaryOp) -> Option<usize> {
    match level() {
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => avx512::one_vector(op).map(|f| f as usize),
        _ => None,
    }
}

/// The vector kernel for unary `op` on `dtype`, if there is one. On a complex dtype
/// these are `abs` (giving the part dtype), `exp`, `log` and `sqrt`.
pub fn unary(op: UnaryOp, dtype: DType) -> Option<VectorEntry> {
    use UnaryOp::*;
    if dtype.is_complex() {
        return complex::unary(op, dtype);
    }
    let f64 = dtype == DType::F64;
    if !f64 && dtype != DType::F32 {
        return None;
    }
    if let Some((name, ulps, k)) = lanes32::unary(op).filter(|_| !f64) {
        return Some(VectorEntry {
            name,
            func: VectorFn::Unary(k.pick()),
            libm: VectorFn::Unary(k.libm),
            ulps,
        });
    }
    let (name, ulps, k64, k32): (_, _, driver::Unary, driver::Unary) = match op {
        Exp => ("exp", exp::EXP_ULPS, exp::EXP_F64, exp::EXP_F32),
        Log => ("log", log::LOG_ULPS, log::LOG_F64, log::LOG_F32),
        Sin => ("sin", trig::SINCOS_ULPS, trig::SIN_F64, trig::SIN_F32),
        Cos => ("cos", trig::SINCOS_ULPS, trig::COS_F64, trig::COS_F32),
        Tan => ("tan", trig::TAN_ULPS, trig::TAN_F64, trig::TAN_F32),
        Arctan => ("arctan", atan::ATAN_ULPS, atan::ATAN_F64, atan::ATAN_F32),
        Arcsin => ("arcsin", atan::ASIN_ULPS, atan::ASIN_F64, atan::ASIN_F32),
        Arccos => ("arccos", atan::ASIN_ULPS, atan::ACOS_F64, atan::ACOS_F32),
        Log1p => (
            "log1p",
            log1p::LOG1P_ULPS,
            log1p::LOG1P_F64,
            log1p::LOG1P_F32,
        ),
        Log2 => ("log2", log2::LOG2_ULPS, log2::LOG2_F64, log2::LOG2_F32),
        Log10 => ("log10", log2::LOG10_ULPS, log2::LOG10_F64, log2::LOG10_F32),
        Expm1 => (
            "expm1",
            expm1::EXPM1_ULPS,
            expm1::EXPM1_F64,
            expm1::EXPM1_F32,
        ),
        Tanh => (
            "tanh",
            hyperbolic::TANH_ULPS,
            hyperbolic::TANH_F64,
            hyperbolic::TANH_F32,
        ),
        Sinh => (
            "sinh",
            hyperbolic::SINH_ULPS,
            hyperbolic::SINH_F64,
            hyperbolic::SINH_F32,
        ),
        Cosh => (
            "cosh",
            hyperbolic::COSH_ULPS,
            hyperbolic::COSH_F64,
            hyperbolic::COSH_F32,
        ),
        _ => return None,
    };
    let k = if f64 { k64 } else { k32 };
    Some(VectorEntry {
        name,
        func: VectorFn::Unary(k.pick()),
        libm: VectorFn::Unary(k.libm),
        ulps,
    })
}

/// The vector kernel for binary `op` on operands of `dtype`, if there is one. On a
/// complex dtype these are `+ - * /`, exact (`ulps` 0).
pub fn binary(op: BinaryOp, dtype: DType) -> Option<VectorEntry> {
    if dtype.is_complex() {
        return complex::binary(op, dtype);
    }
    let f64 = dtype == DType::F64;
    if !f64 && dtype != DType::F32 {
        return None;
    }
    if let Some((name, ulps, k)) = lanes32::binary(op).filter(|_| !f64) {
        return Some(VectorEntry {
            name,
            func: VectorFn::Binary(k.pick()),
            libm: VectorFn::Binary(k.libm),
            ulps,
        });
    }
    let (name, ulps, k64, k32): (_, _, driver::Binary, driver::Binary) = match op {
        BinaryOp::Arctan2 => (
            "arctan2",
            atan::ATAN2_ULPS,
            atan::ATAN2_F64,
            atan::ATAN2_F32,
        ),
        _ => return None,
    };
    let k = if f64 { k64 } else { k32 };
    Some(VectorEntry {
        name,
        func: VectorFn::Binary(k.pick()),
        libm: VectorFn::Binary(k.libm),
        ulps,
    })
}
