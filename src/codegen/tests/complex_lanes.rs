//! Complex programs in the vector loop: which ones take it, that they match the
//! interpreter under every layout, and that the vector loop gives the scalar loop's bits
//! exactly, NaN signs included (a NaN's sign reaches later functions, such as `arcsinh`).

use super::{check, pool, B};
use crate::codegen::{compile, Access, Codegen, CodegenOptions, Layout, MathImpl};
use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::types::{Complex64, DType, Scalar};

/// Programs on complex `dt` that take the vector loop with contiguous operands.
fn vector_programs(dt: DType) -> Vec<(&'static str, Program)> {
    use BinaryOp::*;
    let part = dt.real_part();
    let mut v = Vec::new();

    let mut b = B::default();
    let (z, w) = (b.input(dt), b.input(dt));
    let m = b.bin(Mul, z, w);
    let r = b.bin(Add, m, z);
    v.push(("z*w + z", b.ret(r)));

    let mut b = B::default();
    let z = b.input(dt);
    let two = b.konst(Scalar::C128(Complex64::new(2.0, 0.0)).cast(dt));
    let one = b.konst(Scalar::C128(Complex64::new(-0.0, f64::NAN)).cast(dt));
    let m = b.bin(Mul, two, z);
    let r = b.bin(Add, m, one);
    v.push(("2*z + (-0+nanj)", b.ret(r)));

    let mut b = B::default();
    let (z, w) = (b.input(dt), b.input(dt));
    let c = b.un(UnaryOp::Conj, z);
    let m = b.bin(Mul, c, w);
    let n = b.un(UnaryOp::Neg, z);
    let r = b.bin(Sub, m, n);
    v.push(("conj(z)*w - -z", b.ret(r)));

    let mut b = B::default();
    let (z, w) = (b.input(dt), b.input(dt));
    let re = b.push(Op::Unary(UnaryOp::Real, z), part);
    let re = b.cast(re, dt);
    let r = b.bin(Mul, re, w);
    v.push(("z.real*w", b.ret(r)));

    let mut b = B::default();
    let (x, y, z) = (b.input(part), b.input(part), b.input(dt));
    let c = b.push(Op::Binary(Complex, x, y), dt);
    let m = b.bin(Mul, c, z);
    let r = b.un(UnaryOp::Round, m);
    v.push(("round(complex(x, y)*z)", b.ret(r)));

    let mut b = B::default();
    let (z, w) = (b.input(dt), b.input(dt));
    let eq = b.bin(Eq, z, w);
    let n = b.un(UnaryOp::Neg, w);
    let r = b.select(eq, z, n);
    v.push(("where(z == w, z, -w)", b.ret(r)));

    let mut b = B::default();
    let (z, w) = (b.input(dt), b.input(dt));
    let ne = b.bin(Ne, z, w);
    let m = b.bin(Mul, z, w);
    let im = b.push(Op::Unary(UnaryOp::Imag, m), part);
    let d = b.bin(Sub, z, w);
    v.push(("z != w, (z*w).imag, z - w", b.ret_all(&[ne, im, d])));

    let mut b = B::default();
    let (z, m, k) = (b.input(dt), b.input(DType::Bool), b.input(dt));
    let zm = b.bin(Mul, z, z);
    let r = b.select(m, zm, k);
    v.push(("where(m, z*z, k)", b.ret(r)));
    v
}

/// Whether `program`'s kernel for `layout` under `math` has a vector loop of its part type
/// (a failed vector build falls back to the scalar loop, so this also checks it lowers).
fn vectorised(program: &Program, layout: &Layout, math: MathImpl, dt: DType) -> bool {
    let opts = CodegenOptions {
        keep_clif: true,
        math,
        codegen: Codegen::Cranelift,
    };
    let k = compile(program, layout, &opts).expect("compiles");
    let vec = if dt.real_part() == DType::F32 {
        "f32x4"
    } else {
        "f64x2"
    };
    // The scalar loop has no vector values at all.
    k.clif().expect("kept").contains(vec)
}

/// Contiguous operands for `program`.
fn contiguous(program: &Program) -> Layout {
    Layout {
        inputs: vec![Access::Contiguous; program.inputs.len()],
        outputs: vec![Access::Contiguous; program.outputs.len()],
    }
}

