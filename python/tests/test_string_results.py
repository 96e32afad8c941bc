"""String results: `evaluate('s')` returns a copy of an S or U array, byte for byte."""

import numpy as np
import pytest

import jitex


def test_null_chars():
    # numexpr's test_null_chars: every stored byte comes back, NULs included.
    str_list = [
        b"\0\0\0", b"\0\0foo\0", b"\0\0foo\0b", b"\0\0foo\0b\0",
        b"foo\0", b"foo\0b", b"foo\0b\0", b"foo\0bar\0baz\0\0",
    ]
    for s in str_list:
        r = jitex.evaluate("s")
        assert r.dtype == np.dtype(f"S{len(s)}") and r.shape == ()
        assert r.tobytes() == s


def test_compare_copy():
    # numexpr's test_compare_copy, for S and U arrays.
    sarr = np.array([b"foo\0b\0", b"\0\0foo\0", b"", b"\xffz"])
    uarr = np.array(["héllo", "a\0b", "", "\U0001F600"])
    for arr in (sarr, uarr):
        for ex in ("arr", "copy(arr)", "t = arr; t"):
            r = jitex.evaluate(ex)
            np.testing.assert_array_equal(r, eval("arr"))
            assert r.dtype == arr.dtype and r.tobytes() == arr.tobytes()
            assert not np.shares_memory(r, arr)


def test_layouts():
    base = np.array([b"ab\0", b"\0cd", b"efg", b"h"] * 50_000)
    cases = [
        base[::3],
        base[::-1],
        base.reshape(200, 1000).T,
        base.reshape(10, 20, 1000)[:, ::-2, 5:9],
        np.broadcast_to(base[1], (3, 4)),
        base[:0],
        base.reshape(200, 1000)[:, :0],
        base[2:3].reshape(()),
    ]
    for x in cases:
        r = jitex.evaluate("x")
        assert r.dtype == x.dtype and r.shape == x.shape
        assert r.tobytes() == np.ascontiguousarray(x).tobytes()
        assert r.flags.c_contiguous and r.flags.writeable
        f = jitex.evaluate("x", order="F")
        np.testing.assert_array_equal(f, x)


def test_literals():
    r = jitex.evaluate("b'a\\0b'")
    assert r.dtype == np.dtype("S3") and r.shape == () and r.tobytes() == b"a\0b"
    # A text literal is `str`, as NumPy's np.array('abc') (numexpr cannot return one).
    r = jitex.evaluate("'abc'")
    assert r.dtype == np.dtype("U3") and r[()] == "abc"


def test_out():
    s = np.array([b"foo\0", b"\0\0b", b"xyz"])
    out = np.empty(3, "S4")
    assert jitex.evaluate("s", out=out) is out
    assert out.tobytes() == s.tobytes()
    rev = np.zeros(6, "S4")[::-2]
    jitex.evaluate("s", out=rev)
    np.testing.assert_array_equal(rev, s)
    # In place, and numexpr's casting rules for an `out` of another dtype.
    t = s.copy()
    jitex.evaluate("t", out=t)
    assert t.tobytes() == s.tobytes()
    short = np.empty(3, "S2")
    jitex.evaluate("s", out=short)
    np.testing.assert_array_equal(short, [b"fo", b"", b"xy"])
    with pytest.raises(TypeError):
        jitex.evaluate("s", out=np.empty(3))


def test_several_outputs():
    s = np.array([b"ab", b"cd", b"ab"])
    u = np.array(["x", "yz", ""])
    k = jitex.compile("c = s; m = s == b'ab'; d = copy(u)", outputs=["c", "m", "d"])
    c, m, d = k(s, u)
    assert c.tobytes() == s.tobytes() and d.tobytes() == u.tobytes()
    assert m.tolist() == [True, False, True]


def test_string_misuse_raises():
    s = np.array([b"ab", b"cd"])
    for ex in ("where(s == b'ab', s, s)", "s + b'a'", "sum(s)"):
        with pytest.raises(TypeError):
            jitex.evaluate(ex)
