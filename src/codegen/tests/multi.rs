//! Programs with several outputs: 1–4 outputs of mixed dtypes, shared subexpressions,
//! outputs that are inputs or constants, through the vector and the scalar loop. The
//! driver's tests (`crate::expr::multi_tests`) run the same programs end to end.

use super::{check_lens, B, LENS};
use crate::codegen::{compile, Access, Codegen, CodegenOptions, Layout, MathImpl};
use crate::ir::{BinaryOp, Program, UnaryOp};
use crate::types::{DType, Scalar};

/// Whether a program's contiguous kernel is expected to take the vector loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loop {
    Vector,
    Scalar,
}

/// The multi-output programs every test runs: (name, program, loop with contiguous operands).
pub(crate) fn programs() -> Vec<(&'static str, Program, Loop)> {
    use BinaryOp::*;
    let mut v = Vec::new();

    // One output, for comparison: a*b + c.
    let mut b = B::default();
    let (a, x, c) = (
        b.input(DType::F64),
        b.input(DType::F64),
        b.input(DType::F64),
    );
    let m = b.bin(Mul, a, x);
    let r = b.bin(Add, m, c);
    v.push(("one f64", b.ret_all(&[r]), Loop::Vector));

    // x = a*b; y = sin(x) + c: `x` is shared and also an output; `sin` goes lane by lane.
    let mut b = B::default();
    let (a, x, c) = (
        b.input(DType::F64),
        b.input(DType::F64),
        b.input(DType::F64),
    );
    let m = b.bin(Mul, a, x);
    let s = b.un(UnaryOp::Sin, m);
    let y = b.bin(Add, s, c);
    v.push(("x=a*b; y=sin(x)+c", b.ret_all(&[m, y]), Loop::Vector));

    // Different widths in the vector loop: an f64 sum and a bool comparison (a mask).
    let mut b = B::default();
    let (a, x) = (b.input(DType::F64), b.input(DType::F64));
    let s = b.bin(Add, a, x);
    let g = b.bin(Gt, a, x);
    v.push(("f64 and bool", b.ret_all(&[s, g]), Loop::Vector));

    // Mixed dtypes (scalar loop): f64, i32 and bool outputs.
    let mut b = B::default();
    let (a, i) = (b.input(DType::F64), b.input(DType::I32));
    let fi = b.cast(i, DType::F64);
    let p = b.bin(Mul, fi, a);
    let three = b.konst(Scalar::I32(3));
    let i3 = b.bin(Mul, i, three);
    let zero = b.konst(Scalar::F64(0.0));
    let neg = b.bin(Lt, a, zero);
    v.push(("f64, i32, bool", b.ret_all(&[p, i3, neg]), Loop::Scalar));

    // Outputs that are an input, a constant, and one value twice.
    let mut b = B::default();
    let (a, x) = (b.input(DType::F64), b.input(DType::F64));
    let k = b.konst(Scalar::F64(2.5));
    let sq = b.bin(Mul, a, a);
    let r = b.bin(Add, sq, x);
    v.push(("input, const, dup", b.ret_all(&[a, k, r, r]), Loop::Vector));

    // Four f32 outputs of one vector loop.
    let mut b = B::default();
    let (a, x) = (b.input(DType::F32), b.input(DType::F32));
    let outs = [Add, Sub, Mul, Div].map(|op| b.bin(op, a, x));
    v.push(("four f32", b.ret_all(&outs), Loop::Vector));

    // Two i16 outputs (8 lanes) and an i16 input passed through.
    let mut b = B::default();
    let (a, x) = (b.input(DType::I16), b.input(DType::I16));
    let s = b.bin(Add, a, x);
    let d = b.bin(Sub, s, x);
    v.push(("three i16", b.ret_all(&[d, s, x]), Loop::Vector));
    v
}

/// Array lengths of the multi-output checks: the usual ones plus both sides of 512.
fn lens() -> Vec<usize> {
    let mut l = LENS.to_vec();
    l.extend([511, 512, 513]);
    l
}

#[test]
fn every_output_matches_the_interpreter() {
    for (name, p, _) in programs() {
        eprintln!("{name}");
        check_lens(&p, &lens());
    }
}

