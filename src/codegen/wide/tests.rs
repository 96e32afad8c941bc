//! What the wide generator takes and what it leaves to Cranelift; its results are checked
//! against the interpreter by the code generator's shared suite (`codegen::tests::check`,
//! which runs every program through both generators), called here on programs it covers.

use super::cover::Isa;
use super::{compile, regs};
use crate::codegen::tests::{check, B};
use crate::codegen::{Access, Layout};
use crate::ir::{BinaryOp, Program, UnaryOp};
use crate::math::vector::MathImpl;
use crate::types::{DType, Scalar};

/// Whether the host runs wide kernels (AVX-512 ones, or AVX2 ones).
fn wide_host() -> bool {
    Isa::host().is_some()
}

fn contiguous(p: &Program) -> Layout {
    Layout {
        inputs: vec![Access::Contiguous; p.inputs.len()],
        outputs: vec![Access::Contiguous; p.outputs.len()],
    }
}

/// Whether the wide generator compiles `p` for `layout` on this host.
fn takes(p: &Program, layout: &Layout) -> bool {
    compile(p, layout, MathImpl::Vector)
        .expect("no error")
        .is_some()
}

/// `0.25*a**3 + 0.75*a**2 - 1.5*a - 2` as jitex optimises it.
fn polynomial() -> Program {
    let mut b = B::default();
    let a = b.input(DType::F64);
    let a2 = b.bin(BinaryOp::Mul, a, a);
    let a3 = b.bin(BinaryOp::Mul, a, a2);
    let k = |b: &mut B, x: f64| b.konst(Scalar::F64(x));
    let (q, t, h, two) = (
        k(&mut b, 0.25),
        k(&mut b, 0.75),
        k(&mut b, 1.5),
        k(&mut b, 2.0),
    );
    let x = b.bin(BinaryOp::Mul, q, a3);
    let y = b.bin(BinaryOp::Mul, t, a2);
    let s = b.bin(BinaryOp::Add, x, y);
    let z = b.bin(BinaryOp::Mul, h, a);
    let s = b.bin(BinaryOp::Sub, s, z);
    let r = b.bin(BinaryOp::Sub, s, two);
    b.ret(r)
}

/// `where(a <op> b, -a, sqrt(abs(b)) / a)`, one program per comparison, in `dt`.
fn selects(dt: DType) -> Vec<Program> {
    use BinaryOp::*;
    [Lt, Le, Gt, Ge, Eq, Ne]
        .into_iter()
        .map(|op| {
            let mut b = B::default();
            let x = b.input(dt);
            let y = b.input(dt);
            let c = b.bin(op, x, y);
            let n = b.un(UnaryOp::Neg, x);
            let m = b.un(UnaryOp::Abs, y);
            let m = b.un(UnaryOp::Sqrt, m);
            let d = b.bin(Div, m, x);
            let r = b.select(c, n, d);
            b.ret(r)
        })
        .collect()
}

/// `x*0.5 + y` in `float32` (16 lanes a vector).
fn float32() -> Program {
    let mut b = B::default();
    let x = b.input(DType::F32);
    let y = b.input(DType::F32);
    let h = b.konst(Scalar::F32(0.5));
    let p = b.bin(BinaryOp::Mul, x, h);
    let s = b.bin(BinaryOp::Add, p, y);
    b.ret(s)
}

/// `(a > 0.5) & ~(b < 0.5) | (a != b)` in `dt`, a `bool` result; with `also_float`, `a*b`
/// as a second output.
fn logic(dt: DType, also_float: bool) -> Program {
    let mut b = B::default();
    let x = b.input(dt);
    let y = b.input(dt);
    let h = b.konst(Scalar::F64(0.5).cast(dt));
    let p = b.bin(BinaryOp::Gt, x, h);
    let q = b.bin(BinaryOp::Lt, y, h);
    let q = b.un(UnaryOp::Not, q);
    let r = b.bin(BinaryOp::And, p, q);
    let s = b.bin(BinaryOp::Ne, x, y);
    let r = b.bin(BinaryOp::Or, r, s);
    if also_float {
        let m = b.bin(BinaryOp::Mul, x, y);
        b.ret_all(&[r, m])
    } else {
        b.ret(r)
    }
}

