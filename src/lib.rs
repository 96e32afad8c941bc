//! # jitex
//!
//! A Numexpr-style array-expression JIT compiler. Text flows one way through the crate:
//!
//! ```text
//! text ─ syntax::parse ─▶ AST ─ ir::lower ─▶ typed IR ─ ir::optimize ─▶ IR
//!      ─ codegen::compile ─▶ native kernel ─ runtime ─▶ result array
//! ```
//!
//! The reference evaluator [`interp`] runs the same typed IR element by element and is the
//! oracle for differential tests.

pub mod codegen;
pub mod error;
mod expr;
pub mod interp;
pub mod ir;
pub mod math;
pub mod npy;
pub mod runtime;
pub mod syntax;
#[doc(hidden)]
pub mod testkit;
pub mod types;

pub use codegen::Codegen;
pub use error::{Error, ErrorKind, Result, Span};
pub use expr::{evaluate, Explanation, Expr};
pub use math::vector::MathImpl;
pub use runtime::{
    num_threads, set_num_threads, Arg, Array, ArrayView, ArrayViewMut, Backend, Element,
    EvalOptions, Stores,
};
pub use types::{DType, Scalar, Typing};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[doc(hidden)]
pub struct ReadmeDoctests;
