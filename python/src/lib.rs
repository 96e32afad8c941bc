//! `jitex._jitex`: the Rust half of jitex's Python package. Only glue lives here: parsing,
//! typing and code generation are the `jitex` crate's. The numexpr-compatible surface
//! (name resolution, `evaluate`, caches, threads from the environment) is the pure-Python
//! `jitex` package around it.

mod convert;
mod errors;
mod evaluate;

use convert::Input;
use jitex::{Arg, DType, EvalOptions, Expr, Scalar, Typing};
use numpy::PyUntypedArrayMethods;
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyComplex, PyDict, PyTuple};

/// A compiled expression or program: reusable, thread-safe, and holding one native kernel
/// per input signature it has met.
///
/// ``Kernel(src, outputs=None, typing="numpy")``; call it with the inputs positionally, in
/// the order of ``input_names``. ``typing="numexpr"`` gives numexpr's result dtypes.
#[pyclass(frozen, module = "jitex._jitex")]
struct Kernel {
    expr: Expr,
    names: Vec<String>,
    names_tuple: Py<PyTuple>,
}

impl Kernel {
    fn err(&self, e: jitex::Error) -> PyErr {
        errors::to_py(&e, self.expr.source())
    }

    /// The input names paired with jitex dtypes for NumPy `dtypes`, one per input name.
    fn signature(&self, dtypes: &[Bound<'_, numpy::PyArrayDescr>]) -> PyResult<Vec<(&str, DType)>> {
        dtypes
            .iter()
            .zip(&self.names)
            .map(|(d, n)| {
                let dt = convert::dtype_of(d).ok_or_else(|| {
                    PyValueError::new_err(format!("input `{n}` has a dtype jitex does not support"))
                })?;
                Ok((n.as_str(), dt))
            })
            .collect()
    }

    /// Runs the kernel on converted inputs (see `__call__` for `out` and `casting`).
    fn run<'py>(
        &self,
        py: Python<'py>,
        inputs: &[Input<'py>],
        out: Option<&Bound<'py, PyAny>>,
        casting: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let views: Vec<(&str, Arg)> = self
            .names
            .iter()
            .zip(inputs)
            .map(|(n, i)| (n.as_str(), Arg::Array(i.view())))
            .collect();
        let opts = EvalOptions::default();
        let expr = &self.expr;
        let attached = small_work(inputs);
        if self.expr.outputs().is_some() {
            if out.is_some() {
                return Err(PyValueError::new_err(
                    "out= is not supported for programs with several outputs",
                ));
            }
            let results = run_detached(py, attached, || expr.eval_all_with(&views, &opts))
                .map_err(|e| self.err(e))?;
            let arrays = results
                .into_iter()
                .map(|r| convert::to_numpy(py, r))
                .collect::<PyResult<Vec<_>>>()?;
            return Ok(PyTuple::new(py, arrays)?.into_any());
        }
        if let Some(out_obj) = out {
            let out_arr = convert::out_array(out_obj)?;
            if let Some(mut view) = convert::direct_out(&out_arr)? {
                match run_detached(py, attached, || expr.eval_into(&views, &mut view, &opts)) {
                    Ok(()) => return Ok(out_obj.clone()),
                    // Another dtype or a shape to broadcast to: computed aside below.
                    Err(e) if e.kind == jitex::ErrorKind::Output => {}
                    Err(e) => return Err(self.err(e)),
                }
            }
            let result = run_detached(py, attached, || expr.eval_with(&views, &opts))
                .map_err(|e| self.err(e))?;
            let result = convert::to_numpy(py, result)?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("casting", casting)?;
            py.import("numpy")?
                .getattr("copyto")?
                .call((out_obj, result), Some(&kwargs))?;
            return Ok(out_obj.clone());
        }
        let result = run_detached(py, attached, || expr.eval_with(&views, &opts))
            .map_err(|e| self.err(e))?;
        convert::to_numpy(py, result)
    }

    /// Converts the inputs: positional ones in `input_names` order, then the rest by name.
    fn inputs<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        named: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Vec<Input<'py>>> {
        let n_named = named.map_or(0, |d| d.len());
        if args.len() + n_named != self.names.len() || args.len() > self.names.len() {
            return Err(PyTypeError::new_err(format!(
                "expected {} inputs ({}), got {}",
                self.names.len(),
                self.names.join(", "),
                args.len() + n_named
            )));
        }
        let mut inputs = Vec::with_capacity(self.names.len());
        for (a, n) in args.iter().zip(&self.names) {
            inputs.push(Input::new(py, &a, n)?);
        }
        for n in &self.names[args.len()..] {
            let a = named
                .and_then(|d| d.get_item(n).ok().flatten())
                .ok_or_else(|| PyTypeError::new_err(format!("missing input `{n}`")))?;
            inputs.push(Input::new(py, &a, n)?);
        }
        Ok(inputs)
    }
}

