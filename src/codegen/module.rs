//! JIT module setup (host ISA via `cranelift_native`, `opt_level=speed`), compilation of
//! one kernel function, and ownership of its code memory.

use super::calls::{internal, Callees};
use super::extremes::{self, ExtremeFn};
use super::lanes::VectorPlan;
use super::leaves::{self, LeafSumFn};
use super::pool::ConstPool;
use super::{
    kernel, lanes, phased, phases, validate, Access, CodegenOptions, Extremes, Kernel, KernelFn,
    Layout, LeafSums, Reducer,
};
use crate::error::Result;
use crate::ir::Program;
use crate::math;
use crate::types::DType;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Type};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use std::sync::OnceLock;

/// The host ISA, built once per process.
fn host_isa() -> Result<OwnedTargetIsa> {
    static ISA: OnceLock<Result<OwnedTargetIsa, String>> = OnceLock::new();
    ISA.get_or_init(|| {
        let mut flags = settings::builder();
        for (k, v) in [
            ("opt_level", "speed"),
            ("use_colocated_libcalls", "false"),
            ("is_pic", "false"),
        ] {
            flags.set(k, v).map_err(|e| format!("setting {k}: {e}"))?;
        }
        let isa = cranelift_native::builder().map_err(|e| format!("host ISA: {e}"))?;
        isa.finish(settings::Flags::new(flags))
            .map_err(|e| format!("host ISA: {e}"))
    })
    .clone()
    .map_err(internal)
}

/// Owns a kernel's code memory and frees it when dropped.
pub(crate) enum CodeMemory {
    /// A Cranelift JIT module's.
    Jit(Option<Box<JITModule>>),
    /// The wide generator's mapping (which unmaps itself).
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    Wide {
        /// Held for its `Drop`.
        _mapping: super::wide::Mapping,
    },
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        if let CodeMemory::Jit(module) = self {
            if let Some(module) = module.take() {
                // SAFETY: the only pointer into this memory is the `Kernel`'s function
                // pointer, and the `Kernel` is being dropped with us.
                unsafe { module.free_memory() };
            }
        }
    }
}

/// Compiles `program`: divided into phases at its vector-math calls when it has any (see
/// `phases`), else one fused loop.
pub(crate) fn compile_program(
    program: &Program,
    layout: &Layout,
    opts: &CodegenOptions,
) -> Result<Kernel> {
    validate::check(program, layout)?;
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    if opts.codegen == super::Codegen::Wide && !opts.keep_clif {
        if let Some(w) = super::wide::compile(program, layout, opts.math)? {
            return Ok(Kernel {
                func: w.func,
                code_size: w.code_size,
                clif: None,
                _consts: ConstPool::empty(),
                _phased: None,
                _memory: CodeMemory::Wide {
                    _mapping: w.mapping,
                },
            });
        }
    }
    if let Some(divided) = phases::divide(program, layout, opts.math) {
        if let Some(k) = phased::compile(program, layout, divided, opts)? {
            return Ok(k);
        }
    }
    compile(program, layout, opts)
}

/// Compiles one fused loop: a vector loop when the program has a vector plan, falling back
/// to the scalar loop if Cranelift cannot lower some vector instruction.
pub(crate) fn compile(program: &Program, layout: &Layout, opts: &CodegenOptions) -> Result<Kernel> {
    validate::check(program, layout)?;
    match lanes::plan(program, layout) {
        Some(plan) => compile_with(program, layout, opts, Some(plan))
            .or_else(|_| compile_with(program, layout, opts, None)),
        None => compile_with(program, layout, opts, None),
    }
}

fn compile_with(
    program: &Program,
    layout: &Layout,
    opts: &CodegenOptions,
    plan: Option<lanes::VectorPlan>,
) -> Result<Kernel> {
    let jit = with_math(JITBuilder::with_isa(host_isa()?, default_libcall_names()));
    let pool = ConstPool::new(program, plan);
    let built = build(jit, "kernel", opts.keep_clif, None, |b, calls, ptr_ty| {
        kernel::build(b, calls, program, layout, plan, &pool, ptr_ty)
    })?;
    Ok(Kernel {
        // SAFETY: `kernel::build` emitted a function with the `KernelFn` ABI.
        func: unsafe { built.kernel_fn() },
        code_size: built.code_size,
        clif: built.clif,
        _consts: pool,
        _phased: None,
        _memory: built.memory,
    })
}

