//! Picks the kernel for a (reduction, dtype) pair: the accumulator type, the element load
//! (with NumPy's widening), the combining operation, its order, and the final conversion.

use super::drive::{drive, Tuning};
use super::floatsum::FloatSum;
use super::fused::{drive_flat, Flat};
use super::kernel::{Order, K};
use super::layout::Sweep;
use super::minmax::FloatMinMax;
use crate::ir::ReduceOp;
use crate::math::complex::c128;
use crate::types::{Complex32, Complex64, DType};

/// Reads a `T` at `p`.
///
/// # Safety
/// `p` addresses a valid `T`.
#[inline(always)]
unsafe fn rd<T: Copy>(p: *const u8) -> T {
    // SAFETY: the caller's contract.
    unsafe { (p as *const T).read_unaligned() }
}

/// NaN test for any real element type (`x != x` only for NaN).
#[inline(always)]
#[allow(clippy::eq_op)]
fn is_nan<T: PartialOrd>(x: T) -> bool {
    x != x
}

/// `min`: the first NaN if any, else the first of the smallest elements.
#[inline(always)]
fn min_nan<T: PartialOrd + Copy>(a: T, b: T) -> T {
    if is_nan(a) || !(is_nan(b) || b < a) {
        a
    } else {
        b
    }
}

/// `max`: the first NaN if any, else the first of the largest elements.
#[inline(always)]
fn max_nan<T: PartialOrd + Copy>(a: T, b: T) -> T {
    if is_nan(a) || !(is_nan(b) || b > a) {
        a
    } else {
        b
    }
}

/// Where the reduced elements come from.
pub(super) enum Input<'a> {
    /// A view's elements in memory, as the sweep walks them.
    Sweep(&'a Sweep),
    /// Elements computed a block at a time (`fused.rs`).
    Flat(Flat<'a>),
}

/// Everything [`drive`] (or [`drive_flat`]) needs besides the kernel and the finishing
/// step.
pub(super) struct Ctx<'a> {
    /// The reduced elements.
    pub input: Input<'a>,
    /// Bytes per source element.
    pub elem_size: usize,
    /// Thread count.
    pub threads: usize,
    /// Parallel thresholds.
    pub tuning: Tuning,
    /// The count divided by in `mean`.
    pub count: usize,
}

