//! `jitex.evaluate`'s common call in one native function: a cached expression, inputs
//! found by name in `local_dict` (or the caller's locals) and then the globals, no other
//! argument than `local_dict`, `global_dict` and `out`. Every other call goes to the
//! Python implementation (`necompiler._evaluate`: compiling, option checks, errors,
//! `order='F'`) with its arguments untouched, so the two differ in speed only.
//!
//! Why: at 1e3 elements the Python-level steps of `evaluate` (argument binding, the frame
//! lookup, the per-thread last call) cost as much as the kernel call itself, and made
//! `evaluate("~m | n")` slower than NumPy's two ufunc calls.
//!
//! Each `necompiler` module (jitex's, and the numexpr-typed copy of
//! `install_as_numexpr`) makes its own function over its own kernel cache
//! ([`_make_evaluate`]), and keeps its own last call per thread.

use crate::Kernel;
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyString, PyTuple, PyWeakrefReference};
use std::cell::RefCell;
use std::collections::HashMap;

/// A thread's last `evaluate` or `validate` call of one module, for `re_evaluate`: the
/// kernel, a weak reference to `out` (or None), `order` and `casting` (None for the
/// defaults, which the native path never stores as objects).
struct LastCall {
    kernel: Py<PyAny>,
    out: Option<Py<PyAny>>,
    order: Option<Py<PyAny>>,
    casting: Option<Py<PyAny>>,
}

thread_local! {
    /// Each module's last call on this thread, by the address of the module's kernel
    /// cache. Kept natively: a `threading.local` attribute and its tuple cost a fifth of a
    /// small call (0.19 us of 1.07 on 1e3 bools).
    static LAST: RefCell<HashMap<usize, LastCall>> = RefCell::new(HashMap::new());
}

/// Records this thread's last call for the module whose kernel cache is ``kernels``
/// (``validate``, and ``evaluate`` in Python): the kernel, a weak reference to ``out`` or
/// None, ``order`` and ``casting``.
#[pyfunction]
pub fn _set_last_call(
    kernels: Bound<'_, PyDict>,
    kernel: Bound<'_, PyAny>,
    out_ref: Option<Bound<'_, PyAny>>,
    order: Bound<'_, PyAny>,
    casting: Bound<'_, PyAny>,
) {
    let call = LastCall {
        kernel: kernel.unbind(),
        out: out_ref.map(Bound::unbind),
        order: Some(order.unbind()),
        casting: Some(casting.unbind()),
    };
    remember(kernels.as_ptr() as usize, call);
}

fn remember(module: usize, call: LastCall) {
    LAST.with(|l| l.borrow_mut().insert(module, call));
}

/// This thread's last call for the module whose kernel cache is ``kernels``, as
/// ``(kernel, out weak reference or None, order, casting)``, or None if there was none.
#[pyfunction]
pub fn _last_call<'py>(kernels: Bound<'py, PyDict>) -> PyResult<Option<Bound<'py, PyTuple>>> {
    let py = kernels.py();
    LAST.with(|l| {
        let l = l.borrow();
        let Some(c) = l.get(&(kernels.as_ptr() as usize)) else {
            return Ok(None);
        };
        let text = |v: &Option<Py<PyAny>>, default: &str| match v {
            Some(v) => v.bind(py).clone(),
            None => PyString::new(py, default).into_any(),
        };
        let out = match &c.out {
            Some(o) => o.bind(py).clone(),
            None => py.None().into_bound(py),
        };
        PyTuple::new(
            py,
            [
                c.kernel.bind(py).clone(),
                out,
                text(&c.order, "K"),
                text(&c.casting, "same_kind"),
            ],
        )
        .map(Some)
    })
}

/// The docstring of the function [`_make_evaluate`] makes, with its signature first (as
/// `inspect.signature` reads a builtin's).
const DOC: &std::ffi::CStr = c"evaluate(ex, local_dict=None, global_dict=None, out=None, order='K', casting='same_kind', sanitize=None, _frame_depth=3, disable_cache=False, **kwargs)
--

Evaluates the array expression ``ex`` element-wise, in one fused native pass.

Names are looked up in ``local_dict``, then ``global_dict``; either defaults to the
caller's frame. ``out`` receives the result (cast with ``casting``, numexpr's default
'same_kind') and is returned. ``order`` 'F' returns a Fortran-ordered result; other
orders return C order. ``optimization`` and ``truediv`` are accepted for numexpr
compatibility (jitex always optimises, and ``/`` is always true division).
``sanitize`` (default: on unless ``NUMEXPR_SANITIZE=0``) makes expressions that
numexpr's sanitizer forbids raise ValueError. ``disable_cache`` keeps no reference to
this call for ``re_evaluate``.