/// `(~m | n) ^ (m & n)` and `~m | n` over `bool` arrays: a loop of 64 bytes a vector.
fn bools() -> Program {
    let mut b = B::default();
    let m = b.input(DType::Bool);
    let n = b.input(DType::Bool);
    let nm = b.un(UnaryOp::Not, m);
    let o = b.bin(BinaryOp::Or, nm, n);
    let a = b.bin(BinaryOp::And, m, n);
    let x = b.bin(BinaryOp::Xor, o, a);
    b.ret_all(&[x, o])
}

/// Two outputs of three inputs: `a*b + c` and `a - c`.
fn two_outputs() -> Program {
    let mut b = B::default();
    let x = b.input(DType::F64);
    let y = b.input(DType::F64);
    let z = b.input(DType::F64);
    let p = b.bin(BinaryOp::Mul, x, y);
    let s = b.bin(BinaryOp::Add, p, z);
    let d = b.bin(BinaryOp::Sub, x, z);
    b.ret_all(&[s, d])
}

/// A sum of `n` products of distinct inputs' pairs, all live at once before the adds:
/// `(x0*x1) + (x1*x2) + ...` written so that every product is computed first.
fn pressure(n: usize) -> Program {
    let mut b = B::default();
    let x = b.input(DType::F64);
    let ks: Vec<_> = (0..n)
        .map(|i| b.konst(Scalar::F64(1.0 + i as f64)))
        .collect();
    let prods: Vec<_> = ks.iter().map(|&k| b.bin(BinaryOp::Mul, x, k)).collect();
    let mut s = prods[0];
    for &p in &prods[1..] {
        s = b.bin(BinaryOp::Add, s, p);
    }
    b.ret(s)
}

#[test]
fn covered_programs_compile_wide_and_match_the_interpreter() {
    let mut programs = vec![polynomial(), two_outputs(), pressure(6), float32(), bools()];
    for dt in [DType::F64, DType::F32] {
        programs.push(logic(dt, false));
        programs.push(logic(dt, true));
    }
    programs.extend(selects(DType::F64));
    programs.extend(selects(DType::F32));
    for p in &programs {
        // A broadcast input needs a float loop (a `bool` program's loop reads bytes).
        let floats = p.insts.iter().any(|i| i.dtype != DType::Bool);
        assert_eq!(takes(p, &contiguous(p)), wide_host(), "{p}");
        let mut first_broadcast = contiguous(p);
        first_broadcast.inputs[0] = Access::Broadcast;
        assert_eq!(takes(p, &first_broadcast), wide_host() && floats, "{p}");
        check(p);
    }
}

