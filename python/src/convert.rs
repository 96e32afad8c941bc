//! NumPy arrays to jitex views and jitex results to NumPy arrays, without copies where
//! the memory allows.

use jitex::{Array, ArrayView, ArrayViewMut, DType};
use numpy::npyffi::{self, PY_ARRAY_API};
use numpy::{
    Complex32, Complex64, PyArrayDescr, PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::ffi::c_void;
use std::ptr;

/// The jitex dtype of a NumPy dtype, or `None` for one jitex has no loop for (float16,
/// longdouble, object, datetime, structured, …).
pub fn dtype_of(d: &Bound<'_, PyArrayDescr>) -> Option<DType> {
    let size = d.itemsize();
    Some(match (d.kind(), size) {
        (b'b', 1) => DType::Bool,
        (b'i', 1) => DType::I8,
        (b'i', 2) => DType::I16,
        (b'i', 4) => DType::I32,
        (b'i', 8) => DType::I64,
        (b'u', 1) => DType::U8,
        (b'u', 2) => DType::U16,
        (b'u', 4) => DType::U32,
        (b'u', 8) => DType::U64,
        (b'f', 4) => DType::F32,
        (b'f', 8) => DType::F64,
        (b'c', 8) => DType::C64,
        (b'c', 16) => DType::C128,
        (b'S', n) if n > 0 => DType::Bytes(u32::try_from(n).ok()?),
        (b'U', n) if n > 0 => DType::Str(u32::try_from(n / 4).ok()?),
        _ => return None,
    })
}

/// The NumPy dtype of a jitex dtype.
fn descr_of<'py>(py: Python<'py>, dt: DType) -> PyResult<Bound<'py, PyArrayDescr>> {
    use numpy::dtype;
    Ok(match dt {
        DType::Bool => dtype::<bool>(py),
        DType::I8 => dtype::<i8>(py),
        DType::I16 => dtype::<i16>(py),
        DType::I32 => dtype::<i32>(py),
        DType::I64 => dtype::<i64>(py),
        DType::U8 => dtype::<u8>(py),
        DType::U16 => dtype::<u16>(py),
        DType::U32 => dtype::<u32>(py),
        DType::U64 => dtype::<u64>(py),
        DType::F32 => dtype::<f32>(py),
        DType::F64 => dtype::<f64>(py),
        DType::C64 => dtype::<Complex32>(py),
        DType::C128 => dtype::<Complex64>(py),
        DType::Bytes(n) => PyArrayDescr::new(py, format!("S{n}"))?,
        DType::Str(n) => PyArrayDescr::new(py, format!("U{n}"))?,
    })
}

/// `numpy.asarray`, looked up once.
fn asarray<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let f = ASARRAY.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("numpy")?.getattr("asarray")?.unbind())
    })?;
    f.bind(py).call1((obj,))
}

/// An input made ready for a kernel: a NumPy array in native byte order and aligned (a
/// copy where the caller's was not), and its jitex dtype.
pub struct Input<'py> {
    /// The array; it keeps the memory alive while views of it run.
    pub array: Bound<'py, PyUntypedArray>,
    /// Its dtype.
    pub dtype: DType,
}

impl<'py> Input<'py> {
    /// Converts `obj` (an array, a NumPy or Python scalar, a list, …) for input `name`.
    pub fn new(py: Python<'py>, obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Input<'py>> {
        let mut array = match obj.cast::<PyUntypedArray>() {
            Ok(a) => a.clone(),
            Err(_) => asarray(py, obj)?.cast_into::<PyUntypedArray>()?,
        };
        let mut descr = array.dtype();
        if descr.kind() == b'f' && descr.itemsize() == 2 {
            // jitex has no float16: it computes what NumPy computes in float16 in float32
            // (docs/language.md, "float16 substitution"), so the input is widened, exactly.
            array = array
                .call_method1("astype", (numpy::dtype::<f32>(py),))?
                .cast_into()?;
            descr = array.dtype();
        }
        let Some(dtype) = dtype_of(&descr) else {
            return Err(PyValueError::new_err(format!(
                "input `{name}` has dtype {descr}, which jitex does not support \
                 (bool, int8-64, uint8-64, float16 (as float32), float32/64, complex64/128, \
                 S and U strings are)"
            )));
        };
        // Byte-swapped data is made native, and unaligned data aligned, by one copy: the
        // kernels read native, aligned elements.
        if descr.is_native_byteorder() == Some(false) {
            let native = descr.call_method1("newbyteorder", ("=",))?;
            array = array.call_method1("astype", (native,))?.cast_into()?;
            descr = array.dtype();
        }
        if !array.is_aligned() {
            array = array.call_method0("copy")?.cast_into()?;
        }
        debug_assert_eq!(dtype_of(&descr), Some(dtype));
        Ok(Input { array, dtype })
    }

    /// A view of the array for the duration of the borrow.
    pub fn view(&self) -> ArrayView<'_> {
        let a = &self.array;
        // SAFETY: NumPy guarantees that data, shape and byte strides describe live memory
        // of `dtype` elements, aligned and native (checked above), for as long as the
        // array object lives, which `&self` outlives the view for.
        unsafe {
            ArrayView::from_raw_parts(data_ptr(a) as *const u8, self.dtype, a.shape(), a.strides())
        }
    }
}

