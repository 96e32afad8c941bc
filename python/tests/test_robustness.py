"""Nothing a user passes crashes the interpreter: random token soup, odd values and odd
arrays only ever give a result or a Python exception."""

import random

import numpy as np

import jitex

TOKENS = [
    "a", "b", "s", "z", "1", "0", "-1", "2.5", "1e308", "1j", "True", "b'x'", "'y'",
    "+", "-", "*", "/", "//", "%", "**", "<", "==", "&", "|", "~", "<<", ">>", "(", ")",
    ",", ";", "=", "t", "sin(", "where(", "sum(", "axis=", "contains(", "complex(", ".real",
    "int8(", "float32(", "abs(", "arctan2(", "max(", "mean(", " ",
]


def inputs(rng):
    n = rng.choice([0, 1, 3, 17])
    pick = rng.choice
    return {
        "a": pick([np.arange(n, dtype=pick(["i1", "i8", "u4", "f4", "f8"])), 3, -2.5, True, [1, 2]]),
        "b": pick([np.ones((2, n)), np.arange(n)[::-1], np.int32(-2**31), np.float64("nan")]),
        "s": pick([np.array([b"ab", b""]), np.array(["xy", "z"]), b"abc"]),
        "z": pick([np.array([1 + 2j, np.nan * 1j]), np.complex64(1j)]),
        "t": pick([np.zeros((0, 3)), None, "text", object()]),
    }


def test_random_token_soup_never_crashes():
    rng = random.Random(20261201)
    for _ in range(3000):
        ex = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 12)))
        try:
            r = jitex.evaluate(ex, local_dict=inputs(rng), global_dict={})
        except Exception:
            continue
        assert isinstance(r, (np.ndarray, tuple))


def test_arbitrary_text_never_crashes():
    rng = random.Random(7)
    for _ in range(1000):
        ex = "".join(chr(rng.choice([rng.randint(0, 127), rng.randint(0, 0x10FFFF)])) for _ in range(rng.randint(0, 20)))
        try:
            jitex.evaluate(ex, local_dict={}, global_dict={})
        except Exception:
            pass


def test_non_string_expressions():
    for bad in (None, 3, b"a+1", ["a"]):
        try:
            jitex.evaluate(bad, local_dict={}, global_dict={})
        except (TypeError, ValueError):
            pass
