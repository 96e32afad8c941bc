//! The property every case is checked with, under every configuration of the covering
//! design: the JIT's results equal the reference interpreter's bit for bit (NaNs
//! canonicalised, strings byte for byte), or within the vector-math bound (see
//! [`Expected`]); inputs are never modified; errors are equal on both backends.

use crate::config::{Calls, Config, Dest};
use crate::data::{Layout, Stored};
use jitex::testkit::{compare, Rng};
use jitex::{Arg, Array, ArrayViewMut, Backend, DType, EvalOptions, Expr, MathImpl};
use jitex::{Scalar, Stores, Typing};

/// Draws one element's bytes of a dtype.
pub type Draw = fn(&mut Rng, DType) -> Vec<u8>;

/// One input of a case: its name, dtype, and how its two data sets are made.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The input's name.
    pub name: &'static str,
    /// Its dtype.
    pub dtype: DType,
    /// `None` for a scalar argument, else the array's shape and layout.
    pub array: Option<(Vec<usize>, Layout)>,
    /// Element values.
    pub draw: Draw,
}

/// A second computation that must give the case's result: the same program written
/// another way.
#[derive(Clone, Debug)]
pub enum Variant {
    /// Another source text over the same inputs.
    Text(String),
    /// `reduced` alone, then `outer` with its result passed as input `r` (and the case's
    /// inputs too when `with_inputs`).
    TwoStep {
        reduced: String,
        outer: String,
        with_inputs: bool,
    },
}

/// A generated case.
#[derive(Clone, Debug)]
pub struct Case {
    /// The source text.
    pub src: String,
    /// The named outputs (`Expr::compile_outputs`), or `None` for one result.
    pub outputs: Option<Vec<&'static str>>,
    /// The inputs.
    pub inputs: Vec<Spec>,
    /// Other computations that must agree.
    pub variants: Vec<Variant>,
    /// For a string result that is a copy of an input: that input's index.
    pub copy_of: Option<usize>,
    /// The seed the data sets are drawn from.
    pub seed: u64,
}

impl Case {
    /// The input names and dtypes.
    pub fn signature(&self) -> Vec<(&'static str, DType)> {
        self.inputs.iter().map(|s| (s.name, s.dtype)).collect()
    }

    /// The expression, typed by `typing`.
    pub fn expr(&self, typing: Typing) -> jitex::Result<Expr> {
        let e = match &self.outputs {
            None => Expr::compile(&self.src)?,
            Some(o) => Expr::compile_outputs(&self.src, o)?,
        };
        Ok(e.with_typing(typing))
    }

    /// What to print with a failure.
    pub fn describe(&self) -> String {
        let inputs: Vec<String> = self
            .inputs
            .iter()
            .map(|s| match &s.array {
                None => format!("{}: {} scalar", s.name, s.dtype),
                Some((shape, layout)) => format!("{}: {} {shape:?} {layout:?}", s.name, s.dtype),
            })
            .collect();
        let outputs = match &self.outputs {
            Some(o) => format!(" outputs {o:?}"),
            None => String::new(),
        };
        format!(
            "`{}`{outputs} with [{}] (data seed {})",
            self.src,
            inputs.join(", "),
            self.seed
        )
    }
}

/// One input's data.
#[derive(Clone, Debug)]
pub enum Value {
    Scalar(Scalar),
    Array(Stored),
}

/// One data set for a case's inputs.
#[derive(Clone, Debug)]
pub struct Data(pub Vec<Value>);