/// The data pointer of an array.
fn data_ptr(a: &Bound<'_, PyUntypedArray>) -> *mut u8 {
    // SAFETY: `as_array_ptr` is a live PyArrayObject.
    unsafe { (*a.as_array_ptr()).fields.data as *mut u8 }
}

/// Whether NumPy allows writing to `a`.
fn is_writeable(a: &Bound<'_, PyUntypedArray>) -> bool {
    // SAFETY: as in `data_ptr`.
    unsafe { (*a.as_array_ptr()).fields.flags & npyffi::NPY_ARRAY_WRITEABLE != 0 }
}

/// An `out=` array that a kernel can write directly: writeable, native, aligned, of a
/// dtype jitex has. `None` when the result must be computed aside and copied in with
/// NumPy's casting rules.
pub fn direct_out<'a>(out: &'a Bound<'_, PyUntypedArray>) -> PyResult<Option<ArrayViewMut<'a>>> {
    if !is_writeable(out) {
        return Err(PyValueError::new_err("output array is read-only"));
    }
    let descr = out.dtype();
    let Some(dtype) = dtype_of(&descr) else {
        return Ok(None);
    };
    if descr.is_native_byteorder() == Some(false) || !out.is_aligned() {
        return Ok(None);
    }
    // SAFETY: as in `Input::view`, plus: the array is writeable and the caller holds the
    // only view jitex makes of it during the call (inputs that alias it are read through
    // views jitex's overlap checks know about).
    Ok(Some(unsafe {
        ArrayViewMut::from_raw_parts(data_ptr(out), dtype, out.shape(), out.strides())
    }))
}

/// The `out=` argument as an array, or a `TypeError`.
pub fn out_array<'py>(out: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyUntypedArray>> {
    out.cast::<PyUntypedArray>()
        .cloned()
        .map_err(|_| PyTypeError::new_err("out must be a NumPy array"))
}

/// The capsule name of a result buffer (see [`to_numpy`]).
const RESULT_CAPSULE: &std::ffi::CStr = c"jitex.result";

/// Frees a result's storage when NumPy drops the array over it: the capsule holds the
/// buffer's pointer, and its context the buffer's capacity in words.
unsafe extern "C" fn free_result(capsule: *mut ffi::PyObject) {
    // SAFETY: only capsules made by `to_numpy` have this destructor; their pointer and
    // context are a leaked `Vec<u64>`'s, freed here exactly once. A length of 0 is fine:
    // the words need no drop, only the allocation (of that capacity) is released.
    unsafe {
        let words = ffi::PyCapsule_GetPointer(capsule, RESULT_CAPSULE.as_ptr()) as *mut u64;
        let capacity = ffi::PyCapsule_GetContext(capsule) as usize;
        if !words.is_null() {
            // Kept for the next result of its size when large (no page faults then).
            jitex::Array::recycle(Vec::from_raw_parts(words, 0, capacity));
        }
    }
}

/// A jitex result as a NumPy array over the same memory: no copy. The array's base is a
/// capsule that frees the memory, a lighter object than a class instance (this runs on
/// every call).
pub fn to_numpy<'py>(py: Python<'py>, result: Array) -> PyResult<Bound<'py, PyAny>> {
    let mut dims = [0 as npyffi::npy_intp; 64];
    let ndim = result.shape().len();
    if ndim > dims.len() {
        return Err(PyValueError::new_err("results have at most 64 dimensions"));
    }
    for (d, &n) in dims.iter_mut().zip(result.shape()) {
        *d = n as npyffi::npy_intp;
    }
    let dtype = result.dtype();
    let descr = descr_of(py, dtype)?;
    let words = std::mem::ManuallyDrop::new(result.into_words());
    let (data, capacity) = (words.as_ptr() as *mut u64, words.capacity());
    // SAFETY: the capsule takes the buffer (pointer and capacity; `free_result` frees it);
    // if it cannot be made, the buffer is freed here instead.
    let owner = unsafe {
        let capsule = ffi::PyCapsule_New(data.cast(), RESULT_CAPSULE.as_ptr(), Some(free_result));
        if capsule.is_null() || ffi::PyCapsule_SetContext(capsule, capacity as *mut c_void) != 0 {
            if capsule.is_null() {
                drop(Vec::from_raw_parts(data, 0, capacity));
            } else {
                ffi::Py_DecRef(capsule);
            }
            return Err(PyErr::fetch(py));
        }
        capsule
    };
    // SAFETY: `descr` is a new reference that NewFromDescr steals; `dims` has `ndim`
    // entries; NULL strides mean C order, which is how jitex lays results out; `data`
    // holds the elements and lives as long as `owner`, which becomes the array's base
    // (SetBaseObject steals that reference too; on failure the owner is released).
    unsafe {
        let arr = PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type),
            descr.into_dtype_ptr(),
            ndim as std::ffi::c_int,
            dims.as_mut_ptr(),
            ptr::null_mut(),
            data.cast(),
            npyffi::NPY_ARRAY_WRITEABLE,
            ptr::null_mut(),
        );
        let arr = match Bound::from_owned_ptr_or_err(py, arr) {
            Ok(a) => a,
            Err(e) => {
                ffi::Py_DecRef(owner);
                return Err(e);
            }
        };
        if PY_ARRAY_API.PyArray_SetBaseObject(py, arr.as_ptr() as *mut npyffi::PyArrayObject, owner)
            != 0
        {
            return Err(PyErr::fetch(py));
        }
        Ok(arr)
    }
}
