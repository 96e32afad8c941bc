//! JIT module setup (host ISA via `cranelift_native`, `opt_level=speed`), compilation of
//! one kernel function, and ownership of its code memory.

use super::calls::{internal, Callees};
use super::pool::ConstPool;
use super::{kernel, lanes, phased, phases, validate, CodegenOptions, Kernel, KernelFn, Layout};
use crate::error::Result;
use crate::ir::Program;
use crate::math;
use cranelift_codegen::ir::{AbiParam, InstBuilder, Type};
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

/// Owns a JIT module and frees its code memory when dropped.
pub(crate) struct CodeMemory(Option<JITModule>);

impl Drop for CodeMemory {
    fn drop(&mut self) {
        if let Some(module) = self.0.take() {
            // SAFETY: the only pointer into this memory is the `Kernel`'s function
            // pointer, and the `Kernel` is being dropped with us.
            unsafe { module.free_memory() };
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
    let mut jit = JITBuilder::with_isa(host_isa()?, default_libcall_names());
    for entry in math::table::all() {
        jit.symbol(entry.name, entry.func.addr());
    }
    let pool = ConstPool::new(program, plan);
    let built = build(jit, "kernel", opts.keep_clif, |b, calls, ptr_ty| {
        kernel::build(b, calls, program, layout, plan, &pool, ptr_ty)
    })?;
    Ok(Kernel {
        func: built.func,
        code_size: built.code_size,
        clif: built.clif,
        _consts: pool,
        _phased: None,
        _memory: built.memory,
    })
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
    let built = build(jit, "trampoline", false, |b, calls, ptr_ty| {
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
        func: built.func,
        code_size,
        clif,
        _consts: ConstPool::empty(),
        _phased: Some(phased),
        _memory: built.memory,
    })
}

/// One compiled function with the [`KernelFn`] signature and the memory holding it.
struct Built {
    memory: CodeMemory,
    func: KernelFn,
    code_size: usize,
    clif: Option<String>,
}

/// Declares a function with the [`KernelFn`] signature in a new module from `jit`, lets
/// `body` emit it, and compiles and links it; `what` names it in errors.
fn build(
    jit: JITBuilder,
    what: &str,
    keep_clif: bool,
    body: impl FnOnce(&mut FunctionBuilder, &mut Callees, Type) -> Result<()>,
) -> Result<Built> {
    let mut memory = CodeMemory(Some(JITModule::new(jit)));
    let module = memory.0.as_mut().expect("just created");
    let ptr_ty = module.target_config().pointer_type();
    let mut sig = module.make_signature();
    sig.params.extend((0..5).map(|_| AbiParam::new(ptr_ty)));
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
    let ptr = module.get_finalized_function(id);
    // SAFETY: the function was declared with the `KernelFn` signature (five pointer-sized
    // arguments, no results, the host's default calling convention).
    let func = unsafe { std::mem::transmute::<*const u8, KernelFn>(ptr) };
    Ok(Built {
        memory,
        func,
        code_size,
        clif,
    })
}