impl Data {
    /// Data set `k` of `case`.
    pub fn new(case: &Case, k: u64) -> Data {
        let mut rng = Rng::new(case.seed ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        Data(
            case.inputs
                .iter()
                .map(|s| match &s.array {
                    None => Value::Scalar(Scalar::read(s.dtype, &(s.draw)(&mut rng, s.dtype))),
                    Some((shape, layout)) => {
                        let n = Stored::distinct(shape, *layout);
                        let els: Vec<Vec<u8>> =
                            (0..n).map(|_| (s.draw)(&mut rng, s.dtype)).collect();
                        Value::Array(Stored::new(s.dtype, shape, *layout, &els, &mut rng))
                    }
                })
                .collect(),
        )
    }

    /// The arguments, input `skip` left out (the caller passes it itself).
    fn args<'a>(&'a self, case: &Case, skip: Option<usize>) -> Vec<(&'static str, Arg<'a>)> {
        case.inputs
            .iter()
            .zip(&self.0)
            .enumerate()
            .filter(|(i, _)| Some(*i) != skip)
            .map(|(_, (s, v))| {
                let arg = match v {
                    Value::Scalar(x) => Arg::Scalar(*x),
                    Value::Array(a) => Arg::Array(a.view()),
                };
                (s.name, arg)
            })
            .collect()
    }

    /// The raw storage of every array input.
    fn snapshot(&self) -> Vec<Option<Vec<u64>>> {
        self.0
            .iter()
            .map(|v| match v {
                Value::Array(a) => Some(a.raw().to_vec()),
                Value::Scalar(_) => None,
            })
            .collect()
    }
}

/// The result of one evaluation: every output, or the error.
type Outcome = jitex::Result<Vec<Array>>;

/// Evaluates `e` on `data` into new arrays.
fn eval_new(case: &Case, e: &Expr, data: &Data, opts: &EvalOptions) -> Outcome {
    let args = data.args(case, None);
    match case.outputs {
        None => e.eval_with(&args, opts).map(|a| vec![a]),
        Some(_) => e.eval_all_with(&args, opts),
    }
}

/// The reference: the interpreter on one thread.
pub fn reference(case: &Case, typing: Typing, data: &Data) -> Outcome {
    let e = case.expr(typing)?;
    let opts = EvalOptions {
        backend: Backend::Interp,
        threads: Some(1),
        math: MathImpl::Libm,
        stores: Stores::Cached,
        ..EvalOptions::default()
    };
    eval_new(case, &e, data, &opts)
}

/// The vector-math functions (as IR op names) with their accuracy bounds in ULPs against
/// libm: the registry's bound against the correctly rounded result, the largest of the
/// `float32`, `float64`, `complex64` and `complex128` kernels', plus one for libm's own
/// error. (The complex arithmetic kernels are exact and named by no word.)
fn vector_functions() -> Vec<(&'static str, u64)> {
    use jitex::math::vector::{binary, unary};
    let bound = |a: Option<jitex::math::vector::VectorEntry>,
                 b: Option<jitex::math::vector::VectorEntry>| {
        a.into_iter().chain(b).map(|e| u64::from(e.ulps) + 1).max()
    };
    let mut out = Vec::new();
    for op in crate::common::UNARY_OPS {
        let real = bound(unary(op, DType::F64), unary(op, DType::F32));
        let complex = bound(unary(op, DType::C128), unary(op, DType::C64));
        if let Some(b) = real.max(complex) {
            out.push((op.name(), b));
        }
    }
    for op in crate::common::BINARY_OPS {
        if let Some(b) = bound(binary(op, DType::F64), binary(op, DType::F32)) {
            out.push((op.name(), b));
        }
    }
    out
}

/// The whole words of `src` (names, numbers).
fn words(src: &str) -> impl Iterator<Item = &str> {
    src.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// What a configuration's results are compared with.
///
/// Libm and LibmBlocks: the reference, bit for bit. The default vector math is exact too
/// for a program that calls no vector-math function. A call's result is within the
/// function's bound of libm's, but later operations may amplify that difference without
/// limit (a comparison or a cast flips, a subtraction cancels), so a tolerance is sound
/// only where the call's result is the output: an expression `f(x)` with `x` free of
/// vector-math calls and a float result is compared within `f`'s bound. Any other program
/// with vector-math calls is compared bit for bit with the JIT's own vector-math result on
/// one thread, cached stores, new arrays and a first call (the anchor): the kernels'
/// contract makes an element's bits independent of block, position, thread and call path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expected {
    /// The reference, within this many ULPs (0: bit for bit).
    Reference(u64),
    /// The vector-math anchor, bit for bit.
    Anchor,
}

