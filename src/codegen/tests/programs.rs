//! Whole programs: mixed dtypes, vector loops with lane-by-lane ops, constants, select,
//! in-place operation and the vector shape of `2*a + 3*b`.

use super::{check, pool, B, LENS};
use crate::codegen::{compile, Access, CodegenOptions, Layout};
use crate::ir::{BinaryOp, UnaryOp};
use crate::types::{DType, Scalar};

fn axpby(dt: DType, two: Scalar, three: Scalar) -> crate::ir::Program {
    let mut b = B::default();
    let a = b.input(dt);
    let x = b.input(dt);
    let c2 = b.konst(two);
    let c3 = b.konst(three);
    let t1 = b.bin(BinaryOp::Mul, c2, a);
    let t2 = b.bin(BinaryOp::Mul, c3, x);
    let r = b.bin(BinaryOp::Add, t1, t2);
    b.ret(r)
}

#[test]
fn linear_combinations_every_dtype() {
    for dt in DType::ALL {
        let p = axpby(dt, Scalar::I64(2).cast(dt), Scalar::I64(3).cast(dt));
        check(&p);
    }
}

#[test]
fn axpby_f64_is_a_vector_loop() {
    let p = axpby(DType::F64, Scalar::F64(2.0), Scalar::F64(3.0));
    let layout = Layout {
        inputs: vec![Access::Contiguous; 2],
        outputs: vec![Access::Contiguous],
    };
    let k = compile(
        &p,
        &layout,
        &CodegenOptions {
            keep_clif: true,
            ..Default::default()
        },
    )
    .unwrap();
    let clif = k.clif().expect("kept");
    assert!(clif.contains("f64x2"), "{clif}");
    assert!(!clif.contains("fma"), "{clif}");
    // Constants are loaded once from the kernel's pool, never splatted (which Cranelift
    // would turn into a per-iteration constant-pool load).
    assert!(!clif.contains("splat"), "{clif}");
    // Two constants, two inputs per unrolled vector, and two in the one-vector remainder loop.
    let unroll = crate::codegen::kernel::UNROLL as usize;
    assert_eq!(
        clif.matches("load.f64x2").count(),
        2 + 2 * unroll + 2,
        "{clif}"
    );
    assert!(k.code_size() > 0);
    let none = compile(&p, &layout, &CodegenOptions::default()).unwrap();
    assert!(none.clif().is_none());
}

#[test]
fn vector_loops_with_lane_by_lane_ops() {
    // f64: 2 native ops, one call per lane.
    let mut b = B::default();
    let a = b.input(DType::F64);
    let x = b.input(DType::F64);
    let s = b.un(UnaryOp::Sin, x);
    let m = b.bin(BinaryOp::Mul, a, a);
    let t = b.bin(BinaryOp::Add, m, s);
    check(&b.ret(t));
    // i8 multiply has no x64 vector form; integer division never does.
    for dt in [DType::I8, DType::I64, DType::U16] {
        let mut b = B::default();
        let a = b.input(dt);
        let x = b.input(dt);
        let p = b.bin(BinaryOp::Mul, a, x);
        let q = b.bin(BinaryOp::FloorDiv, a, x);
        let s = b.bin(BinaryOp::Add, p, a);
        let r = b.bin(BinaryOp::Sub, s, q);
        check(&b.ret(r));
    }
    // bool: and/or natively, not lane by lane.
    let mut b = B::default();
    let a = b.input(DType::Bool);
    let x = b.input(DType::Bool);
    let o = b.bin(BinaryOp::Or, a, x);
    let n = b.un(UnaryOp::Not, a);
    let r = b.bin(BinaryOp::And, o, n);
    check(&b.ret(r));
}