#[test]
fn the_rest_is_left_to_cranelift() {
    let p = polynomial();
    let strided = Layout {
        inputs: vec![Access::Strided],
        outputs: vec![Access::Contiguous],
    };
    assert!(!takes(&p, &strided));
    let strided_out = Layout {
        inputs: vec![Access::Contiguous],
        outputs: vec![Access::Strided],
    };
    assert!(!takes(&p, &strided_out));
    // float32 and float64 mixed, a bool input, a lone function call, a call without a
    // one-vector entry, NumPy's maximum, more than six pointers.
    let mut b = B::default();
    let x = b.input(DType::F32);
    let y = b.cast(x, DType::F64);
    let mixed = b.ret(y);
    let mut b = B::default();
    let x = b.input(DType::F64);
    let m = b.input(DType::Bool);
    let z = b.konst(Scalar::F64(0.0));
    let c = b.select(m, x, z);
    let bool_in = b.ret(c);
    let mut b = B::default();
    let x = b.input(DType::F64);
    let y = b.un(UnaryOp::Sin, x);
    let call = b.ret(y);
    // `exp`, `log1p` or `arctan` among other operations: they have no one-vector entry,
    // so the program runs in phases.
    let no_entry: Vec<_> = [UnaryOp::Exp, UnaryOp::Log1p, UnaryOp::Arctan]
        .into_iter()
        .map(|op| {
            let mut b = B::default();
            let x = b.input(DType::F64);
            let y = b.input(DType::F64);
            let e = b.un(op, x);
            let p = b.bin(BinaryOp::Mul, e, y);
            b.ret(p)
        })
        .collect();
    let mut b = B::default();
    let x = b.input(DType::F64);
    let y = b.input(DType::F64);
    let m = b.bin(BinaryOp::Max, x, y);
    let max = b.ret(m);
    let mut b = B::default();
    let xs: Vec<_> = (0..6).map(|_| b.input(DType::F64)).collect();
    let mut s = xs[0];
    for &x in &xs[1..] {
        s = b.bin(BinaryOp::Add, s, x);
    }
    let many = b.ret_all(&[s, xs[0]]);
    for p in [mixed, bool_in, call, max, many]
        .into_iter()
        .chain(no_entry)
    {
        assert!(!takes(&p, &contiguous(&p)), "{p}");
    }
}

#[test]
fn register_pressure_narrows_the_unroll() {
    let cover =
        |p: &Program, isa| super::cover::plan(p, &contiguous(p), isa, false).expect("covered");
    // AVX-512, 32 registers: 12 constants hoisted and 12 products live fit once, not four
    // times; beyond 32 live values even one copy does not fit.
    let p = pressure(12);
    let plan = cover(&p, Isa::Avx512);
    assert!(regs::allocate(&p, &plan, 1).is_some());
    assert!(regs::allocate(&p, &plan, 4).is_none());
    let p = pressure(20);
    let plan = cover(&p, Isa::Avx512);
    assert!(regs::allocate(&p, &plan, 1).is_none());
    // AVX2, 16 registers (one the tail's mask): 6 constants and 6 products fit once, not
    // twice; 8 and 8 not at all.
    let p = pressure(6);
    let plan = cover(&p, Isa::Avx2);
    assert!(regs::allocate(&p, &plan, 1).is_some());
    assert!(regs::allocate(&p, &plan, 2).is_none());
    let p = pressure(8);
    let plan = cover(&p, Isa::Avx2);
    assert!(regs::allocate(&p, &plan, 1).is_none());
    // What fits no registers is Cranelift's.
    let p = pressure(20);
    assert!(!takes(&p, &contiguous(&p)));
    for n in [6, 8, 12, 20] {
        check(&pressure(n));
    }
}

/// Leaf sums and running extremes: `float64` and `float32` programs over contiguous and
/// broadcast inputs (at most four streamed) on any wide host (leaf sums of `float64` in
/// AVX-512 where the host has it, the rest in AVX2); strided inputs and wider programs go
/// to Cranelift. Their results are checked by `codegen::tests::leaves` and
/// `codegen::tests::extremes`, which run both generators.
#[test]
fn reducers_take_float_programs_of_few_streams() {
    let takes = |p: &Program, inputs: Vec<Access>| {
        let leaf = super::compile_leaf_sums(p, &inputs).expect("no error");
        let min = super::compile_extremes(p, &inputs, true).expect("no error");
        let max = super::compile_extremes(p, &inputs, false).expect("no error");
        assert_eq!(leaf.is_some(), min.is_some(), "{p}");
        assert_eq!(min.is_some(), max.is_some(), "{p}");
        leaf.is_some()
    };
    let p = polynomial();
    assert_eq!(takes(&p, vec![Access::Contiguous]), wide_host());
    assert!(!takes(&p, vec![Access::Strided]));
    for s in selects(DType::F64) {
        assert_eq!(
            takes(&s, vec![Access::Contiguous, Access::Broadcast]),
            wide_host()
        );
    }
    assert_eq!(takes(&float32(), vec![Access::Contiguous; 2]), wide_host());
    let sum_of = |n: usize| {
        let mut b = B::default();
        let xs: Vec<_> = (0..n).map(|_| b.input(DType::F64)).collect();
        let mut s = xs[0];
        for &x in &xs[1..] {
            s = b.bin(BinaryOp::Add, s, x);
        }
        b.ret(s)
    };
    assert_eq!(takes(&sum_of(4), vec![Access::Contiguous; 4]), wide_host());
    assert!(!takes(&sum_of(5), vec![Access::Contiguous; 5]));
}