/// How `config`'s results for `src` are checked.
pub fn expected(src: &str, math: MathImpl) -> Expected {
    if math != MathImpl::Vector {
        return Expected::Reference(0);
    }
    let fns = vector_functions();
    let bound = |w: &str| fns.iter().find(|(n, _)| *n == w).map(|(_, b)| *b);
    if !words(src).any(|w| bound(w).is_some()) {
        return Expected::Reference(0);
    }
    // `f(x)`: a name, then parentheses enclosing everything else.
    let src = src.trim();
    if let Some(open) = src.find('(') {
        let (name, rest) = (&src[..open], &src[open..]);
        let mut depth = 0;
        let closes_at_end = rest.char_indices().all(|(i, c)| {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            depth > 0 || i == rest.len() - 1
        });
        if let (Some(b), true) = (bound(name), closes_at_end && rest.ends_with(')')) {
            // `rest` is `(…)`, both one byte: the slice keeps to character boundaries.
            let inner = &rest[1..rest.len() - 1];
            if !words(inner).any(|w| bound(w).is_some()) && !src.contains(';') {
                return Expected::Reference(b);
            }
        }
    }
    Expected::Anchor
}

/// A failure: what went wrong, under which configuration.
fn fail(case: &Case, config: Option<&Config>, what: impl std::fmt::Display) -> String {
    match config {
        Some(c) => format!("{}\n  under {c:?}\n  {what}", case.describe()),
        None => format!("{}\n  {what}", case.describe()),
    }
}

/// Compares one outcome with the expected one.
fn agree(got: &Outcome, want: &Outcome, tol: u64) -> Result<(), String> {
    match (got, want) {
        (Ok(g), Ok(w)) => {
            if g.len() != w.len() {
                return Err(format!("{} outputs, expected {}", g.len(), w.len()));
            }
            for (k, (x, y)) in g.iter().zip(w).enumerate() {
                compare(x, y, tol).map_err(|m| format!("output {k}: {m}"))?;
            }
            Ok(())
        }
        // The same error: kind, message and span.
        (Err(a), Err(b)) if a == b => Ok(()),
        _ => Err(format!("JIT {}, expected {}", brief(got), brief(want))),
    }
}

fn brief(o: &Outcome) -> String {
    match o {
        Ok(a) => format!(
            "ok {:?}",
            a.iter()
                .map(|a| (a.dtype(), a.shape().to_vec()))
                .collect::<Vec<_>>()
        ),
        Err(e) => format!("error {:?}: {e}", e.kind),
    }
}

/// An output buffer for `like`, laid out by `layout`, full of junk.
fn out_for(like: &Array, layout: Layout, rng: &mut Rng) -> Stored {
    let n = Stored::distinct(like.shape(), layout);
    let size = like.dtype().size();
    let junk: Vec<Vec<u8>> = (0..n)
        .map(|_| (0..size).map(|_| rng.next_u64() as u8).collect())
        .collect();
    Stored::new(like.dtype(), like.shape(), layout, &junk, rng)
}

/// The input that can serve as output `k`'s memory in place: an array input of the
/// output's dtype and shape whose layout may be written.
fn in_place_input(case: &Case, data: &Data, want: &[Array]) -> Option<(usize, usize)> {
    want.iter().enumerate().find_map(|(k, w)| {
        case.inputs
            .iter()
            .zip(&data.0)
            .position(|(s, v)| {
                matches!((&s.array, v), (Some((_, l)), Value::Array(a))
                if l.writable() && a.dtype() == w.dtype() && a.shape() == w.shape())
            })
            .map(|i| (k, i))
    })
}

