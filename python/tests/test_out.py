"""`out=`: numexpr's casting rules, broadcasting into `out`, in-place updates."""

import numpy as np
import pytest

import jitex


def test_out_is_returned_and_filled():
    a = np.arange(6.0)
    out = np.empty(6)
    r = jitex.evaluate("a * 2", out=out)
    assert r is out
    np.testing.assert_array_equal(out, a * 2)


def test_out_aliasing_an_input():
    x = np.arange(12.0).reshape(3, 4)
    jitex.evaluate("x * 2 + 1", out=x)
    np.testing.assert_array_equal(x, np.arange(12.0).reshape(3, 4) * 2 + 1)
    y = np.arange(10.0)
    jitex.evaluate("y + 1", local_dict={"y": y[::-1]}, out=y)  # out overlaps its input reversed
    np.testing.assert_array_equal(y, np.arange(10.0)[::-1] + 1)


def test_out_casting_rules():
    a = np.arange(5.0)
    o32 = np.empty(5, dtype=np.float32)
    jitex.evaluate("a + 1", out=o32)  # same_kind: float64 -> float32 is allowed
    np.testing.assert_array_equal(o32, (a + 1).astype(np.float32))
    oi = np.empty(5, dtype=np.int64)
    with pytest.raises(TypeError):
        jitex.evaluate("a + 1", out=oi)  # float -> int is not same_kind
    jitex.evaluate("a + 1", out=oi, casting="unsafe")
    np.testing.assert_array_equal(oi, [1, 2, 3, 4, 5])
    with pytest.raises(TypeError):
        jitex.evaluate("a + 1", out=o32, casting="safe")


def test_out_broadcasts_a_smaller_result():
    a = np.empty(5, np.uint8)[1:].view(np.int32)
    jitex.evaluate("3", out=a)
    assert (a == 3).all()
    o = np.zeros((2, 3))
    jitex.evaluate("v * 2", local_dict={"v": np.arange(3.0)}, out=o)
    np.testing.assert_array_equal(o, [[0, 2, 4], [0, 2, 4]])


def test_out_errors():
    a = np.arange(4.0)
    with pytest.raises(ValueError):
        jitex.evaluate("a + 1", out=np.empty(3))
    ro = np.empty(4)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        jitex.evaluate("a + 1", out=ro)
    with pytest.raises(TypeError):
        jitex.evaluate("a + 1", out=[0, 0, 0, 0])


def test_out_strided_and_byteswapped():
    a = np.arange(5.0)
    o = np.zeros(10)[::2]
    jitex.evaluate("a * 3", out=o)
    np.testing.assert_array_equal(o, a * 3)
    ob = np.zeros(5, dtype=">f8")
    jitex.evaluate("a * 3", out=ob)
    np.testing.assert_array_equal(ob, a * 3)