#[test]
fn mixed_dtypes_with_select() {
    // where(a > 0, sin(a), f64(b) * 0.5) + f64(i16(a)), with a: f32, b: u8.
    let mut b = B::default();
    let a = b.input(DType::F32);
    let x = b.input(DType::U8);
    let zero = b.konst(Scalar::F32(0.0));
    let c = b.bin(BinaryOp::Gt, a, zero);
    let s = b.un(UnaryOp::Sin, a);
    let s64 = b.cast(s, DType::F64);
    let x64 = b.cast(x, DType::F64);
    let half = b.konst(Scalar::F64(0.5));
    let h = b.bin(BinaryOp::Mul, x64, half);
    let w = b.select(c, s64, h);
    let ai = b.cast(a, DType::I16);
    let af = b.cast(ai, DType::F64);
    let r = b.bin(BinaryOp::Add, w, af);
    check(&b.ret(r));
}

#[test]
fn integer_division_edge_cases() {
    // Pools hold 0, -1, MIN and MAX of every type, so x // 0, MIN // -1 and friends all occur;
    // spell them out once more per dtype to be sure.
    for dt in [DType::I8, DType::I16, DType::I32, DType::I64] {
        let min = Scalar::I64(i64::MIN >> (64 - dt.bits())).cast(dt);
        for op in [BinaryOp::FloorDiv, BinaryOp::Mod, BinaryOp::Fmod] {
            for d in [0i64, -1] {
                let mut b = B::default();
                let a = b.input(dt);
                let m = b.konst(min);
                let k = b.konst(Scalar::I64(d).cast(dt));
                let q = b.bin(op, m, k);
                let q2 = b.bin(op, a, k);
                let r = b.bin(BinaryOp::Add, q, q2);
                check(&b.ret(r));
            }
        }
    }
}

#[test]
fn in_place_output_aliases_input() {
    for dt in [DType::F64, DType::I32, DType::U8, DType::F32] {
        let p = axpby(dt, Scalar::I64(2).cast(dt), Scalar::I64(3).cast(dt));
        let layout = Layout {
            inputs: vec![Access::Contiguous; 2],
            outputs: vec![Access::Contiguous],
        };
        let k = compile(&p, &layout, &CodegenOptions::default()).unwrap();
        let pl = pool(dt);
        for n in LENS {
            let a: Vec<Scalar> = (0..n).map(|i| pl[i % pl.len()]).collect();
            let x: Vec<Scalar> = (0..n).map(|i| pl[(i * 5 + 1) % pl.len()]).collect();
            let mut abuf = vec![0u8; n * dt.size() + 1];
            let mut xbuf = vec![0u8; n * dt.size() + 1];
            for i in 0..n {
                a[i].write(&mut abuf[i * dt.size()..]);
                x[i].write(&mut xbuf[i * dt.size()..]);
            }
            let ptrs = [abuf.as_ptr(), xbuf.as_ptr()];
            // SAFETY: both buffers hold n elements; the output is input 0 itself.
            unsafe {
                (k.func())(
                    n,
                    ptrs.as_ptr(),
                    [0, 0].as_ptr(),
                    [abuf.as_mut_ptr()].as_ptr(),
                    [0].as_ptr(),
                )
            };
            for i in 0..n {
                let want = crate::interp::eval_element(&p, &[a[i], x[i]]);
                let got = Scalar::read(dt, &abuf[i * dt.size()..]);
                assert_eq!(got.to_bits(), want.to_bits(), "{dt} n={n} i={i}");
            }
        }
    }
}

#[test]
fn malformed_programs_are_errors_not_panics() {
    let mut b = B::default();
    let a = b.input(DType::F64);
    let x = b.input(DType::I32);
    let r = b.bin(BinaryOp::Add, a, x);
    let p = b.ret(r);
    let layout = Layout {
        inputs: vec![Access::Contiguous; 2],
        outputs: vec![Access::Contiguous],
    };
    let e = compile(&p, &layout, &CodegenOptions::default()).unwrap_err();
    assert_eq!(e.kind, crate::ErrorKind::Internal);
    let short = Layout {
        inputs: vec![Access::Contiguous],
        outputs: vec![Access::Contiguous],
    };
    assert!(compile(&p, &short, &CodegenOptions::default()).is_err());
}

#[test]
fn kernels_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<crate::codegen::Kernel>();
}
