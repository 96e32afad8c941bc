//! Strings as results: inputs, `copy`, literals and named outputs lower to `StrCopy`
//! outputs of the string's dtype; other string uses stay type errors.

use super::super::{lower, lower_program};
use crate::error::ErrorKind;
use crate::interp::write_str_output;
use crate::ir::{InputDecl, Op, Program, StrOperand};
use crate::syntax::{parse, parse_program};
use crate::types::DType;

fn decls() -> Vec<InputDecl> {
    crate::ir::lower::tests::decls_of(&[
        ("s", DType::Bytes(5)),
        ("u", DType::Str(3)),
        ("x", DType::F64),
    ])
}

fn lower_src(src: &str) -> crate::Result<Program> {
    lower(&parse(src).unwrap(), &decls())
}

/// The result instruction's op and dtype.
fn result(src: &str) -> (Op, DType) {
    let p = lower_src(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let inst = &p.insts[p.result() as usize];
    (inst.op.clone(), inst.dtype)
}

fn ucs4(s: &str) -> Vec<u8> {
    s.chars().flat_map(|c| (c as u32).to_ne_bytes()).collect()
}

#[test]
fn inputs_and_copies_are_copied_with_their_dtype() {
    let copy_of = |k| Op::StrCopy(StrOperand::Input(k));
    assert_eq!(result("s"), (copy_of(0), DType::Bytes(5)));
    assert_eq!(result("copy(u)"), (copy_of(0), DType::Str(3)));
    assert_eq!(result("copy(copy(s))"), (copy_of(0), DType::Bytes(5)));
    // A string input has no `Input` instruction: the copy is the whole program.
    let p = lower_src("s").unwrap();
    assert_eq!(p.insts.len(), 1);
    assert_eq!(p.to_string(), "input 0: s: S5\n%0 = copy.S5 s\nreturn %0");
}

#[test]
fn literals_are_text_or_bytes_of_their_length() {
    let lit = |b: Vec<u8>| Op::StrCopy(StrOperand::Literal(b));
    assert_eq!(result("'abc'"), (lit(ucs4("abc")), DType::Str(3)));
    assert_eq!(result("'é'"), (lit(ucs4("é")), DType::Str(1)));
    assert_eq!(
        result("b'a\\0b\\0'"),
        (lit(b"a\0b\0".to_vec()), DType::Bytes(4))
    );
    // NumPy's `np.array(b'')` is `S1`.
    assert_eq!(result("b''"), (lit(Vec::new()), DType::Bytes(1)));
    assert_eq!(result("''"), (lit(Vec::new()), DType::Str(1)));
    let p = lower_src("'ab'").unwrap();
    assert_eq!(p.to_string(), "%0 = copy.U2 \"ab\"\nreturn %0");
}

#[test]
fn programs_name_string_outputs() {
    let ast = parse_program("t = s; m = t == b'ab'; y = x + 1; t").unwrap();
    let plan = lower_program(&ast, &decls(), None, crate::types::Typing::NumPy).unwrap();
    let p = &plan.outputs;
    assert_eq!(p.insts[p.result() as usize].dtype, DType::Bytes(5));
    let plan = lower_program(
        &ast,
        &decls(),
        Some(&["m", "t", "y", "u"]),
        crate::types::Typing::NumPy,
    )
    .unwrap();
    let p = &plan.outputs;
    let dtypes: Vec<DType> = p
        .outputs
        .iter()
        .map(|&o| p.insts[o as usize].dtype)
        .collect();
    assert_eq!(
        dtypes,
        [DType::Bool, DType::Bytes(5), DType::F64, DType::Str(3)]
    );
}

#[test]
fn other_string_uses_stay_errors() {
    for src in ["s + 1", "sum(s)", "-u", "float64(s)", "where(x > 0, s, s)"] {
        let e = lower_src(src).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type, "{src}: {e}");
    }
    let e = lower_src("where(s == b'a', s, s)").unwrap_err();
    assert_eq!(e.message, "`where` is not supported for strings");
    assert!(
        e.help.as_deref().unwrap_or("").contains("np.where"),
        "{e:?}"
    );
}

#[test]
fn the_interpreter_pads_and_truncates_copies() {
    let p = lower_src("b'ab'").unwrap();
    let mut buf = vec![9u8];
    assert!(write_str_output(&p, p.result(), &[], &mut buf));
    assert_eq!(buf, [9, b'a', b'b']);
    let p = lower_src("s").unwrap();
    let mut buf = Vec::new();
    assert!(write_str_output(&p, p.result(), &[b"foo\0b"], &mut buf));
    assert_eq!(buf, b"foo\0b");
    // A missing input's element (malformed call) is NULs, never a panic.
    buf.clear();
    assert!(write_str_output(&p, p.result(), &[], &mut buf));
    assert_eq!(buf, [0; 5]);
    // Numeric outputs and ids that are no instruction write nothing.
    let p = lower_src("x + 1").unwrap();
    assert!(!write_str_output(&p, p.result(), &[], &mut buf));
    assert!(!write_str_output(&p, 99, &[], &mut buf));
    assert_eq!(buf.len(), 5);
}