#[test]
fn complex_arithmetic_is_vectorised() {
    for dt in DType::COMPLEX {
        for (name, p) in vector_programs(dt) {
            for math in [MathImpl::Vector, MathImpl::Libm] {
                assert!(
                    vectorised(&p, &contiguous(&p), math, dt),
                    "{dt} {name} {math:?}"
                );
            }
            // Strided inputs are gathered, broadcast ones hoisted.
            let mut layout = contiguous(&p);
            for (k, a) in layout.inputs.iter_mut().enumerate() {
                *a = [Access::Strided, Access::Broadcast][k % 2];
            }
            assert!(
                vectorised(&p, &layout, MathImpl::Libm, dt),
                "{dt} {name} strided"
            );
        }
    }
}

#[test]
fn calls_keep_the_scalar_loop() {
    for dt in DType::COMPLEX {
        let mut b = B::default();
        let (z, w) = (b.input(dt), b.input(dt));
        let q = b.bin(BinaryOp::Div, z, w);
        let r = b.bin(BinaryOp::Add, q, z);
        let p = b.ret(r);
        assert!(!vectorised(&p, &contiguous(&p), MathImpl::Libm, dt), "{dt}");

        let mut b = B::default();
        let z = b.input(dt);
        let a = b.push(Op::Unary(UnaryOp::Abs, z), dt.real_part());
        let p = b.ret(a);
        assert!(!vectorised(&p, &contiguous(&p), MathImpl::Libm, dt), "{dt}");
    }
}

#[test]
fn vector_programs_match_the_interpreter() {
    for dt in DType::COMPLEX {
        for (_, p) in vector_programs(dt) {
            check(&p);
        }
    }
}

/// Runs `program` on `n` elements of `cols` (one per input, contiguous), writing every
/// output contiguously (`scalar` false: the vector loop) or through the strided scalar
/// loop at the same addresses; returns the outputs' bytes.
fn run(program: &Program, cols: &[Vec<u8>], n: usize, scalar: bool) -> Vec<Vec<u8>> {
    let sizes: Vec<usize> = program
        .outputs
        .iter()
        .map(|&o| program.insts[o as usize].dtype.size())
        .collect();
    let access = if scalar {
        Access::Strided
    } else {
        Access::Contiguous
    };
    let layout = Layout {
        inputs: vec![Access::Contiguous; cols.len()],
        outputs: vec![access; sizes.len()],
    };
    let k = compile(program, &layout, &CodegenOptions::default()).expect("compiles");
    let mut outs: Vec<Vec<u8>> = sizes.iter().map(|s| vec![0u8; s * n]).collect();
    let ptrs: Vec<*const u8> = cols.iter().map(|c| c.as_ptr()).collect();
    let strides: Vec<isize> = program
        .inputs
        .iter()
        .map(|i| i.dtype.size() as isize)
        .collect();
    let out_ptrs: Vec<*mut u8> = outs.iter_mut().map(|o| o.as_mut_ptr()).collect();
    let out_strides: Vec<isize> = sizes.iter().map(|&s| s as isize).collect();
    // SAFETY: every input and output holds `n` elements of its dtype, at its stride.
    unsafe {
        (k.func())(
            n,
            ptrs.as_ptr(),
            strides.as_ptr(),
            out_ptrs.as_ptr(),
            out_strides.as_ptr(),
        )
    };
    outs
}

#[test]
fn vector_loop_has_the_scalar_loops_bits_nan_signs_included() {
    for dt in DType::COMPLEX {
        for (name, p) in vector_programs(dt) {
            // Every pair of special values, NaNs of both signs among them.
            let n = 1000;
            let cols: Vec<Vec<u8>> = p
                .inputs
                .iter()
                .enumerate()
                .map(|(k, input)| {
                    let vals = pool(input.dtype);
                    let mut bytes = vec![0u8; n * input.dtype.size()];
                    for (i, chunk) in bytes.chunks_exact_mut(input.dtype.size()).enumerate() {
                        let v = vals[(i * (k + 1) + i / vals.len()) % vals.len()];
                        let v = match v {
                            Scalar::C128(z) if i % 3 == 0 => Scalar::C128(-z),
                            Scalar::C64(z) if i % 3 == 0 => Scalar::C64(-z),
                            v => v,
                        };
                        v.write(chunk);
                    }
                    bytes
                })
                .collect();
            let vector = run(&p, &cols, n, false);
            let scalar = run(&p, &cols, n, true);
            assert!(vector == scalar, "{dt} {name}");
        }
    }
}