/// Runs `op` over `ctx.input`'s elements of `dtype` into `dst` (room for one element of the
/// result dtype per output, in C order; the reduced length is nonzero). `op` and `dtype`
/// were checked with [`ReduceOp::result_dtype`]; bool `min`/`max` arrive as `all`/`any`.
/// `dst` must be valid for those writes (every caller passes a result buffer it owns).
pub(super) fn run(op: ReduceOp, dtype: DType, ctx: &Ctx, dst: *mut u8) {
    // Runs `drive` (or `drive_flat`) with a kernel for elements of type `$e` built from
    // `load`, `combine`, `order`, and `finish`.
    macro_rules! go {
        ($e:ty; $load:expr, $combine:expr, $order:expr, $finish:expr) => {{
            let (load, combine) = ($load, $combine);
            // SAFETY: `load` reads one element of `dtype`, which the view (or the flat
            // input's blocks) holds.
            let k = unsafe { K::<_, $e, _, _>::new(load, combine, $order) };
            go_k!(k, $finish)
        }};
    }
    // Runs `drive` (or `drive_flat`) with the kernel `$k`.
    macro_rules! go_k {
        ($k:expr, $finish:expr) => {{
            let (k, finish) = ($k, $finish);
            // SAFETY: the kernel reads elements of `dtype`, which the view (or the flat
            // input's blocks) holds; the drivers write one result element of `finish`'s
            // type (the result dtype) per output into `dst`, which has room for exactly
            // those.
            unsafe {
                match &ctx.input {
                    Input::Sweep(sweep) => drive(
                        &k,
                        sweep,
                        ctx.elem_size,
                        ctx.threads,
                        ctx.tuning,
                        dst as *mut _,
                        finish,
                    ),
                    Input::Flat(flat) => drive_flat(
                        &k,
                        flat,
                        ctx.elem_size,
                        ctx.threads,
                        ctx.tuning,
                        dst as *mut _,
                        finish,
                    ),
                }
            }
        }};
    }
    // Element type by dtype: `$m!(T, Wide)` for the real numeric dtypes.
    macro_rules! real {
        ($m:ident) => {
            match dtype {
                DType::Bool => $m!(bool, i64),
                DType::I8 => $m!(i8, i64),
                DType::I16 => $m!(i16, i64),
                DType::I32 => $m!(i32, i64),
                DType::I64 => $m!(i64, i64),
                DType::U8 => $m!(u8, u64),
                DType::U16 => $m!(u16, u64),
                DType::U32 => $m!(u32, u64),
                DType::U64 => $m!(u64, u64),
                DType::F32 => $m!(f32, f32),
                DType::F64 => $m!(f64, f64),
                _ => unreachable!("{dtype} is not a real dtype"),
            }
        };
    }
    // A bool is read as its byte, so that only 0 counts as false.
    macro_rules! load_as {
        (bool, $w:ty) => {
            // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
            |p: *const u8| u8::from(unsafe { rd::<u8>(p) } != 0) as $w
        };
        ($t:ty, $w:ty) => {
            // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
            |p: *const u8| unsafe { rd::<$t>(p) } as $w
        };
    }
    // `any`/`all` over a nonzero test.
    macro_rules! any_all {
        ($e:ty; $nz:expr) => {
            if op == ReduceOp::Any {
                go!($e; $nz,
                    |a: bool, b: bool| a | b,
                    Order::Fold { split: true },
                    |s: bool| s
                )
            } else {
                go!($e; $nz,
                    |a: bool, b: bool| a & b,
                    Order::Fold { split: true },
                    |s: bool| s
                )
            }
        };
    }
    let count = ctx.count as f64;
    match (op, dtype) {
        (ReduceOp::Sum | ReduceOp::Mean, DType::C64) => {
            // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
            go!(Complex32; |p| unsafe { rd::<Complex32>(p) },
                |a: Complex32, b: Complex32| Complex32::new(a.re + b.re, a.im + b.im),
                Order::Pairwise,
                |s: Complex32| finish_c64(op, s, count)
            )
        }
        (ReduceOp::Sum | ReduceOp::Mean, DType::C128) => {
            // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
            go!(Complex64; |p| unsafe { rd::<Complex64>(p) },
                |a: Complex64, b: Complex64| Complex64::new(a.re + b.re, a.im + b.im),
                Order::Pairwise,
                |s: Complex64| finish_c128(op, s, count)
            )
        }
        // The accumulator carries whether it is still the bare first element, which NumPy
        // multiplies by the identity `1+0j` first (that turns infinite parts into NaN).
        (ReduceOp::Prod, DType::C64) => go!((Complex32, bool);
            // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
            |p| (unsafe { rd::<Complex32>(p) }, true),
            |a: (Complex32, bool), b: (Complex32, bool)| {
                let a = if a.1 { times_one_c64(a.0) } else { a.0 };
                let b = b.0;
                (Complex32::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re), false)
            },
            Order::Fold { split: false },
            |z: (Complex32, bool)| if z.1 { times_one_c64(z.0) } else { z.0 }
        ),
        (ReduceOp::Prod, DType::C128) => go!((Complex64, bool);
            // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
            |p| (unsafe { rd::<Complex64>(p) }, true),
            |a: (Complex64, bool), b: (Complex64, bool)| {
                let a = if a.1 { times_one_c128(a.0) } else { a.0 };
                let b = b.0;
                (Complex64::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re), false)
            },
            Order::Fold { split: false },
            |z: (Complex64, bool)| if z.1 { times_one_c128(z.0) } else { z.0 }
        ),
        (ReduceOp::Any | ReduceOp::All, DType::C64) => {
            any_all!(Complex32; |p| {
                // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
                let z = unsafe { rd::<Complex32>(p) };
                z.re != 0.0 || z.im != 0.0
            })
        }
        (ReduceOp::Any | ReduceOp::All, DType::C128) => {
            any_all!(Complex64; |p| {
                // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
                let z = unsafe { rd::<Complex64>(p) };
                z.re != 0.0 || z.im != 0.0
            })
        }
        (ReduceOp::Sum, _) => {
            macro_rules! sum {
                (f32, $w:ty) => {
                    go_k!(FloatSum::<f32>::new(), |s: f32| s + 0.0)
                };
                (f64, $w:ty) => {
                    go_k!(FloatSum::<f64>::new(), |s: f64| s + 0.0)
                };
                ($t:tt, $w:ty) => {
                    go!($t; load_as!($t, $w),
                        |a: $w, b| a.wrapping_add(b),
                        Order::Pairwise,
                        |s: $w| s
                    )
                };
            }
            real!(sum)
        }
        (ReduceOp::Prod, _) => {
            macro_rules! prod {
                (f32, $w:ty) => {
                    go!(f32; load_as!(f32, f32),
                        |a: f32, b| a * b,
                        Order::Fold { split: false },
                        |s: f32| s
                    )
                };
                (f64, $w:ty) => {
                    go!(f64; load_as!(f64, f64),
                        |a: f64, b| a * b,
                        Order::Fold { split: false },
                        |s: f64| s
                    )
                };
                ($t:tt, $w:ty) => {
                    go!($t; load_as!($t, $w),
                        |a: $w, b| a.wrapping_mul(b),
                        Order::Fold { split: true },
                        |s: $w| s
                    )
                };
            }
            real!(prod)
        }
        (ReduceOp::Mean, _) => {
            macro_rules! mean {
                (f32, $w:ty) => {
                    go_k!(FloatSum::<f32>::new(), |s: f32| ((s + 0.0) as f64 / count) as f32)
                };
                (f64, $w:ty) => {
                    go_k!(FloatSum::<f64>::new(), |s: f64| (s + 0.0) / count)
                };
                ($t:tt, $w:ty) => {
                    go!($t; load_as!($t, f64),
                        |a: f64, b| a + b,
                        Order::Pairwise,
                        |s: f64| (s + 0.0) / count
                    )
                };
            }
            real!(mean)
        }
        (ReduceOp::Min | ReduceOp::Max, _) => {
            let is_min = op == ReduceOp::Min;
            macro_rules! minmax {
                (bool, $w:ty) => {
                    unreachable!("bool min/max arrive as all/any")
                };
                (f64, $w:ty) => {
                    if is_min {
                        go_k!(FloatMinMax::<f64, true>::new(), |s: f64| s)
                    } else {
                        go_k!(FloatMinMax::<f64, false>::new(), |s: f64| s)
                    }
                };
                (f32, $w:ty) => {
                    if is_min {
                        go_k!(FloatMinMax::<f32, true>::new(), |s: f32| s)
                    } else {
                        go_k!(FloatMinMax::<f32, false>::new(), |s: f32| s)
                    }
                };
                ($t:tt, $w:ty) => {
                    if is_min {
                        go!($t; load_as!($t, $t),
                            min_nan::<$t>,
                            Order::Fold { split: true },
                            |s: $t| s
                        )
                    } else {
                        go!($t; load_as!($t, $t),
                            max_nan::<$t>,
                            Order::Fold { split: true },
                            |s: $t| s
                        )
                    }
                };
            }
            real!(minmax)
        }
        (ReduceOp::Any | ReduceOp::All, _) => {
            macro_rules! nonzero {
                (bool, $w:ty) => {
                    // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
                    any_all!(u8; |p| unsafe { rd::<u8>(p) } != 0)
                };
                (f32, $w:ty) => {
                    // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
                    any_all!(f32; |p| unsafe { rd::<f32>(p) } != 0.0)
                };
                (f64, $w:ty) => {
                    // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
                    any_all!(f64; |p| unsafe { rd::<f64>(p) } != 0.0)
                };
                ($t:tt, $w:ty) => {
                    // SAFETY: `drive` passes `load` only pointers to elements of `dtype` in the view.
                    any_all!($t; |p| unsafe { rd::<$t>(p) } != 0)
                };
            }
            real!(nonzero)
        }
    }
}

