//! Scalar math functions with a C ABI, called by the JIT kernels once per element.
//!
//! Every function here is a thin wrapper over Rust's `std` (which forwards to the
//! platform libm) or a small exact algorithm written in Rust. Their accuracy is that of
//! the platform libm (typically < 1 ULP for the common functions); because the reference
//! interpreter calls these very functions, kernels and interpreter agree bit for bit
//! (0 ULP).
//!
//! [`table`] maps IR operations to these functions, for the code generator (which imports
//! them by name) and for the interpreter (which calls them directly).
//!
//! [`vector`] holds the block-at-a-time kernels that replace the common transcendentals
//! under the default [`vector::MathImpl::Vector`]; they fall back to these functions
//! outside their fast domains.

pub(crate) mod complex;
pub mod divmod;
pub mod float;
pub mod int;
pub(crate) mod libm;
pub(crate) mod strings;
pub mod table;
pub mod vector;

pub use table::{binary, unary, MathEntry, MathFn};