/// `complex128` programs (`+ - *`, `neg`, constants, broadcast inputs): four elements a
/// vector, the interpreter's bits (its products are NumPy's fused ones); what else a
/// complex program does (division, `abs`, comparisons) goes to Cranelift.
#[test]
fn complex_products_and_sums_compile_wide_and_match_the_interpreter() {
    let c = DType::C128;
    // z*w + z
    let mut b = B::default();
    let (z, w) = (b.input(c), b.input(c));
    let p = b.bin(BinaryOp::Mul, z, w);
    let s = b.bin(BinaryOp::Add, p, z);
    let zwz = b.ret(s);
    // -(z*z) - (1.5-2j)*w, and z*z*z*z*z (products of products)
    let mut b = B::default();
    let (z, w) = (b.input(c), b.input(c));
    let zz = b.bin(BinaryOp::Mul, z, z);
    let n = b.un(UnaryOp::Neg, zz);
    let k = b.konst(Scalar::C128(crate::types::Complex64::new(1.5, -2.0)));
    let kw = b.bin(BinaryOp::Mul, k, w);
    let r = b.bin(BinaryOp::Sub, n, kw);
    let mixed = b.ret(r);
    let mut b = B::default();
    let z = b.input(c);
    let mut p = z;
    for _ in 0..4 {
        p = b.bin(BinaryOp::Mul, p, z);
    }
    let power = b.ret(p);
    for p in [zwz, mixed, power] {
        assert_eq!(takes(&p, &contiguous(&p)), wide_host(), "{p}");
        let mut bcast = contiguous(&p);
        bcast.inputs[0] = Access::Broadcast;
        assert_eq!(takes(&p, &bcast), wide_host(), "{p}");
        check(&p);
    }
    // Division, `abs` (a float64 result) and `==` are Cranelift's.
    let mut b = B::default();
    let (z, w) = (b.input(c), b.input(c));
    let q = b.bin(BinaryOp::Div, z, w);
    let div = b.ret(q);
    let mut b = B::default();
    let z = b.input(c);
    let m = b.un(UnaryOp::Abs, z);
    let abs = b.ret(m);
    let mut b = B::default();
    let (z, w) = (b.input(c), b.input(c));
    let e = b.bin(BinaryOp::Eq, z, w);
    let eq = b.ret(e);
    for p in [div, abs, eq] {
        assert!(!takes(&p, &contiguous(&p)), "{p}");
    }
}

/// The first output's stores start at its next vector boundary (64 bytes; 32 with AVX2,
/// which runs programs with a `bool` output unpeeled), the elements before it run as one
/// masked vector: every offset of the output within a cache line, with lengths around the
/// vector widths, gives the interpreter's bits, and writes nothing outside the output (a
/// `bool` second output moves on by the elements done; its tail stores only its bytes).
#[test]
fn every_output_offset_gives_the_same_bits() {
    use crate::codegen::tests::check_output_offsets;
    let float_then_bool = |dt: DType| {
        let mut b = B::default();
        let (x, y) = (b.input(dt), b.input(dt));
        let p = b.bin(BinaryOp::Mul, x, y);
        let c = b.bin(BinaryOp::Gt, x, y);
        b.ret_all(&[p, c])
    };
    let mut b = B::default();
    let (z, w) = (b.input(DType::C128), b.input(DType::C128));
    let p = b.bin(BinaryOp::Mul, z, w);
    let s = b.bin(BinaryOp::Add, p, z);
    let complex = b.ret(s);
    let lens = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 40, 71, 130];
    for prog in [
        polynomial(),
        float32(),
        float_then_bool(DType::F64),
        float_then_bool(DType::F32),
        complex,
    ] {
        let size = prog.insts[prog.outputs[0] as usize].dtype.size();
        let offsets: Vec<usize> = (0..64).step_by(size.min(8)).collect();
        check_output_offsets(&prog, &lens, &offsets);
    }
}