/// Elements up to which a call keeps the GIL: releasing and taking it back costs about as
/// much as computing this many elements, and NumPy's loops keep it for as few.
const ATTACHED_ELEMENTS: usize = 1024;

/// Whether the call's result has at most [`ATTACHED_ELEMENTS`] elements: the broadcast of
/// the inputs' shapes, bounded by each axis's longest extent.
fn small_work(inputs: &[Input<'_>]) -> bool {
    let ndim = inputs.iter().map(|i| i.array.ndim()).max().unwrap_or(0);
    let mut total: usize = 1;
    for axis in 0..ndim {
        let extent = inputs
            .iter()
            .filter_map(|i| {
                let shape = i.array.shape();
                (axis + shape.len()).checked_sub(ndim).map(|k| shape[k])
            })
            .max()
            .unwrap_or(1);
        total = total.saturating_mul(extent);
        if total > ATTACHED_ELEMENTS {
            return false;
        }
    }
    true
}

/// Runs `f` with the GIL released, unless `attached` (small work, see [`small_work`]).
fn run_detached<T: Send>(py: Python<'_>, attached: bool, f: impl FnOnce() -> T + Send) -> T {
    if attached {
        f()
    } else {
        py.detach(f)
    }
}

/// `mapping[key]`, or `None` when the key is absent: a dict lookup without raising and
/// catching a `KeyError`, which would cost more than a small kernel.
fn lookup<'py>(
    mapping: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    if let Ok(d) = mapping.cast::<PyDict>() {
        return d.get_item(key);
    }
    if mapping.contains(key)? {
        mapping.get_item(key).map(Some)
    } else {
        Ok(None)
    }
}

#[pymethods]
impl Kernel {
    #[new]
    #[pyo3(signature = (src, outputs=None, typing="numpy"))]
    fn new(
        py: Python<'_>,
        src: &str,
        outputs: Option<Vec<String>>,
        typing: &str,
    ) -> PyResult<Kernel> {
        let typing = match typing {
            "numpy" => Typing::NumPy,
            "numexpr" => Typing::Numexpr,
            other => {
                return Err(PyValueError::new_err(format!(
                    "typing must be 'numpy' or 'numexpr', not {other:?}"
                )))
            }
        };
        let expr = match &outputs {
            None => Expr::compile(src),
            Some(o) => {
                let o: Vec<&str> = o.iter().map(String::as_str).collect();
                Expr::compile_outputs(src, &o)
            }
        }
        .map_err(|e| errors::to_py(&e, src))?
        .with_typing(typing);
        let names = expr.input_names();
        let names_tuple = PyTuple::new(py, &names)?.unbind();
        Ok(Kernel {
            expr,
            names,
            names_tuple,
        })
    }

    /// The source text.
    #[getter]
    fn source(&self) -> &str {
        self.expr.source()
    }

    /// The names of the inputs, in call order.
    #[getter]
    fn input_names(&self, py: Python<'_>) -> Py<PyTuple> {
        self.names_tuple.clone_ref(py)
    }

    /// The named outputs, or ``None`` when the result is the last statement's value.
    #[getter]
    fn outputs(&self) -> Option<Vec<String>> {
        self.expr.outputs().map(<[String]>::to_vec)
    }

