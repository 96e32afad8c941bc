//! `bool` vector loops: programs of `bool` values only (16 bytes per `i8x16` vector), and
//! `bool` arrays widened to lane masks next to 4- and 8-byte numbers. Every length up to
//! 40 and around the unrolled groups (16 and 32 elements for mask plans, 128 for `bool`
//! ones), under every layout (strided, reversed, zero-stride and broadcast inputs).

use super::{check_lens, B};
use crate::codegen::{compile, Access, CodegenOptions, Layout};
use crate::ir::{BinaryOp, Program, UnaryOp};
use crate::types::{DType, Scalar};

/// 0..=40, then both sides of one and two unrolled groups of every plan.
fn lens() -> Vec<usize> {
    let mut v: Vec<usize> = (0..=40).collect();
    v.extend([63, 64, 65, 127, 128, 129, 143, 144, 255, 256, 257, 1000]);
    v
}

const LOGIC: [BinaryOp; 12] = [
    BinaryOp::And,
    BinaryOp::Or,
    BinaryOp::Xor,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Ge,
    BinaryOp::Gt,
];

/// Every binary op on two `bool` arrays, `~m`, `~m | n`, and `where(m, n, ~n)`.
#[test]
fn bool_programs() {
    let lens = lens();
    for op in LOGIC {
        let mut b = B::default();
        let m = b.input(DType::Bool);
        let n = b.input(DType::Bool);
        let r = b.bin(op, m, n);
        check_lens(&b.ret(r), &lens);
    }
    let mut b = B::default();
    let m = b.input(DType::Bool);
    let r = b.un(UnaryOp::Not, m);
    check_lens(&b.ret(r), &lens);

    let mut b = B::default();
    let m = b.input(DType::Bool);
    let n = b.input(DType::Bool);
    let nm = b.un(UnaryOp::Not, m);
    let r = b.bin(BinaryOp::Or, nm, n);
    check_lens(&b.ret(r), &lens);

    let mut b = B::default();
    let m = b.input(DType::Bool);
    let n = b.input(DType::Bool);
    let nn = b.un(UnaryOp::Not, n);
    let r = b.select(m, n, nn);
    check_lens(&b.ret(r), &lens);

    // A bool constant in the mix: (m ^ true) == n.
    let mut b = B::default();
    let m = b.input(DType::Bool);
    let n = b.input(DType::Bool);
    let t = b.konst(Scalar::Bool(true));
    let x = b.bin(BinaryOp::Xor, m, t);
    let r = b.bin(BinaryOp::Eq, x, n);
    check_lens(&b.ret(r), &lens);
}

const MASK_DTYPES: [DType; 6] = [
    DType::F64,
    DType::F32,
    DType::I64,
    DType::I32,
    DType::U64,
    DType::U32,
];

/// `bool` arrays next to numbers: `where(m, x, y)`, `m & (x > y)`, `~m | (x < y)` into
/// `bool`, and `m + x` (the mask as a number).
#[test]
fn bool_arrays_in_mask_plans() {
    let lens = lens();
    for dt in MASK_DTYPES {
        let mut b = B::default();
        let m = b.input(DType::Bool);
        let x = b.input(dt);
        let y = b.input(dt);
        let r = b.select(m, x, y);
        check_lens(&b.ret(r), &lens);

        let mut b = B::default();
        let m = b.input(DType::Bool);
        let x = b.input(dt);
        let y = b.input(dt);
        let c = b.bin(BinaryOp::Gt, x, y);
        let r = b.bin(BinaryOp::And, m, c);
        check_lens(&b.ret(r), &lens);

        let mut b = B::default();
        let x = b.input(dt);
        let m = b.input(DType::Bool);
        let y = b.input(dt);
        let nm = b.un(UnaryOp::Not, m);
        let c = b.bin(BinaryOp::Lt, x, y);
        let r = b.bin(BinaryOp::Or, nm, c);
        check_lens(&b.ret(r), &lens);

        let mut b = B::default();
        let m = b.input(DType::Bool);
        let x = b.input(dt);
        let n = b.cast(m, dt);
        let r = b.bin(BinaryOp::Add, n, x);
        check_lens(&b.ret(r), &lens);

        // Two outputs: the number and the mask, the mask also read as an input.
        let mut b = B::default();
        let m = b.input(DType::Bool);
        let x = b.input(dt);
        let y = b.input(dt);
        let r = b.select(m, x, y);
        let c = b.bin(BinaryOp::Ge, x, y);
        let k = b.bin(BinaryOp::Xor, c, m);
        check_lens(&b.ret_all(&[r, k]), &lens);
    }
}

/// The Cranelift IR of `program` with contiguous operands.
fn clif(program: &Program) -> String {
    let layout = Layout {
        inputs: vec![Access::Contiguous; program.inputs.len()],
        outputs: vec![Access::Contiguous; program.outputs.len()],
    };
    let opts = CodegenOptions {
        keep_clif: true,
        ..Default::default()
    };
    let k = compile(program, &layout, &opts).expect("compiles");
    k.clif().expect("kept").to_string()
}

/// `bool` programs run 16 bytes per vector op with no lane-by-lane work, and `bool`
/// arrays reach mask plans through vector loads and byte shuffles.
#[test]
fn bool_lanes_are_vectorised() {
    let mut b = B::default();
    let m = b.input(DType::Bool);
    let n = b.input(DType::Bool);
    let nm = b.un(UnaryOp::Not, m);
    let r = b.bin(BinaryOp::Or, nm, n);
    let text = clif(&b.ret(r));
    assert!(text.contains("load.i8x16"), "{text}");
    assert!(!text.contains("extractlane"), "{text}");

    for (dt, vec) in [(DType::F64, "f64x2"), (DType::F32, "f32x4")] {
        let mut b = B::default();
        let m = b.input(DType::Bool);
        let x = b.input(dt);
        let y = b.input(dt);
        let r = b.select(m, x, y);
        let text = clif(&b.ret(r));
        assert!(text.contains(&format!("load.{vec}")), "{dt}: {text}");
        assert!(text.contains("load.i8x16"), "{dt}: {text}");
        assert!(text.contains("shuffle"), "{dt}: {text}");
        assert!(text.contains("bitselect"), "{dt}: {text}");
    }
}