/// Programs that call vector math functions between other operations: constants, a value
/// made before a call and read after it, masks live across calls, two and four calls, every
/// function with a one-vector entry.
fn with_calls() -> Vec<Program> {
    use BinaryOp::*;
    let mut programs = Vec::new();
    // tanh(a) + sqrt(b)
    let mut b = B::default();
    let (x, y) = (b.input(DType::F64), b.input(DType::F64));
    let t = b.un(UnaryOp::Tanh, x);
    let r = b.un(UnaryOp::Sqrt, y);
    let s = b.bin(Add, t, r);
    programs.push(b.ret(s));
    // 2*a + 3*sin(b)**2
    let mut b = B::default();
    let (x, y) = (b.input(DType::F64), b.input(DType::F64));
    let two = b.konst(Scalar::F64(2.0));
    let d = b.bin(Mul, two, x);
    let s = b.un(UnaryOp::Sin, y);
    let s2 = b.bin(Mul, s, s);
    let three = b.konst(Scalar::F64(3.0));
    let t = b.bin(Mul, three, s2);
    let r = b.bin(Add, d, t);
    programs.push(b.ret(r));
    // where(a > b, tanh(a), log(b)) - a*0.5, and a > b as a second output
    let mut b = B::default();
    let (x, y) = (b.input(DType::F64), b.input(DType::F64));
    let c = b.bin(Gt, x, y);
    let e = b.un(UnaryOp::Tanh, x);
    let l = b.un(UnaryOp::Log, y);
    let w = b.select(c, e, l);
    let h = b.konst(Scalar::F64(0.5));
    let m = b.bin(Mul, x, h);
    let r = b.bin(Sub, w, m);
    programs.push(b.ret_all(&[r, c]));
    // -cos(a) * sin(b) / a
    let mut b = B::default();
    let (x, y) = (b.input(DType::F64), b.input(DType::F64));
    let c = b.un(UnaryOp::Cos, x);
    let n = b.un(UnaryOp::Neg, c);
    let e = b.un(UnaryOp::Sin, y);
    let p = b.bin(Mul, n, e);
    let r = b.bin(Div, p, x);
    programs.push(b.ret(r));
    // arcsin(a*0.5) + arccos(b*0.25) - tan(a) * log(b)
    let mut b = B::default();
    let (x, y) = (b.input(DType::F64), b.input(DType::F64));
    let h = b.konst(Scalar::F64(0.5));
    let q = b.konst(Scalar::F64(0.25));
    let xh = b.bin(Mul, x, h);
    let yq = b.bin(Mul, y, q);
    let s = b.un(UnaryOp::Arcsin, xh);
    let c = b.un(UnaryOp::Arccos, yq);
    let t = b.un(UnaryOp::Tan, x);
    let e = b.un(UnaryOp::Log, y);
    let sc = b.bin(Add, s, c);
    let te = b.bin(Mul, t, e);
    let r = b.bin(Sub, sc, te);
    programs.push(b.ret(r));
    // log2(a) * b + log10(b)
    let mut b = B::default();
    let (x, y) = (b.input(DType::F64), b.input(DType::F64));
    let l = b.un(UnaryOp::Log2, x);
    let p = b.bin(Mul, l, y);
    let t = b.un(UnaryOp::Log10, y);
    let r = b.bin(Add, p, t);
    programs.push(b.ret(r));
    // sin(a) - log10(b) * a + log2(b*b)
    let mut b = B::default();
    let (x, y) = (b.input(DType::F64), b.input(DType::F64));
    let s = b.un(UnaryOp::Sin, x);
    let l = b.un(UnaryOp::Log10, y);
    let p = b.bin(Mul, l, x);
    let d = b.bin(Sub, s, p);
    let yy = b.bin(Mul, y, y);
    let t = b.un(UnaryOp::Log2, yy);
    let r = b.bin(Add, d, t);
    programs.push(b.ret(r));
    programs
}