#[test]
fn loops_are_the_expected_ones() {
    for (name, p, want) in programs() {
        let layout = Layout {
            inputs: vec![Access::Contiguous; p.inputs.len()],
            outputs: vec![Access::Contiguous; p.outputs.len()],
        };
        let k = compile(
            &p,
            &layout,
            // The fused loop's shape (a split program's stages have their own).
            &CodegenOptions {
                keep_clif: true,
                math: MathImpl::Libm,
                codegen: Codegen::Cranelift,
            },
        )
        .unwrap();
        let clif = k.clif().expect("kept");
        let vector = ["f64x2", "f32x4", "i16x8"].iter().any(|t| clif.contains(t));
        assert_eq!(vector, want == Loop::Vector, "{name}\n{clif}");
        // A strided output has no vector store: the scalar loop takes everything.
        let mut strided = layout.clone();
        strided.outputs[0] = Access::Strided;
        let k = compile(
            &p,
            &strided,
            // The fused loop's shape (a split program's stages have their own).
            &CodegenOptions {
                keep_clif: true,
                math: MathImpl::Libm,
                codegen: Codegen::Cranelift,
            },
        )
        .unwrap();
        let clif = k.clif().expect("kept");
        assert!(
            !["f64x2", "f32x4", "i16x8"].iter().any(|t| clif.contains(t)),
            "{name}\n{clif}"
        );
    }
}

#[test]
fn an_output_may_be_an_input_in_place() {
    // x = a*a + b written over `a` itself, y = a - b to a separate buffer: every element's
    // inputs are read before either output is written, in both loops.
    let mut b = B::default();
    let (a, x) = (b.input(DType::F64), b.input(DType::F64));
    let sq = b.bin(BinaryOp::Mul, a, a);
    let r = b.bin(BinaryOp::Add, sq, x);
    let d = b.bin(BinaryOp::Sub, a, x);
    let p = b.ret_all(&[r, d]);
    for out1 in [Access::Contiguous, Access::Strided] {
        let layout = Layout {
            inputs: vec![Access::Contiguous; 2],
            outputs: vec![Access::Contiguous, out1],
        };
        let k = compile(&p, &layout, &CodegenOptions::default()).unwrap();
        for n in lens() {
            let a0: Vec<f64> = (0..n).map(|i| i as f64 * 0.5 - 3.0).collect();
            let xs: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
            let mut av = a0.clone();
            let mut dv = vec![0.0f64; n];
            let ptrs = [av.as_ptr() as *const u8, xs.as_ptr() as *const u8];
            let outs = [av.as_mut_ptr() as *mut u8, dv.as_mut_ptr() as *mut u8];
            // SAFETY: every buffer holds n f64; output 0 is input 0's very elements.
            unsafe {
                (k.func())(
                    n,
                    ptrs.as_ptr(),
                    [8, 8].as_ptr(),
                    outs.as_ptr(),
                    [8, 8].as_ptr(),
                )
            };
            for i in 0..n {
                assert_eq!(av[i], a0[i] * a0[i] + xs[i], "n={n} i={i}");
                assert_eq!(dv[i], a0[i] - xs[i], "n={n} i={i}");
            }
        }
    }
}

#[test]
fn malformed_outputs_are_errors_not_panics() {
    let mut b = B::default();
    let a = b.input(DType::F64);
    let good = b.ret_all(&[a, a]);
    let layout = |outs: Vec<Access>| Layout {
        inputs: vec![Access::Contiguous],
        outputs: outs,
    };
    let compile_err = |p: &Program, l: &Layout| {
        let e = compile(p, l, &CodegenOptions::default()).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Internal);
        e.message
    };
    assert!(compile(
        &good,
        &layout(vec![Access::Contiguous; 2]),
        &Default::default()
    )
    .is_ok());
    // Output count differs from the layout's.
    compile_err(&good, &layout(vec![Access::Contiguous]));
    // A broadcast output.
    compile_err(&good, &layout(vec![Access::Contiguous, Access::Broadcast]));
    // No output at all.
    let mut none = good.clone();
    none.outputs.clear();
    compile_err(&none, &layout(vec![]));
    // An output that is not an instruction.
    let mut far = good.clone();
    far.outputs[1] = 7;
    compile_err(&far, &layout(vec![Access::Contiguous; 2]));
}
