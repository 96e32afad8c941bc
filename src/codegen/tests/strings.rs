//! String copies (`Op::StrCopy` outputs): malformed ones are `Internal` errors, never
//! Cranelift panics (the end-to-end tests in `tests/string_results.rs` run the good ones).

use crate::codegen::{compile, Access, CodegenOptions, Layout};
use crate::ir::{InputDecl, Inst, Op, Program, StrOperand, UnaryOp};
use crate::types::DType;

fn program(input: DType, insts: Vec<(Op, DType)>) -> Program {
    let last = insts.len() as u32 - 1;
    Program {
        inputs: vec![InputDecl {
            name: "s".into(),
            dtype: input,
        }],
        insts: insts
            .into_iter()
            .map(|(op, dtype)| Inst { op, dtype })
            .collect(),
        outputs: vec![last],
    }
}

fn compiles(p: &Program) -> crate::Result<()> {
    let layout = Layout {
        inputs: vec![Access::Strided],
        outputs: vec![Access::Strided],
    };
    compile(p, &layout, &CodegenOptions::default()).map(|_| ())
}

#[test]
fn malformed_copies_are_errors_not_panics() {
    let s3 = DType::Bytes(3);
    let input = || Op::StrCopy(StrOperand::Input(0));
    let lit = |b: &[u8]| Op::StrCopy(StrOperand::Literal(b.to_vec()));
    let bad = [
        // Not the input's dtype, or not a string dtype at all.
        program(s3, vec![(input(), DType::Bytes(4))]),
        program(s3, vec![(input(), DType::Str(3))]),
        program(s3, vec![(input(), DType::F64)]),
        program(s3, vec![(lit(b"ab"), DType::U8)]),
        // A literal longer than the dtype, or not whole code points for `U`.
        program(s3, vec![(lit(b"abcd"), s3)]),
        program(s3, vec![(lit(b"abcde"), DType::Str(2))]),
        // No such input.
        program(s3, vec![(Op::StrCopy(StrOperand::Input(1)), s3)]),
        // A string is never an operand.
        program(s3, vec![(input(), s3), (Op::Unary(UnaryOp::Abs, 0), s3)]),
        program(s3, vec![(input(), s3), (Op::Cast(0), DType::F64)]),
    ];
    for p in &bad {
        let e = compiles(p).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Internal, "{p}");
    }
    // The well-formed ones compile.
    compiles(&program(s3, vec![(input(), s3)])).unwrap();
    compiles(&program(s3, vec![(lit(b"ab"), s3)])).unwrap();
    compiles(&program(s3, vec![(lit(&[0; 8]), DType::Str(2))])).unwrap();
}
