//! The random generator and special values of the test kit (`jitex::testkit`), under the
//! path the generators import them from.

#[allow(unused_imports)] // Each test binary uses a different subset.
pub use jitex::testkit::{specials, Rng};
