//! The faster loop shapes: division by constants, and vector loops with `bool` lane masks
//! (comparisons, `&`/`|`/`~`, `where`, `bool` outputs), checked like every other program.

use super::{check, pool, B};
use crate::ir::{BinaryOp, UnaryOp};
use crate::types::{DType, Scalar};

const INTS: [DType; 8] = [
    DType::I8,
    DType::U8,
    DType::I16,
    DType::U16,
    DType::I32,
    DType::U32,
    DType::I64,
    DType::U64,
];

/// `x // c`, `x % c`, `fmod(x, c)` and `c // x` for every special constant `c` (0 and -1
/// included, which keep the guarded path), on every integer dtype.
#[test]
fn division_by_every_constant() {
    for dt in INTS {
        for c in pool(dt) {
            for op in [BinaryOp::FloorDiv, BinaryOp::Mod, BinaryOp::Fmod] {
                let mut b = B::default();
                let x = b.input(dt);
                let k = b.konst(c);
                let r = b.bin(op, x, k);
                check(&b.ret(r));
            }
        }
    }
}

/// A constant divisor inside a vector program (the lane-by-lane fallback) next to
/// native vector ops: `x*3 + y % 7` and `x + y // -5`.
#[test]
fn constant_division_in_vector_programs() {
    for dt in INTS {
        for (op, c) in [(BinaryOp::Mod, 7), (BinaryOp::FloorDiv, -5)] {
            let mut b = B::default();
            let x = b.input(dt);
            let y = b.input(dt);
            let three = b.konst(Scalar::I64(3).cast(dt));
            let k = b.konst(Scalar::I64(c).cast(dt));
            let m = b.bin(BinaryOp::Mul, x, three);
            let d = b.bin(op, y, k);
            let r = b.bin(BinaryOp::Add, m, d);
            check(&b.ret(r));
        }
    }
}

const CMPS: [BinaryOp; 6] = [
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Ge,
    BinaryOp::Gt,
];

const MASK_DTYPES: [DType; 6] = [
    DType::F64,
    DType::F32,
    DType::I64,
    DType::I32,
    DType::U64,
    DType::U32,
];

/// Every comparison with a `bool` output, and `where(x cmp y, x, y)`.
#[test]
fn comparisons_and_where() {
    for dt in MASK_DTYPES {
        for op in CMPS {
            let mut b = B::default();
            let x = b.input(dt);
            let y = b.input(dt);
            let c = b.bin(op, x, y);
            check(&b.ret(c));

            let mut b = B::default();
            let x = b.input(dt);
            let y = b.input(dt);
            let c = b.bin(op, x, y);
            let r = b.select(c, x, y);
            check(&b.ret(r));
        }
    }
}

/// `(x > c1) & (y < c2)`, `|`, `^`, `~`, bool `==`, and a mask cast back to numbers.
#[test]
fn mask_logic() {
    for dt in MASK_DTYPES {
        let logic = [
            BinaryOp::And,
            BinaryOp::Or,
            BinaryOp::Xor,
            BinaryOp::Eq,
            BinaryOp::Ne,
            BinaryOp::Add,
            BinaryOp::Mul,
        ];
        for op in logic {
            let mut b = B::default();
            let x = b.input(dt);
            let y = b.input(dt);
            let half = b.konst(Scalar::F64(0.5).cast(dt));
            let p = b.bin(BinaryOp::Gt, x, half);
            let q = b.bin(BinaryOp::Lt, y, half);
            let r = b.bin(op, p, q);
            let r = b.un(UnaryOp::Not, r);
            check(&b.ret(r));
        }
        // where(~(x >= y) | (x == 3), x * y, -x), and the mask as a number: (x != y) + x.
        let mut b = B::default();
        let x = b.input(dt);
        let y = b.input(dt);
        let three = b.konst(Scalar::I64(3).cast(dt));
        let ge = b.bin(BinaryOp::Ge, x, y);
        let nge = b.un(UnaryOp::Not, ge);
        let eq = b.bin(BinaryOp::Eq, x, three);
        let c = b.bin(BinaryOp::Or, nge, eq);
        let xy = b.bin(BinaryOp::Mul, x, y);
        let nx = b.bin(BinaryOp::Sub, three, x);
        let r = b.select(c, xy, nx);
        check(&b.ret(r));

        let mut b = B::default();
        let x = b.input(dt);
        let y = b.input(dt);
        let ne = b.bin(BinaryOp::Ne, x, y);
        let n = b.cast(ne, dt);
        let r = b.bin(BinaryOp::Add, n, x);
        check(&b.ret(r));

        // A number cast to bool, and a bool constant.
        let mut b = B::default();
        let x = b.input(dt);
        let t = b.konst(Scalar::Bool(true));
        let nz = b.cast(x, DType::Bool);
        let r = b.bin(BinaryOp::And, nz, t);
        check(&b.ret(r));
    }
}