    /// Evaluates on ``args`` (one per input name, arrays or scalars, positionally in
    /// ``input_names`` order and then by name; an input called ``out`` or ``casting`` must
    /// be passed positionally). With ``out``, the
    /// result is written there (cast with ``casting``, broadcast to ``out``'s shape) and
    /// ``out`` is returned. Programs with several outputs return a tuple of arrays.
    /// The GIL is released while the kernel runs.
    #[pyo3(signature = (*args, out=None, casting="same_kind", **named))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        out: Option<&Bound<'py, PyAny>>,
        casting: &str,
        named: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inputs = self.inputs(py, args, named)?;
        self.run(py, &inputs, out, casting)
    }

    /// Evaluates with each input looked up by name in ``local_dict``, else in
    /// ``global_dict`` (any mappings; a missing name raises ``KeyError``): numexpr's name
    /// resolution in one native call, for ``jitex.evaluate``'s per-call cost. With
    /// ``global_dict`` None, a name missing from ``local_dict`` returns None instead, so
    /// that the caller fetches its frame's globals only when they are needed.
    #[pyo3(signature = (local_dict, global_dict, out=None, casting="same_kind"))]
    fn call_with_dicts<'py>(
        &self,
        py: Python<'py>,
        local_dict: &Bound<'py, PyAny>,
        global_dict: Option<&Bound<'py, PyAny>>,
        out: Option<&Bound<'py, PyAny>>,
        casting: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let mut inputs = Vec::with_capacity(self.names.len());
        for (n, key) in self.names.iter().zip(self.names_tuple.bind(py).iter()) {
            let v = match (lookup(local_dict, &key)?, global_dict) {
                (Some(v), _) => v,
                (None, None) => return Ok(None),
                (None, Some(g)) => {
                    lookup(g, &key)?.ok_or_else(|| PyKeyError::new_err(n.clone()))?
                }
            };
            inputs.push(Input::new(py, &v, n)?);
        }
        self.run(py, &inputs, out, casting).map(Some)
    }

    /// The result's NumPy dtype name for inputs of the given NumPy dtypes (one per input
    /// name); raises the error evaluation would raise for a type mistake.
    fn result_dtype(&self, dtypes: Vec<Bound<'_, numpy::PyArrayDescr>>) -> PyResult<String> {
        let typed = self.signature(&dtypes)?;
        let dt = self.expr.result_dtype(&typed).map_err(|e| self.err(e))?;
        Ok(dt.name().into_owned())
    }

    /// The distinct constants of the typed program for inputs of the given NumPy dtypes,
    /// in order of first use, as (NumPy dtype name, Python value) pairs: numexpr's
    /// ``NumExpr.constants``.
    fn constants<'py>(
        &self,
        py: Python<'py>,
        dtypes: Vec<Bound<'py, numpy::PyArrayDescr>>,
    ) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
        let typed = self.signature(&dtypes)?;
        let consts = self.expr.constants(&typed).map_err(|e| self.err(e))?;
        consts
            .into_iter()
            .map(|c| {
                let value = match c {
                    Scalar::Bool(v) => v.into_pyobject(py)?.to_owned().into_any(),
                    Scalar::F32(v) => f64::from(v).into_pyobject(py)?.into_any(),
                    Scalar::F64(v) => v.into_pyobject(py)?.into_any(),
                    Scalar::C64(z) => {
                        PyComplex::from_doubles(py, f64::from(z.re), f64::from(z.im)).into_any()
                    }
                    Scalar::C128(z) => PyComplex::from_doubles(py, z.re, z.im).into_any(),
                    Scalar::U64(v) => v.into_pyobject(py)?.into_any(),
                    // Every other integer fits an i64.
                    other => match other.cast(DType::I64) {
                        Scalar::I64(v) => v.into_pyobject(py)?.into_any(),
                        _ => unreachable!("a cast to int64 gives an int64"),
                    },
                };
                Ok((c.dtype().name().into_owned(), value))
            })
            .collect()
    }

    /// jitex's listing of the compiled program for the given input dtypes: the AST, the
    /// typed IR before and after optimisation, and the Cranelift IR.
    fn explain(&self, dtypes: Vec<Bound<'_, numpy::PyArrayDescr>>) -> PyResult<String> {
        let typed = self.signature(&dtypes)?;
        let ex = self.expr.explain(&typed).map_err(|e| self.err(e))?;
        Ok(format!(
            "# AST\n{}\n# IR\n{}\n# optimised IR\n{}\n# Cranelift IR\n{}\n# code size: {} bytes\n",
            ex.ast, ex.ir, ex.optimized, ex.clif, ex.code_size
        ))
    }

    fn __repr__(&self) -> String {
        format!("jitex.Kernel({:?})", self.expr.source())
    }
}

/// Sets the number of threads kernels use; returns the previous setting.
#[pyfunction]
fn set_num_threads(n: usize) -> PyResult<usize> {
    if n == 0 {
        return Err(PyValueError::new_err(
            "the number of threads must be at least 1",
        ));
    }
    let old = jitex::num_threads();
    jitex::set_num_threads(n);
    Ok(old)
}

/// The number of threads kernels use.
#[pyfunction]
fn get_num_threads() -> usize {
    jitex::num_threads()
}

#[pymodule(gil_used = false)]
fn _jitex(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Kernel>()?;
    m.add_function(wrap_pyfunction!(evaluate::_make_evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::_set_last_call, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::_last_call, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
