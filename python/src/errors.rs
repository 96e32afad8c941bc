//! jitex errors as Python exceptions of the classes numexpr (and NumPy) raise for the same
//! mistakes, with jitex's caret rendering as the message.

use jitex::{Error, ErrorKind};
use pyo3::exceptions::{
    PyMemoryError, PyNotImplementedError, PyOSError, PyRuntimeError, PySyntaxError, PyTypeError,
    PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use pyo3::PyErr;

/// Converts `err`, raised while handling `src`, into a Python exception.
///
/// Syntax errors carry `(filename, lineno, offset, text)` so tracebacks point at the
/// column too. A jitex syntax error on text that Python itself parses (`a and b`,
/// `a[0]`) is a `TypeError` in the Python layer, as numexpr raises there; this function
/// only knows jitex's view.
pub fn to_py(err: &Error, src: &str) -> PyErr {
    let msg = err.render(src);
    match err.kind {
        ErrorKind::Syntax => {
            let offset = err.span.map(|s| column(src, s.start)).unwrap_or(0);
            PySyntaxError::new_err((msg, ("<expr>", 1, offset, src.to_string())))
        }
        // numexpr looks every name up in a dictionary: a missing one is a KeyError there,
        // but jitex's Python layer resolves names before compiling, so this only comes
        // from a temporary read before it is assigned.
        ErrorKind::UnknownName => PyValueError::new_err(msg),
        ErrorKind::UnknownFunction => PyTypeError::new_err(msg),
        ErrorKind::Arity | ErrorKind::Type => operand_type_error(msg),
        ErrorKind::Unsupported => PyNotImplementedError::new_err(msg),
        ErrorKind::Limit if err.message.contains("too large to allocate") => {
            PyMemoryError::new_err(msg)
        }
        ErrorKind::Io => PyOSError::new_err(msg),
        ErrorKind::Internal => PyRuntimeError::new_err(msg),
        // Shape, Output, Limit, Value and any kind added later: NumPy raises ValueError.
        _ => PyValueError::new_err(msg),
    }
}

/// The 1-based character column of byte offset `at` in `src`.
fn column(src: &str, at: usize) -> usize {
    src.get(..at).map_or(at, |s| s.chars().count()) + 1
}

/// `jitex.errors.OperandTypeError(msg)`: a TypeError (NumPy's class for these) that is also
/// a NotImplementedError (numexpr's). Falls back to TypeError if the class is missing.
fn operand_type_error(msg: String) -> PyErr {
    static CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    Python::attach(|py| {
        let class = CLASS.get_or_try_init(py, || {
            py.import("jitex.errors")?
                .getattr("OperandTypeError")?
                .cast_into::<PyType>()
                .map(Bound::unbind)
                .map_err(PyErr::from)
        });
        match class {
            Ok(c) => PyErr::from_type(c.bind(py).clone(), msg),
            Err(_) => PyTypeError::new_err(msg),
        }
    })
}