/// The Cranelift IR of `program` compiled for contiguous operands.
fn clif(program: &crate::ir::Program) -> String {
    clif_for(program, crate::codegen::Access::Contiguous)
}

/// The Cranelift IR of `program` with every input `access`, into a contiguous output.
fn clif_for(program: &crate::ir::Program, access: crate::codegen::Access) -> String {
    use crate::codegen::{compile, Access, CodegenOptions, Layout};
    let layout = Layout {
        inputs: vec![access; program.inputs.len()],
        outputs: vec![Access::Contiguous],
    };
    let opts = CodegenOptions {
        keep_clif: true,
        ..Default::default()
    };
    let k = compile(program, &layout, &opts).expect("compiles");
    k.clif().expect("kept").to_string()
}

/// The mask programs really take the vector loop (the checks above pass either way).
#[test]
fn mask_programs_are_vectorised() {
    for (dt, vec) in [
        (DType::F64, "f64x2"),
        (DType::F32, "f32x4"),
        (DType::I64, "i64x2"),
        (DType::I32, "i32x4"),
    ] {
        let mut b = B::default();
        let x = b.input(dt);
        let y = b.input(dt);
        let c = b.bin(BinaryOp::Gt, x, y);
        let r = b.select(c, x, y);
        let text = clif(&b.ret(r));
        assert!(text.contains(&format!("load.{vec}")), "{dt}: {text}");
        assert!(text.contains("bitselect"), "{dt}: {text}");

        let mut b = B::default();
        let x = b.input(dt);
        let y = b.input(dt);
        let half = b.konst(Scalar::F64(0.5).cast(dt));
        let p = b.bin(BinaryOp::Gt, x, half);
        let q = b.bin(BinaryOp::Lt, y, half);
        let r = b.bin(BinaryOp::And, p, q);
        let text = clif(&b.ret(r));
        assert!(text.contains("vhigh_bits"), "{dt}: {text}");
    }
}

/// A constant divisor needs no divide instruction (`codegen::divconst`): `x // 7`, `x % 7`
/// and `fmod(x, -7)` (`fmod(x, 7)` unsigned) are multiplies and shifts on every integer
/// dtype.
#[test]
fn constant_divisor_has_no_divide() {
    for dt in INTS {
        for (op, c) in [
            (BinaryOp::FloorDiv, 7),
            (BinaryOp::Mod, 7),
            (BinaryOp::Fmod, if dt.is_signed_int() { -7 } else { 7 }),
        ] {
            let mut b = B::default();
            let x = b.input(dt);
            let k = b.konst(Scalar::I64(c).cast(dt));
            let r = b.bin(op, x, k);
            let text = clif(&b.ret(r));
            for div in ["sdiv", "srem", "udiv", "urem"] {
                assert!(!text.contains(div), "{dt} {op:?}: {text}");
            }
            assert!(text.contains("umulhi"), "{dt} {op:?}: {text}");
        }
    }
}

/// Strided inputs of 4- and 8-byte dtypes are gathered into vectors (when the program
/// does at least one native vector op per gathered input).
#[test]
fn strided_inputs_are_gathered() {
    for (dt, vec) in [(DType::F64, "f64x2"), (DType::I32, "i32x4")] {
        let mut b = B::default();
        let x = b.input(dt);
        let y = b.input(dt);
        let s = b.bin(BinaryOp::Add, x, y);
        let r = b.bin(BinaryOp::Mul, s, x);
        let text = clif_for(&b.ret(r), crate::codegen::Access::Strided);
        assert!(text.contains(&format!("splat.{vec}")), "{dt}: {text}");
        assert!(text.contains("insertlane"), "{dt}: {text}");
    }
}