/// `jit` with every `math` function code may call declared by name.
fn with_math(mut jit: JITBuilder) -> JITBuilder {
    for entry in math::table::all() {
        jit.symbol(entry.name, entry.func.addr());
    }
    jit
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
impl<F> From<super::wide::WideFunction<F>> for Reducer<F> {
    fn from(w: super::wide::WideFunction<F>) -> Self {
        Reducer {
            func: w.func,
            code_size: w.code_size,
            _consts: ConstPool::empty(),
            _memory: CodeMemory::Wide {
                _mapping: w.mapping,
            },
        }
    }
}

/// The vector plan of `program` over contiguous operands when it can be reduced straight
/// from its inputs (`leaves`, `extremes`): its one output is `float32` or `float64`
/// computed in vectors of that dtype, with no vector-math calls; else `None`.
fn direct_plan(
    program: &Program,
    layout: &Layout,
    opts: &CodegenOptions,
) -> Result<Option<VectorPlan>> {
    let [out] = program.outputs[..] else {
        return Ok(None);
    };
    let Some(dt) = program.insts.get(out as usize).map(|i| i.dtype) else {
        return Ok(None);
    };
    // The plan of the same program over contiguous operands: its vectors are what is
    // reduced. (Gathering strided inputs is worth it here whatever the program: the
    // reduction is vector operations either way.)
    let contiguous = Layout {
        inputs: layout
            .inputs
            .iter()
            .map(|&a| match a {
                Access::Strided => Access::Contiguous,
                a => a,
            })
            .collect(),
        outputs: vec![Access::Contiguous],
    };
    validate::check(program, &contiguous)?;
    let plan = match lanes::plan(program, &contiguous) {
        Some(p) if p.dtype == dt && matches!(dt, DType::F32 | DType::F64) => p,
        _ => return Ok(None),
    };
    if program.insts.iter().any(|i| i.dtype.is_complex())
        || phases::divide(program, &contiguous, opts.math).is_some()
    {
        return Ok(None);
    }
    Ok(Some(plan))
}

/// Compiles the leaf sums of `program` over inputs walked as `layout.inputs` (see
/// `leaves`), or gives `None` when the program does not qualify ([`direct_plan`]).
pub(crate) fn compile_leaf_sums(
    program: &Program,
    layout: &Layout,
    opts: &CodegenOptions,
) -> Result<Option<LeafSums>> {
    let Some(plan) = direct_plan(program, layout, opts)? else {
        return Ok(None);
    };
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    if opts.codegen == super::Codegen::Wide {
        if let Some(w) = super::wide::compile_leaf_sums(program, &layout.inputs)? {
            return Ok(Some(w.into()));
        }
    }
    let jit = with_math(JITBuilder::with_isa(host_isa()?, default_libcall_names()));
    let pool = ConstPool::new(program, Some(plan));
    let built = build(jit, "leaf_sums", false, None, |b, calls, ptr_ty| {
        leaves::build(b, calls, program, &layout.inputs, plan, &pool, ptr_ty)
    });
    // A vector instruction Cranelift cannot lower leaves the stored path to the reduction.
    let Ok(built) = built else {
        return Ok(None);
    };
    // SAFETY: `leaves::build` emitted a function with the `LeafSumFn` ABI (five
    // pointer-sized arguments, no results, the host's default calling convention).
    let func = unsafe { std::mem::transmute::<*const u8, LeafSumFn>(built.entry) };
    Ok(Some(Reducer {
        func,
        code_size: built.code_size,
        _consts: pool,
        _memory: built.memory,
    }))
}

/// Compiles the running `min` (`is_min`) or `max` of `program` over inputs walked as
/// `layout.inputs` (see `extremes`), or gives `None` when the program does not qualify
/// ([`direct_plan`]).
pub(crate) fn compile_extremes(
    program: &Program,
    layout: &Layout,
    opts: &CodegenOptions,
    is_min: bool,
) -> Result<Option<Extremes>> {
    let Some(plan) = direct_plan(program, layout, opts)? else {
        return Ok(None);
    };
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    if opts.codegen == super::Codegen::Wide {
        if let Some(w) = super::wide::compile_extremes(program, &layout.inputs, is_min)? {
            return Ok(Some(w.into()));
        }
    }
    let jit = with_math(JITBuilder::with_isa(host_isa()?, default_libcall_names()));
    let pool = ConstPool::new(program, Some(plan));
    let built = build(
        jit,
        "extremes",
        false,
        Some(types::I32),
        |b, calls, ptr_ty| {
            extremes::build(
                b,
                calls,
                (program, &layout.inputs),
                plan,
                &pool,
                ptr_ty,
                is_min,
            )
        },
    );
    // A vector instruction Cranelift cannot lower leaves the stored path to the reduction.
    let Ok(built) = built else {
        return Ok(None);
    };
    // SAFETY: `extremes::build` emitted a function with the `ExtremeFn` ABI (five
    // pointer-sized arguments, a 32-bit result, the host's default calling convention).
    let func = unsafe { std::mem::transmute::<*const u8, ExtremeFn>(built.entry) };
    Ok(Some(Reducer {
        func,
        code_size: built.code_size,
        _consts: pool,
        _memory: built.memory,
    }))
}

/// A kernel that calls `target(phased, n, inputs, strides, outs, out_strides)`: how a phased
/// program (see `phased`) gets the [`KernelFn`] ABI. `code_size` and `clif` describe the
/// phases.
pub(crate) fn trampoline(
    phased: Box<phased::Phased>,
    target: usize,
    code_size: usize,
    clif: Option<String>,
) -> Result<Kernel> {
    let jit = JITBuilder::with_isa(host_isa()?, default_libcall_names());
    let ctx_addr = &*phased as *const phased::Phased as i64;
    let built = build(jit, "trampoline", false, None, |b, calls, ptr_ty| {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let mut args = vec![b.ins().iconst(ptr_ty, ctx_addr)];
        args.extend_from_slice(b.block_params(entry));
        calls.call_address(b, target, &args)?;
        b.ins().return_(&[]);
        b.seal_all_blocks();
        Ok(())
    })?;
    Ok(Kernel {
        // SAFETY: the trampoline was emitted with the `KernelFn` ABI.
        func: unsafe { built.kernel_fn() },
        code_size,
        clif,
        _consts: ConstPool::empty(),
        _phased: Some(phased),
        _memory: built.memory,
    })
}

/// One compiled function of five pointer-sized arguments and the memory holding it.
struct Built {
    memory: CodeMemory,
    entry: *const u8,
    code_size: usize,
    clif: Option<String>,
}

impl Built {
    /// The entry point as a [`KernelFn`].
    ///
    /// # Safety
    /// The function body was emitted with the `KernelFn` ABI.
    unsafe fn kernel_fn(&self) -> KernelFn {
        // SAFETY: five pointer-sized arguments, no results, the host's default calling
        // convention, and (the caller's contract) the kernel ABI's meaning.
        unsafe { std::mem::transmute::<*const u8, KernelFn>(self.entry) }
    }
}

/// Declares a function of five pointer-sized arguments and no results (the [`KernelFn`]
/// and [`LeafSumFn`] shape) or one `result` (the [`ExtremeFn`] shape) in a new module from
/// `jit`, lets `body` emit it, and compiles and links it; `what` names it in errors.
fn build(
    jit: JITBuilder,
    what: &str,
    keep_clif: bool,
    result: Option<Type>,
    body: impl FnOnce(&mut FunctionBuilder, &mut Callees, Type) -> Result<()>,
) -> Result<Built> {
    let mut memory = CodeMemory::Jit(Some(Box::new(JITModule::new(jit))));
    let CodeMemory::Jit(Some(module)) = &mut memory else {
        return Err(internal("a new JIT module is missing"));
    };
    let ptr_ty = module.target_config().pointer_type();
    let mut sig = module.make_signature();
    sig.params.extend((0..5).map(|_| AbiParam::new(ptr_ty)));
    sig.returns.extend(result.map(AbiParam::new));
    let id = module
        .declare_function(&format!("jitex_{what}"), Linkage::Local, &sig)
        .map_err(|e| internal(format!("declaring the {what}: {e}")))?;
    let mut ctx = module.make_context();
    ctx.func.signature = sig;
    let frontend = module.target_config();
    let mut fctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let mut calls = Callees::new(module);
        body(&mut b, &mut calls, ptr_ty)?;
        b.finalize(frontend);
    }
    let clif = keep_clif.then(|| ctx.func.display().to_string());
    module
        .define_function(id, &mut ctx)
        .map_err(|e| internal(format!("compiling the {what}: {e:?}")))?;
    let code_size = ctx.compiled_code().map_or(0, |c| c.code_buffer().len());
    module
        .finalize_definitions()
        .map_err(|e| internal(format!("linking the {what}: {e}")))?;
    let entry = module.get_finalized_function(id);
    Ok(Built {
        memory,
        entry,
        code_size,
        clif,
    })
}