/// One call of `e` on `data` under `config`, with `want` (a successful expected result)
/// giving the outputs' dtypes and shapes. Checks that no input but an in-place one
/// changed, and returns the outputs.
fn call(
    case: &Case,
    e: &Expr,
    data: &Data,
    config: &Config,
    want: &Outcome,
    rng: &mut Rng,
) -> Result<Outcome, String> {
    let opts = EvalOptions {
        backend: Backend::Jit,
        threads: Some(config.threads),
        math: config.math,
        stores: config.stores,
        codegen: config.codegen,
    };
    let before = data.snapshot();
    let unchanged = |data: &Data, skip: Option<usize>| -> Result<(), String> {
        for (i, (b, now)) in before.iter().zip(data.snapshot()).enumerate() {
            if Some(i) != skip && *b != now {
                return Err(format!("input `{}` was modified", case.inputs[i].name));
            }
        }
        Ok(())
    };
    // Without a successful expected result there is no shape to build outputs for: an
    // error case is checked with new arrays.
    let want = match (config.dest, want) {
        (Dest::New, _) | (_, Err(_)) => {
            let got = eval_new(case, e, data, &opts);
            unchanged(data, None)?;
            return Ok(got);
        }
        (_, Ok(w)) => w,
    };
    let place = match config.dest {
        Dest::InPlace => in_place_input(case, data, want),
        _ => None,
    };
    let Some((k_out, i_in)) = place else {
        let mut outs: Vec<Stored> = want
            .iter()
            .map(|w| {
                out_for(
                    w,
                    rng.pick(&[Layout::C, Layout::Gap(2), Layout::Reversed]),
                    rng,
                )
            })
            .collect();
        let args = data.args(case, None);
        let r = {
            let mut views: Vec<ArrayViewMut> = outs.iter_mut().map(|o| o.view_mut()).collect();
            match case.outputs {
                None => e.eval_into(&args, &mut views[0], &opts),
                Some(_) => e.eval_all_into(&args, &mut views, &opts),
            }
        };
        drop(args);
        unchanged(data, None)?;
        return Ok(r.map(|()| outs.iter().map(Stored::to_array).collect()));
    };
    // In place: output `k_out` is input `i_in`'s memory (a copy of the data set, so the
    // data set itself stays as it was).
    let mut data = data.clone();
    let mut outs: Vec<Stored> = want.iter().map(|w| out_for(w, Layout::C, rng)).collect();
    let Value::Array(target) = &mut data.0[i_in] else {
        unreachable!("in-place inputs are arrays")
    };
    // SAFETY: the two views are used for this one call only, which may read and write
    // the same elements (an exact overlap); both are dropped before `data` is used again.
    let (view, view_mut) = unsafe { target.aliased() };
    let r = {
        let mut args = data.args(case, Some(i_in));
        args.push((case.inputs[i_in].name, Arg::Array(view)));
        let mut views: Vec<ArrayViewMut> = Vec::new();
        let mut view_mut = Some(view_mut);
        for (k, o) in outs.iter_mut().enumerate() {
            views.push(if k == k_out {
                view_mut.take().expect("one in-place output")
            } else {
                o.view_mut()
            });
        }
        match case.outputs {
            None => e.eval_into(&args, &mut views[0], &opts),
            Some(_) => e.eval_all_into(&args, &mut views, &opts),
        }
    };
    unchanged(&data, Some(i_in))?;
    let Value::Array(target) = &data.0[i_in] else {
        unreachable!()
    };
    Ok(r.map(|()| {
        outs.iter()
            .enumerate()
            .map(|(k, o)| {
                if k == k_out {
                    target.to_array()
                } else {
                    o.to_array()
                }
            })
            .collect()
    }))
}

/// Evaluates a variant under `config` (new arrays, first call) on `data`.
fn eval_variant(case: &Case, v: &Variant, data: &Data, config: &Config) -> Outcome {
    let opts = EvalOptions {
        backend: Backend::Jit,
        threads: Some(config.threads),
        math: config.math,
        stores: config.stores,
        codegen: config.codegen,
    };
    let args = data.args(case, None);
    match v {
        Variant::Text(src) => Ok(vec![Expr::compile(src)?
            .with_typing(config.typing)
            .eval_with(&args, &opts)?]),
        Variant::TwoStep {
            reduced,
            outer,
            with_inputs,
        } => {
            let r = Expr::compile(reduced)?
                .with_typing(config.typing)
                .eval_with(&args, &opts)?;
            let mut args2 = if *with_inputs {
                args.clone()
            } else {
                Vec::new()
            };
            args2.push(("r", Arg::Array(r.view())));
            Ok(vec![Expr::compile(outer)?
                .with_typing(config.typing)
                .eval_with(&args2, &opts)?])
        }
    }
}

