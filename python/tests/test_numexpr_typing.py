"""jitex's numexpr typing (``typing="numexpr"``, what ``install_as_numexpr`` installs)
against the real numexpr: wherever numexpr evaluates an expression, jitex gives the same
dtype and the same values."""

import itertools
import re
import warnings

import numpy as np
import pytest

import jitex

ne = pytest.importorskip("numexpr")
if getattr(ne, "__jitex__", False):
    pytest.skip("numexpr is jitex here: nothing to compare with", allow_module_level=True)

DTYPES = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
          "float32", "float64", "complex64", "complex128"]

UNARY = ["a", "-a", "~a", "a+1", "1+a", "a+2.5", "a*3000000000", "a-1", "a/2", "2/a",
         "a//2", "a%2", "a**2", "a**2.0", "a**0.5", "a**-1.0", "a**3.5", "a**0", "a**7",
         "a+True", "a*2j", "a<2", "a==2.5", "(a*2)<<1", "a&3",
         "abs(a)", "sqrt(a)", "sin(a)", "cos(a)", "tan(a)", "arctan(a)", "tanh(a)",
         "exp(a)", "expm1(a)", "log(a)", "log1p(a)", "log10(a)", "log2(a)",
         "round(a)", "sign(a)", "ceil(a)", "floor(a)", "trunc(a)", "copy(a)",
         "ones_like(a)", "isnan(a)", "isinf(a)", "real(a)", "imag(a)", "conj(a)",
         "where(a>1, a, 2)", "where(a>1, a, 2.5)", "sum(a)", "prod(a)", "min(a)", "max(a)",
         "sum(a, axis=0)", "a+(2*3)", "a*(1+1.5)", "a+(-3)", "a*2**40"]

BINARY = ["a+b", "a-b", "a*b", "a/b", "a//b", "a%b", "a**b", "a<b", "a==b",
          "where(a>b, a, b)", "arctan2(a, b)", "fmod(a, b)", "hypot(a, b)",
          "maximum(a, b)", "minimum(a, b)", "copysign(a, b)", "a & b",
          "a*b + 1.5", "sin(a)*b"]


def _array(dtype, values=(1, 2, 3, 5)):
    return np.array(values).astype(dtype)


def _outcome(f):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                return f(), None
            except Exception as e:  # noqa: BLE001 - the class is what is compared
                return None, e


def _compare(ex, arrays):
    want, want_err = _outcome(lambda: ne.evaluate(ex, local_dict=arrays))
    kernel = jitex.compile(ex, typing="numexpr")
    got, got_err = _outcome(lambda: kernel(**{n: arrays[n] for n in kernel.input_names}))
    if want_err is not None:
        # numexpr refuses: jitex may compute it (it has more operations) or refuse too.
        return "numexpr refuses"
    assert got_err is None, f"{ex} on {_dtypes(arrays)}: jitex raised {got_err!r}"
    assert got.dtype == want.dtype, f"{ex} on {_dtypes(arrays)}: {got.dtype} != {want.dtype}"
    assert got.shape == want.shape, f"{ex} on {_dtypes(arrays)}"
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=4e-7 if want.dtype.itemsize <= 8 and
                                   want.dtype.kind == "f" and want.dtype.itemsize == 4
                                   else 1e-14, equal_nan=True, err_msg=f"{ex} on {_dtypes(arrays)}")
    else:
        np.testing.assert_array_equal(got, want, err_msg=f"{ex} on {_dtypes(arrays)}")
    return "same"


def _dtypes(arrays):
    return ", ".join(f"{n}: {a.dtype}" for n, a in arrays.items())


@pytest.mark.parametrize("dtype", DTYPES)
def test_unary_matches_numexpr(dtype):
    outcomes = [_compare(ex, {"a": _array(dtype)}) for ex in UNARY]
    assert outcomes.count("same") >= len(UNARY) // 3


@pytest.mark.parametrize("da,db", list(itertools.product(DTYPES, repeat=2)))
def test_binary_matches_numexpr(da, db):
    arrays = {"a": _array(da), "b": _array(db, (3, 1, 2, 5))}
    outcomes = [_compare(ex, arrays) for ex in BINARY]
    assert "same" in outcomes


def test_integer_sum_wraps_in_its_kind():
    a = np.array([2**31 - 1, 5, 7], dtype=np.int32)
    for ex in ("sum(a)", "prod(a)", "sum(a*2)"):
        assert _compare(ex, {"a": a}) == "same"


def test_scalars_and_literals():
    a = np.arange(5, dtype=np.float32)
    for arrays in ({"a": a, "x": 2.5}, {"a": a, "x": 3}, {"a": a.astype(np.int32), "x": 3},
                   {"a": a.astype(np.int16), "x": True}):
        for ex in ("a*x", "a+x+1", "where(a>x, a, x)"):
            assert _compare(ex, {k: np.asarray(v) for k, v in arrays.items()}) == "same"


def test_bool_minus_is_not_implemented():
    a = np.array([True, False])
    k = jitex.compile("a - a", typing="numexpr")
    with pytest.raises(NotImplementedError) as info:
        k(a)
    # numexpr's class alone: pandas treats a TypeError differently.
    assert not isinstance(info.value, TypeError)


def test_numpy_typing_is_unchanged():
    a = np.arange(3, dtype=np.int32)
    b = np.arange(3, dtype=np.float32)
    assert jitex.evaluate("a*b").dtype == np.float64
    assert jitex.compile("a*b", typing="numexpr")(a, b).dtype == np.float32
    assert jitex.compile("abs(a)")(a).dtype == np.int32
    with pytest.raises(ValueError):
        jitex.compile("a", typing="fortran")


@pytest.mark.parametrize("ex", ["s + s", "s >= n", "n < s", "s * 2 == s"])
def test_string_errors_name_numexpr_opcode(ex):
    arrays = {"s": np.array([b"ab", b"c"]), "n": np.arange(2, dtype=np.int32)}
    _, want = _outcome(lambda: ne.evaluate(ex, local_dict=arrays))
    kernel = jitex.compile(ex, typing="numexpr")
    _, got = _outcome(lambda: kernel(**{n: arrays[n] for n in kernel.input_names}))
    assert want is not None and got is not None, ex
    assert isinstance(got, type(want)) or isinstance(want, NotImplementedError) and isinstance(
        got, NotImplementedError), (ex, want, got)
    if isinstance(want, NotImplementedError):
        opcode = re.search(r"'(\w+)'$", str(want)).group(1)
        assert f"'{opcode}'" in str(got), (ex, want, got)