A reduction gives a 0-d array (or the reduced shape with ``axis``), as numexpr does.";

/// Makes a module's ``evaluate``: the native path over ``kernels`` (its cache, source →
/// ``Kernel``), and ``slow`` (its Python ``evaluate``) for every other call.
#[pyfunction]
pub fn _make_evaluate<'py>(
    kernels: Bound<'py, PyDict>,
    slow: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyCFunction>> {
    let py = kernels.py();
    let (kernels, slow) = (kernels.unbind(), slow.unbind());
    PyCFunction::new_closure(
        py,
        Some(c"evaluate"),
        Some(DOC),
        move |args: &Bound<'_, PyTuple>,
              kwargs: Option<&Bound<'_, PyDict>>|
              -> PyResult<Py<PyAny>> {
            let py = args.py();
            if let Some(r) = fast(kernels.bind(py), args, kwargs)? {
                return Ok(r.unbind());
            }
            // This function adds no frame, so the Python one finds the same caller.
            Ok(slow.bind(py).call(args, kwargs)?.unbind())
        },
    )
}

/// The native path, or `None` (nothing done) for a call it leaves to Python.
fn fast<'py>(
    kernels: &Bound<'py, PyDict>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = args.py();
    let n = args.len();
    if n == 0 || n > 4 {
        return Ok(None);
    }
    // `local_dict`, `global_dict`, `out`: positional after `ex`, or by keyword.
    let mut slots: [Option<Bound<'py, PyAny>>; 3] = [None, None, None];
    for (i, slot) in slots.iter_mut().enumerate().take(n - 1) {
        *slot = Some(args.get_item(i + 1)?);
    }
    if let Some(kw) = kwargs {
        for (k, v) in kw.iter() {
            let Ok(k) = k.cast::<PyString>() else {
                return Ok(None);
            };
            let at = match &*k.to_cow()? {
                "local_dict" => 0,
                "global_dict" => 1,
                "out" => 2,
                _ => return Ok(None),
            };
            if slots[at].is_some() {
                // Given twice: Python raises the TypeError.
                return Ok(None);
            }
            slots[at] = Some(v);
        }
    }
    let [local_dict, global_dict, out] = slots.map(|s| s.filter(|v| !v.is_none()));
    let ex = args.get_item(0)?;
    let Some(kernel) = kernels.get_item(&ex)? else {
        return Ok(None);
    };
    let Ok(kernel) = kernel.cast_into::<Kernel>() else {
        return Ok(None);
    };
    let (local, global) = match local_dict {
        Some(l) => (l, global_dict),
        None => {
            let Some(l) = frame_dict(py, FrameDict::Locals) else {
                return Ok(None);
            };
            (
                l,
                global_dict.or_else(|| frame_dict(py, FrameDict::Globals)),
            )
        }
    };
    let out_ref = match &out {
        Some(o) => Some(PyWeakrefReference::new(o)?.into_any().unbind()),
        None => None,
    };
    let call = LastCall {
        kernel: kernel.clone().into_any().unbind(),
        out: out_ref,
        order: None,
        casting: None,
    };
    remember(kernels.as_ptr() as usize, call);
    let k = kernel.get();
    let out = out.as_ref();
    // With `local_dict` given and no `global_dict`, the caller's globals are fetched only
    // if a name is missing from `local_dict` (then `call_with_dicts` gives None).
    if let Some(r) = k.call_with_dicts(py, &local, global.as_ref(), out, "same_kind")? {
        return Ok(Some(r));
    }
    let Some(global) = frame_dict(py, FrameDict::Globals) else {
        return Ok(None);
    };
    k.call_with_dicts(py, &local, Some(&global), out, "same_kind")
}

/// Which of the calling frame's dictionaries [`frame_dict`] returns.
enum FrameDict {
    Locals,
    Globals,
}

/// The calling Python frame's locals or globals, `None` without a Python frame (a call
/// from C).
fn frame_dict(py: Python<'_>, which: FrameDict) -> Option<Bound<'_, PyAny>> {
    // SAFETY: the thread is attached to the interpreter; both return a borrowed reference
    // (or null), which `from_borrowed_ptr_or_opt` turns into an owned one at once.
    unsafe {
        let p = match which {
            FrameDict::Locals => pyo3::ffi::PyEval_GetLocals(),
            FrameDict::Globals => pyo3::ffi::PyEval_GetGlobals(),
        };
        Bound::from_borrowed_ptr_or_opt(py, p)
    }
}