/// The JIT's result under the default vector math on one thread, with cached stores, new
/// arrays and a first call: what programs with vector-math calls are compared with.
fn anchor(case: &Case, typing: Typing, data: &Data) -> Outcome {
    let e = case.expr(typing)?;
    let opts = EvalOptions {
        backend: Backend::Jit,
        threads: Some(1),
        math: MathImpl::Vector,
        stores: Stores::Cached,
        ..EvalOptions::default()
    };
    eval_new(case, &e, data, &opts)
}

/// Checks `case` under every configuration of `configs`.
pub fn check(case: &Case, configs: &[Config]) -> Result<(), String> {
    let data = [Data::new(case, 1), Data::new(case, 2)];
    let mut rng = Rng::new(case.seed.rotate_left(17));
    // Expected outcomes by (anchor?, typing, data set), made on first use.
    let mut made: Vec<((bool, Typing, usize), Outcome)> = Vec::new();
    let mut expected_for = |anchored: bool, typing: Typing, d: usize| -> Outcome {
        let key = (anchored, typing, d);
        if let Some((_, o)) = made.iter().find(|(k, _)| *k == key) {
            return o.clone();
        }
        let o = if anchored {
            anchor(case, typing, &data[d])
        } else {
            reference(case, typing, &data[d])
        };
        made.push((key, o.clone()));
        o
    };
    for config in configs {
        let fail = |what: String| fail(case, Some(config), what);
        let expect = expected(&case.src, config.math);
        let (anchored, tol) = match expect {
            Expected::Reference(t) => (false, t),
            Expected::Anchor => (true, 0),
        };
        let sets: &[usize] = match config.calls {
            Calls::Once => &[0],
            Calls::TwiceSameData => &[0, 0],
            Calls::TwiceNewData => &[0, 1],
        };
        // One `Expr` for all calls: the second is a remembered call.
        let e = case
            .expr(config.typing)
            .map_err(|err| fail(format!("does not parse: {err}")))?;
        for (n, &d) in sets.iter().enumerate() {
            let want = expected_for(anchored, config.typing, d);
            let got = call(case, &e, &data[d], config, &want, &mut rng)
                .map_err(|m| fail(format!("call {}: {m}", n + 1)))?;
            agree(&got, &want, tol).map_err(|m| {
                fail(format!(
                    "call {} on data set {}: {m} ({expect:?})",
                    n + 1,
                    d + 1
                ))
            })?;
        }
        // Variants are rewritings valid under NumPy's typing; numexpr's types a temporary
        // or a reduction's result passed back as an input by other rules (`-r` of a
        // uint64 input is int64 there, of an in-program uint64 reduction uint64).
        let variants = match config.typing {
            Typing::NumPy => &case.variants[..],
            Typing::Numexpr => &[],
        };
        let want = expected_for(anchored, config.typing, 0);
        for v in variants {
            let got = eval_variant(case, v, &data[0], config);
            let ok = match (&got, &want) {
                // A variant's errors point into its own text: only their kinds must agree.
                (Err(a), Err(b)) => a.kind == b.kind,
                // Every statement of a program is type-checked, also one whose value is
                // not used, which its variant may have dropped.
                (Ok(_), Err(_)) => true,
                _ => agree(&got, &want, tol).is_ok(),
            };
            if !ok {
                let why = agree(&got, &want, tol).err().unwrap_or_default();
                return Err(fail(format!("variant {v:?}: {why}")));
            }
        }
    }
    // A string copy is the input's very elements, NULs included (checked on the
    // reference, which every configuration equals).
    if let Some(i) = case.copy_of {
        if let (Ok(r), Value::Array(a)) = (reference(case, Typing::NumPy, &data[0]), &data[0].0[i])
        {
            if r[0].as_bytes() != a.to_array().as_bytes() {
                return Err(fail(case, None, "the copy differs from its input"));
            }
        }
    }
    Ok(())
}
