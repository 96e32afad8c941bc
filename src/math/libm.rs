//! Direct libm bindings for the functions Rust std computes with its own formulas.
//!
//! `f64::asinh`, `acosh` and `atanh` are not libm calls in std (they are composed from
//! `ln_1p`, `hypot`, …) and differ from libm by an ULP or so on some inputs; NumPy calls
//! libm's `asinh`/`acosh`/`atanh`, and so must the JIT's math table, so the reference
//! interpreter calls them too. libm is always linked on the platforms std supports.

unsafe extern "C" {
    /// libm `asinh`.
    pub(crate) fn asinh(x: f64) -> f64;
    /// libm `acosh`.
    pub(crate) fn acosh(x: f64) -> f64;
    /// libm `atanh`.
    pub(crate) fn atanh(x: f64) -> f64;
    /// libm `asinhf`.
    pub(crate) fn asinhf(x: f32) -> f32;
    /// libm `acoshf`.
    pub(crate) fn acoshf(x: f32) -> f32;
    /// libm `atanhf`.
    pub(crate) fn atanhf(x: f32) -> f32;
}