/// A loop that calls vector math functions gives the bits of the phases that run the same
/// kernels block by block (the interpreter is no oracle here: composed with other
/// operations, a kernel's few ULPs can grow), at lengths that walk the masked first vector,
/// the loop and the masked tail, every output offset in a cache line, with inputs outside
/// the kernels' fast domains (recomputed by libm inside the call), broadcast or not.
#[test]
fn calls_in_the_loop_give_the_bits_of_the_phases() {
    use crate::codegen::{compile as compile_kernel, Codegen, CodegenOptions};
    let avx512 = Isa::host() == Some(Isa::Avx512)
        && crate::math::vector::one_vector_f64(UnaryOp::Log).is_some();
    let special = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        1e300,
        -1e300,
        800.0,
        -800.0,
        5e-324,
        1e7,
        3.0,
        -2.5,
    ];
    let value = |k: usize, i: usize| {
        if (i + k) % 5 == 3 {
            special[(i / 5 + 4 * k) % special.len()]
        } else {
            ((i * 7919 + k * 104_729) % 1000) as f64 / 250.0 - 1.5
        }
    };
    for p in with_calls() {
        let outs = p.outputs.len();
        for broadcast in [false, true] {
            let mut layout = contiguous(&p);
            if broadcast {
                layout.inputs[1] = Access::Broadcast;
            }
            assert_eq!(takes(&p, &layout), avx512, "{p}");
            let kernel = |codegen| {
                let opts = CodegenOptions {
                    codegen,
                    math: MathImpl::Vector,
                    ..Default::default()
                };
                compile_kernel(&p, &layout, &opts).expect("compiles")
            };
            let (wide, phased) = (kernel(Codegen::Wide), kernel(Codegen::Cranelift));
            let lens = (0..=20).chain([31, 32, 33, 63, 64, 65, 127, 129, 1000]);
            for n in lens {
                let a: Vec<f64> = (0..n).map(|i| value(0, i)).collect();
                let b: Vec<f64> = (0..n.max(1)).map(|i| value(1, i)).collect();
                let ins = [a.as_ptr() as *const u8, b.as_ptr() as *const u8];
                let strides = [8isize, if broadcast { 0 } else { 8 }];
                for first in (0..64).step_by(8) {
                    let mut results = Vec::new();
                    for k in [&wide, &phased] {
                        // Room for every offset, 64-byte aligned (a `bool` second output
                        // takes bytes).
                        let mut f = vec![0.0f64; n + 16];
                        let mut m = vec![0u8; n + 64];
                        let skip = (f.as_ptr() as usize).wrapping_neg() % 64 / 8 + first / 8;
                        let mut out_ptrs = vec![f[skip..].as_mut_ptr() as *mut u8];
                        if outs == 2 {
                            out_ptrs.push(m.as_mut_ptr());
                        }
                        let out_strides = [8isize, 1];
                        // SAFETY: each input covers n elements (b one when broadcast), each
                        // output n elements at its stride.
                        unsafe {
                            (k.func())(
                                n,
                                ins.as_ptr(),
                                strides.as_ptr(),
                                out_ptrs.as_ptr(),
                                out_strides.as_ptr(),
                            )
                        };
                        let bits: Vec<u64> =
                            f[skip..skip + n].iter().map(|v| v.to_bits()).collect();
                        results.push((bits, m[..n].to_vec()));
                    }
                    assert_eq!(
                        results[0], results[1],
                        "n={n} at={first} broadcast={broadcast}\n{p}"
                    );
                }
            }
        }
    }
}
