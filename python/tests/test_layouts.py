"""Every dtype and memory layout a NumPy user can hand jitex, against NumPy's answer."""

import numpy as np
import pytest

import jitex

NUMERIC = ["b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8", "c8", "c16"]


def sample(dtype, n=37, seed=0):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(max(info.min, -100), min(info.max, 100), n).astype(dt)
    if dt.kind == "f":
        return rng.standard_normal(n).astype(dt)
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dt)


def check(ex, **inputs):
    got = jitex.evaluate(ex, local_dict=inputs)
    want = eval(ex, {"np": np, "where": np.where, "sqrt": np.sqrt}, dict(inputs))
    want = np.asarray(want)
    assert got.dtype == want.dtype, (ex, got.dtype, want.dtype)
    assert got.shape == want.shape, (ex, got.shape, want.shape)
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=1e-6 if want.dtype.itemsize <= 8 else 1e-12)
    else:
        np.testing.assert_array_equal(got, want)
    return got


@pytest.mark.parametrize("dtype", NUMERIC)
def test_every_numeric_dtype(dtype):
    a = sample(dtype)
    b = sample(dtype, seed=1)
    if a.dtype.kind == "b":
        check("a & b", a=a, b=b)
    else:
        check("a * b + a", a=a, b=b)
    check("a == b", a=a, b=b)


@pytest.mark.parametrize("dtype", ["i4", "f8", "c16", "S4", "U3"])
def test_zero_d_and_zero_size(dtype):
    if np.dtype(dtype).kind in "SU":
        s = np.array(["ab", "c"], dtype=dtype)
        assert jitex.evaluate("s == s", local_dict={"s": s[:0]}).shape == (0,)
        assert jitex.evaluate("s < 'b'", local_dict={"s": s[0]}).shape == ()
        return
    a = sample(dtype)
    r = check("a + a", a=a[0:0])
    assert r.shape == (0,)
    z = np.asarray(a[3])
    r = check("z * 2", z=z)
    assert r.shape == ()
    e = np.empty((3, 0, 2), dtype=dtype)
    assert jitex.evaluate("e + 1", local_dict={"e": e}).shape == (3, 0, 2)


def test_nd_broadcast_strided_reversed_fortran():
    base = np.arange(4 * 6 * 5, dtype="f8").reshape(4, 6, 5)
    row = np.arange(5.0)
    col = np.arange(6.0).reshape(6, 1)
    check("x * row + col", x=base, row=row, col=col)
    check("x * 2", x=base[:, ::2, ::-1])
    check("x - y", x=base[::-1], y=base[:, ::-1])
    f = np.asfortranarray(base)
    check("f + x", f=f, x=base)
    check("f * 3", f=f)
    check("t + 1", t=base.T)


def test_unaligned_and_byteswapped():
    raw = np.zeros(8 * 10 + 1, dtype=np.uint8)[1:].view("f8")
    raw[:] = np.arange(10.0)
    assert not raw.flags.aligned
    check("u * 2 + 1", u=raw)
    big = np.arange(10, dtype=">i4")
    r = check("b + 1", b=big)
    assert r.dtype.isnative
    bigc = (np.arange(4) + 1j).astype(">c16")
    check("z * z", z=bigc)


def test_record_fields_irregular_strides():
    rec = np.zeros(10, dtype=[("a", "i4"), ("b", "f8"), ("c", "u2")])
    rec["a"] = np.arange(10)
    rec["b"] = np.arange(10) * 0.5
    check("a * b + c", a=rec["a"], b=rec["b"], c=rec["c"])


def test_python_scalars_and_lists():
    a = np.arange(5.0)
    assert jitex.evaluate("a + k", local_dict={"a": a, "k": 2}).tolist() == [2, 3, 4, 5, 6]
    assert jitex.evaluate("a + k", local_dict={"a": a, "k": 2.5}).dtype == np.float64
    assert jitex.evaluate("l * 2", local_dict={"l": [1, 2, 3]}).tolist() == [2, 4, 6]
    assert jitex.evaluate("where(t, 1, 0)", local_dict={"t": True}).tolist() == 1
    r = jitex.evaluate("z * 2", local_dict={"z": 1 + 2j})
    assert r.dtype == np.complex128 and r == 2 + 4j
    r = jitex.evaluate("2*a1", local_dict={"a1": np.float32(3)})
    assert r.shape == () and r.dtype == np.float32


def test_scalar_results_are_zero_d_arrays():
    r = jitex.evaluate("1 + 2")
    assert isinstance(r, np.ndarray) and r.shape == () and r == 3
    r = jitex.evaluate("sum(a)", local_dict={"a": np.arange(4)})
    assert isinstance(r, np.ndarray) and r.shape == () and r.dtype == np.int64 and r == 6


def test_strings_bytes_and_unicode():
    s = np.array([b"abc", b"", b"xab", b"b"])
    assert jitex.evaluate("contains(s, b'ab')", local_dict={"s": s}).tolist() == [True, False, True, False]
    assert jitex.evaluate("s < b'b'", local_dict={"s": s}).tolist() == (s < b"b").tolist()
    u = np.array(["héllo", "wörld", ""])
    assert jitex.evaluate("u == 'wörld'", local_dict={"u": u}).tolist() == [False, True, False]
    assert jitex.evaluate("contains(u, 'll')", local_dict={"u": u}).tolist() == [True, False, False]


def test_results_own_their_memory():
    a = np.arange(1000.0)
    r = jitex.evaluate("a * 2", local_dict={"a": a})
    assert r.flags.c_contiguous and r.flags.writeable and r.flags.aligned
    r[0] = 99.0  # writable, independent of the input
    assert a[0] == 0.0
    del a
    assert r[1] == 2.0


def test_inputs_are_not_modified():
    a = np.arange(10.0)
    b = np.arange(10, dtype=">f8")
    keep = a.copy(), b.copy()
    jitex.evaluate("a * b + 1", local_dict={"a": a, "b": b})
    np.testing.assert_array_equal(a, keep[0])
    np.testing.assert_array_equal(b, keep[1])
    assert b.dtype == np.dtype(">f8")


def test_float16_computes_in_float32():
    h = np.array([0.5, 1.5, 65504.0], dtype="f2")
    r = jitex.evaluate("h * 2 + 1", local_dict={"h": h})
    assert r.dtype == np.float32
    np.testing.assert_array_equal(r, h.astype("f4") * 2 + 1)


def test_unsupported_dtype_is_a_clear_error():
    with pytest.raises(ValueError, match="longdouble|float128"):
        jitex.evaluate("q + 1", local_dict={"q": np.ones(3, dtype=np.longdouble)})
    with pytest.raises(ValueError, match="object"):
        jitex.evaluate("o + 1", local_dict={"o": np.array([1, "x"], dtype=object)})