/// A `complex64` sum's or mean's result: the sum starts at +0 (so that only-`-0` parts sum
/// to `+0`, as NumPy's), and a mean divides as NumPy's `mean` does, by the count as an
/// `intp`: that promotes to a `complex128` division by `count + 0j` (Smith's algorithm, so
/// an infinite part makes the other part NaN), rounded back to `complex64`.
fn finish_c64(op: ReduceOp, s: Complex32, count: f64) -> Complex32 {
    let s = Complex32::new(s.re + 0.0, s.im + 0.0);
    if op == ReduceOp::Mean {
        let m = c128::div(
            Complex64::new(s.re as f64, s.im as f64),
            Complex64::new(count, 0.0),
        );
        Complex32::new(m.re as f32, m.im as f32)
    } else {
        s
    }
}

/// As [`finish_c64`] for `complex128`.
fn finish_c128(op: ReduceOp, s: Complex64, count: f64) -> Complex64 {
    let s = Complex64::new(s.re + 0.0, s.im + 0.0);
    if op == ReduceOp::Mean {
        c128::div(s, Complex64::new(count, 0.0))
    } else {
        s
    }
}

/// `(1+0j) * z` with NumPy's plain complex product, the first step of NumPy's complex
/// `prod` (it starts from the identity): `z` itself unless a part is infinite or NaN, or a
/// zero's sign changes.
fn times_one_c64(z: Complex32) -> Complex32 {
    Complex32::new(z.re - 0.0 * z.im, z.im + 0.0 * z.re)
}

/// As [`times_one_c64`] for `complex128`.
fn times_one_c128(z: Complex64) -> Complex64 {
    Complex64::new(z.re - 0.0 * z.im, z.im + 0.0 * z.re)
}
