"""pandas' numexpr paths on jitex give what they give on the real numexpr.

``jitex.install_as_numexpr()`` makes ``import numexpr`` give jitex, so that pandas uses it
for ``pandas.eval``, ``DataFrame.eval`` and ``DataFrame.query`` with engine='numexpr' and
for the fast path of ``pandas.core.computation.expressions``, which DataFrame and Series
arithmetic, comparisons and ``where`` take on operands of more than ``_MIN_ELEMENTS``
elements. pandas decides whether numexpr exists when it is first imported, so each side
runs in its own interpreter: the helper script below computes every case of ``CASES``
and pickles the results, once with the real numexpr and once with jitex installed as
numexpr first. The helper wraps ``numexpr.evaluate`` to log the expressions pandas sends
it, so the tests also prove that jitex was really called where numexpr is, and that it
did not raise where numexpr did not (pandas falls back to NumPy on some exceptions,
which would hide a failure).

Where numexpr is not installed, the reference side runs the same cases with
engine='python' and the fast path off (pandas then uses NumPy).

Run one side by hand to look at it:

    python python/tests/test_pandas.py jitex    # or: numexpr, python
"""

import math
import os
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

# ---------------------------------------------------------------------------------------
# The cases: name -> Python source run by the helper in a namespace holding the frames,
# `pd`, `np`, `ENGINE` ('numexpr', or 'python' for a reference without numexpr) and a few
# locals for `@name`. An expression gives the result; statements set `result`.
#
#   S, L   : small (64 rows) and large (200_000 rows) frames, columns
#            a b (float64 with NaN), c (float64 > 0), i j (int64, j never 0),
#            k (int32), f (float32), p q (bool), s (str), `my col` (float64)
#   FF FF2 : 300_000 x 4 float64 frames (one block of 1.2e6 > _MIN_ELEMENTS), with NaN
#   FI FI2 : 300_000 x 4 int64 frames;  FB FB2: bool;  F32: float32;  K32: int32
#   SF ... : the same 4 x 64 (below _MIN_ELEMENTS: pandas does not use numexpr)
#   BS1 BS2: 1_100_000-element float64 Series;  BI1: int64
# ---------------------------------------------------------------------------------------

EVAL_EXPRESSIONS = {
    # arithmetic
    "add": "a + b",
    "sub_mul": "a - b * c",
    "truediv": "a / c",
    "scalar_arith": "a * 2.5 + 1",
    "neg": "-a",
    "pow2": "a ** 2",
    "pow_half": "c ** 0.5",
    "pow_col": "c ** b",
    "int_add": "i + j",
    "int_mul_sub": "i * j - 3",
    "int_truediv": "i / j",
    "int_pow": "i ** 2",
    "int_float_mix": "i + a",
    "int32_int64": "k + i",
    "int32_scalar": "k * 3",
    "float32_scalar": "f * 2.5",
    "float32_float64": "f + a",
    "int32_float32": "k * f",
    "float32_float32": "f * f - f",
    "float32_int_const": "f + 1",
    "float32_local": "f * @x",
    "int32_int32": "k + k",
    "int32_local": "k * @n",
    "int32_float_const": "k * 2.5",
    "mod_float": "a % c",
    "mod_int": "i % j",
    "floordiv_int": "i // j",
    "floordiv_float": "a // c",
    "div_zero_float": "a / (c - c)",
    "div_zero_int": "i / (j - j)",
    "mod_zero_int": "i % (j - j)",
    "floordiv_zero_int": "i // (j - j)",
    "int_pow_neg": "j ** -1",
    "int_pow_cols": "j ** (i - i + 2)",
    "invert_int": "~i",
    "bool_arith": "p * a",
    "bool_add": "p + q",
    "bool_sub": "p - q",
    "bool_neg": "-p",
    "complex_expr": "(a + b) * (c - 1) / (1 + c ** 2)",
    # comparisons
    "gt": "a > b",
    "ge_scalar": "a >= 0",
    "int_eq": "i == j",
    "int_ne_scalar": "i != 3",
    "lt_mixed": "a < i",
    "float32_gt": "f > 0.5",
    "bool_eq": "p == q",
    "bool_gt": "p > q",
    "bool_int_eq": "p == 1",
    "chained_cmp": "0 < c < 2",
    "nan_self_eq": "a == a",
    "nan_self_ne": "a != a",
    # boolean combinations
    "and_op": "(a > 0) & (b < 0)",
    "or_op": "(a > 0) | (i > 5)",
    "invert_cmp": "~(a > 0)",
    "and_kw": "a > 0 and b < 0",
    "or_not_kw": "a > 0 or not (b < 0)",
    "not_bool_col": "not p",
    "invert_bool_col": "~p",
    "bool_and": "p & q",
    "bool_or_invert": "p | ~q",
    "bool_xor": "p ^ q",  # pandas' parser rejects ^ (AttributeError), on both sides
    "cmp_eq_bool": "(a > 0) == p",
    "low_precedence_or": "a < 0 | b > 0",
    "low_precedence_and": "i > 2 & j < 0",
    # where-like masks
    "mask_mul": "(a > 0) * a",
    "mask_arith": "(a > b) * a + (a <= b) * b",
    # functions
    "sin": "sin(a)",
    "cos_exp": "cos(a) + exp(b)",
    "log": "log(c)",
    "log_neg": "log(a)",
    "log10": "log10(c)",
    "log1p": "log1p(c)",
    "expm1": "expm1(a)",
    "sqrt": "sqrt(c)",
    "sqrt_neg": "sqrt(a)",
    "abs": "abs(a)",
    "abs_int": "abs(i)",
    "arctan2": "arctan2(a, b)",
    "sinh": "sinh(a)",
    "cosh": "cosh(b)",
    "tanh": "tanh(a)",
    "arcsin": "arcsin(a / 2)",
    "arccos": "arccos(b / 2)",
    "arctan": "arctan(a)",
    "arcsinh": "arcsinh(a)",
    "arccosh": "arccosh(c + 1)",
    "arctanh": "arctanh(a / 4)",
    "floor": "floor(a)",
    "ceil": "ceil(a)",
    "sin_int": "sin(i)",
    "exp_float32": "exp(f)",
    "sqrt_int32": "sqrt(k)",
    "func_nested": "sqrt(abs(sin(a) * cos(b))) + log1p(c)",
    "abs_int32": "abs(k)",
    "abs_float32": "abs(f)",
    "sqrt_float32": "sqrt(f)",
    "arctan2_int": "arctan2(i, j)",
    "arctan2_float32": "arctan2(f, f + 1)",
    "sum": "sum(a)",  # pandas: '"sum" is not a supported function', on both sides
    "method_sum": "a.sum()",
    # local variables and backticks
    "local_scalar": "a > @x",
    "local_two": "a * @x + @y",
    "local_int": "i + @n",
    "local_array": "a + @arr",
    "backtick": "`my col` * 2 + a",
}

QUERY_EXPRESSIONS = {
    "gt0": "a > 0",
    "col_col": "a > b",
    "and_kw": "a > 0 and i < 5",
    "or_kw": "a > 1 or j < -3",
    "bool_col": "p",
    "not_bool_col": "not p",
    "local": "a > @x",
    "int_eq": "i == 3",
    "str_eq": "s == 'x'",
    "str_ne_and": "s != 'z' and a > 0",
    "str_in": "s in ['x', 'y']",
    "str_in_or": "s in ['x', 'y'] or i > 5",
    "nan_rows": "a != a",
    "not_nan_rows": "a == a",
    "index": "index > 10 and c < 1",
    "low_precedence": "a < 0 | b > 0",
    "func": "sin(a) > cos(b)",
    "arith_cmp": "a + b > c * 2",
    "float32": "f < 0.25",
    "backtick": "`my col` > 0",
}

CASES = {}
for _frame in ("S", "L"):
    for _name, _ex in EVAL_EXPRESSIONS.items():
        CASES[f"eval_{_frame}_{_name}"] = f"{_frame}.eval({_ex!r}, engine=ENGINE)"
    for _name, _ex in QUERY_EXPRESSIONS.items():
        CASES[f"query_{_frame}_{_name}"] = f"{_frame}.query({_ex!r}, engine=ENGINE)"
    CASES.update({
        # assignment: one line, several lines, in place, a target
        f"assign_{_frame}_one": f"{_frame}.eval('z = a + b', engine=ENGINE)",
        f"assign_{_frame}_overwrite": f"{_frame}.eval('a = a * 2', engine=ENGINE)",
        f"assign_{_frame}_multi": f"{_frame}.eval('''\nz = a + b\nw = z * c - i\nm = w > 0\n''', engine=ENGINE)",
        f"assign_{_frame}_target": (
            f"pd.eval('z = {_frame}.a * 2 - {_frame}.c', target={_frame}.copy(), engine=ENGINE)"),
        f"eval_{_frame}_local_dict": f"{_frame}.eval('a + @w', local_dict={{'w': 2.0}}, engine=ENGINE)",
        f"eval_{_frame}_python_parser": (
            f"{_frame}.eval('(a > 0) & (b < 0) | (i == 3)', parser='python', engine=ENGINE)"),
        f"assign_{_frame}_inplace": (
            f"result = {_frame}.copy()\n"
            "result.eval('z = sqrt(c) + k', inplace=True, engine=ENGINE)"
        ),
        # pandas.eval on frames, series and locals
        f"pd_eval_{_frame}_series": f"pd.eval('{_frame}.a + {_frame}.b * 2', engine=ENGINE)",
        f"pd_eval_{_frame}_local": f"pd.eval('{_frame}.a * x - y', engine=ENGINE)",
        f"pd_eval_{_frame}_frames": f"pd.eval('{_frame}[[\"a\", \"b\"]] * 2 + {_frame}[[\"a\", \"b\"]]', engine=ENGINE)",
        f"pd_eval_{_frame}_cmp": f"pd.eval('{_frame}.a > {_frame}.b and {_frame}.i < 3', engine=ENGINE)",
        f"pd_eval_{_frame}_aligned": f"pd.eval('{_frame}.a + {_frame}.b.iloc[::-2]', engine=ENGINE)",
        f"pd_eval_{_frame}_func": f"pd.eval('arctan2({_frame}.a, {_frame}.c) + abs({_frame}.b)', engine=ENGINE)",
        # masks from eval
        f"mask_{_frame}_where": f"{_frame}[['a', 'b', 'c']].where({_frame}.eval('a > b', engine=ENGINE))",
        f"mask_{_frame}_select": f"{_frame}[{_frame}.eval('(a > 0) & ~p', engine=ENGINE)]",
        f"mask_{_frame}_series_where": f"{_frame}.a.where({_frame}.eval('c < 1', engine=ENGINE), -1.0)",
    })

# pandas.core.computation.expressions: DataFrame/Series ops on more than _MIN_ELEMENTS
# elements go to numexpr ("left_value op right_value", "where(...)"); the small frames
# (prefix S) stay in NumPy on both sides.
FAST_EXPRESSIONS = {
    "add": "{F} + {F}2",
    "sub": "{F} - {F}2",
    "mul": "{F} * {F}2",
    "truediv": "{F} / {F}2",
    "pow": "{F} ** 2",
    "pow_frames": "{F}.abs() ** {F}2",
    "scalar_mul": "{F} * 2.5",
    "scalar_radd": "1.5 + {F}",
    "rsub": "2 - {F}",
    "rtruediv": "1 / {F}",
    "gt": "{F} > {F}2",
    "eq_scalar": "{F} == 0.5",
    "le_scalar": "{F} <= 0",
    "ne": "{F} != {F}2",
    "where": "{F}.where({F} > 0, -{F})",
    "where_scalar": "{F}.where({F} > 0.5, 0.0)",
    "mask": "{F}.mask({F}2 < 0, {F})",
    "int_add": "{I} + {I}2",
    "int_mul_scalar": "{I} * 3",
    "int_truediv": "{I} / {I}2",
    "int_pow": "{I} ** 2",
    "int_pow_frames": "{I}.abs() ** ({I}2.abs() % 3)",
    "int_gt": "{I} > {I}2",
    "int_where": "{I}.where({I} > 0, 0)",
    "int_sub_rscalar": "7 - {I}",
    "bool_and": "{B} & {B}2",
    "bool_or": "{B} | {B}2",
    "bool_xor": "{B} ^ {B}2",
    "bool_eq": "{B} == {B}2",
    "bool_add": "{B} + {B}2",
    "bool_mul": "{B} * {B}2",
    "bool_sub": "{B} - {B}2",
    "bool_where": "{B}.where({B}2, False)",
    "float32_add": "{F32} + {F32}",
    "float32_scalar": "{F32} * 2.0",
    "float32_cmp": "{F32} > 0.5",
    "int32_add": "{K32} + {K32}",
    "float32_int32": "{F32} * {K32}",
    "float32_float64": "{F32} + {F}",
    "int_float": "{I} * {F}",
    "int32_scalar": "{K32} * 3",
}
for _size, _names in (("L", dict(F="FF", I="FI", B="FB", F32="F32", K32="K32")),
                      ("S", dict(F="SF", I="SI", B="SB", F32="S32", K32="SK32"))):
    for _name, _ex in FAST_EXPRESSIONS.items():
        CASES[f"fast_{_size}_{_name}"] = _ex.format(**_names)
CASES.update({
    "fast_L_series_add": "BS1 + BS2",
    "fast_L_series_mul_scalar": "BS1 * 1.5",
    "fast_L_series_gt": "BS1 > BS2",
    "fast_L_series_where": "BS1.where(BS1 > 0, BS2)",
    "fast_L_series_int_float": "BI1 + BS1",
    "fast_L_series_int_pow": "BI1 ** 2",
    "fast_L_series_rpow": "2.0 ** BS1",
})

# Cases whose results go through numexpr.evaluate (checked on the reference side, so a
# pandas that stops sending them would show): every eval/query/assign/pd_eval/mask case
# that pandas does not reject itself, and the large fast-path cases but &, | and ^ of
# bool frames, which pandas computes with its own logical ops.
_FAST_WITHOUT_NUMEXPR = {"fast_L_bool_and", "fast_L_bool_or", "fast_L_bool_xor"}


def _expects_numexpr(name):
    if name.startswith("fast_"):
        return name.startswith("fast_L_") and name not in _FAST_WITHOUT_NUMEXPR
    return True


# Cases known to differ on jitex: name -> what differs. Each is a strict xfail (against
# the real numexpr): a fix in jitex makes it pass, and the test then says so. None are
# left: install_as_numexpr() types with numexpr's rules (int32 * float32 is float32, abs
# of an integer float64, bool `-` a NotImplementedError), so pandas sees numexpr's answers.
XFAIL = {}

# Where the reference is engine='python' (no numexpr), the cases where numexpr itself
# differs from NumPy: jitex, doing what numexpr does, differs there too.
NUMEXPR_IS_NOT_NUMPY = {
    "fast_L_float32_scalar": "numexpr: float32 block * Python float is float64",
    "fast_L_int32_scalar": "numexpr: int32 block * Python int is int64",
}
for _frame in ("S", "L"):
    NUMEXPR_IS_NOT_NUMPY.update({
        f"eval_{_frame}_int32_scalar": "numexpr: int32 * 3 is int64",
        f"eval_{_frame}_int32_local": "numexpr: int32 * @n is int64",
        f"eval_{_frame}_mod_zero_int": "pandas' python engine gives float64, numexpr int64",
        f"eval_{_frame}_floordiv_zero_int": "pandas' python engine gives float64, numexpr int64",
        f"eval_{_frame}_bool_neg": "NumPy negates bool, numexpr raises",
    })

# ---------------------------------------------------------------------------------------
# The helper: argv[1] is 'numexpr' (the real one), 'jitex' or 'python'; argv[2] the path
# of the pickle it writes; the cases come pickled on stdin.
# ---------------------------------------------------------------------------------------

HELPER = r'''
import pickle, sys, warnings

mode, out_path = sys.argv[1], sys.argv[2]
cases = pickle.load(sys.stdin.buffer)
meta = {"mode": mode}

if mode == "jitex":
    meta["pandas_imported_first"] = "pandas" in sys.modules
    import jitex
    installed = jitex.install_as_numexpr()
    meta["jitex_version"] = jitex.__version__
    meta["installed_is_numexpr"] = installed is sys.modules["numexpr"]

calls = []
if mode in ("numexpr", "jitex"):
    import numexpr
    meta["numexpr_jitex"] = bool(getattr(numexpr, "__jitex__", False)
                                 or getattr(numexpr.evaluate, "__module__", "").startswith("jitex"))
    meta["numexpr_is_installed_jitex"] = getattr(numexpr, "__jitex__", False) is True
    meta["numexpr_version"] = numexpr.__version__
    meta["numexpr_file"] = getattr(numexpr, "__file__", None)
    _evaluate = numexpr.evaluate

    def logged_evaluate(ex, *args, **kwargs):
        try:
            result = _evaluate(ex, *args, **kwargs)
        except BaseException as e:
            calls.append((ex, "%s: %s" % (type(e).__name__, e)))
            raise
        calls.append((ex, None))
        return result

    numexpr.evaluate = logged_evaluate

import numpy as np
import pandas as pd
import pandas.core.computation.check as check
import pandas.core.computation.expressions as expressions

meta["pandas_version"] = pd.__version__
meta["NUMEXPR_INSTALLED"] = check.NUMEXPR_INSTALLED
meta["min_elements"] = expressions._MIN_ELEMENTS
if mode in ("numexpr", "jitex"):
    meta["pandas_ne_is_installed"] = getattr(expressions, "ne", None) is sys.modules["numexpr"]
    meta["pandas_ne_jitex"] = getattr(getattr(expressions, "ne", None), "__jitex__", False)
    ENGINE = "numexpr"
else:
    ENGINE = "python"
    pd.set_option("compute.use_numexpr", False)
meta["USE_NUMEXPR"] = expressions.USE_NUMEXPR

rng = np.random.default_rng(20240611)


def with_nan(x, frac=0.1):
    x = x.copy()
    x[rng.random(x.shape) < frac] = np.nan
    return x


def frame(n):
    nz = rng.integers(1, 10, n) * rng.choice([-1, 1], n)
    return pd.DataFrame({
        "a": with_nan(rng.normal(0, 1.5, n)),
        "b": with_nan(rng.normal(0, 1.5, n)),
        "c": rng.uniform(0.01, 3, n),
        "i": rng.integers(-10, 10, n),
        "j": nz,
        "k": rng.integers(-100, 100, n).astype(np.int32),
        "f": rng.uniform(-1, 1, n).astype(np.float32),
        "p": rng.random(n) < 0.5,
        "q": rng.random(n) < 0.3,
        "s": rng.choice(["x", "y", "z"], n),
        "my col": rng.normal(size=n),
    })


def block(n, dtype):
    cols = list("wxyz")
    if dtype == "float64":
        data = {c: with_nan(rng.normal(0, 2, n)) for c in cols}
    elif dtype == "int64":
        data = {c: rng.integers(-50, 50, n) for c in cols}
    elif dtype == "int32":
        data = {c: rng.integers(-50, 50, n).astype(np.int32) for c in cols}
    elif dtype == "float32":
        data = {c: rng.uniform(-1, 1, n).astype(np.float32) for c in cols}
    else:
        data = {c: rng.random(n) < 0.5 for c in cols}
    return pd.DataFrame(data)


ns = {"pd": pd, "np": np, "ENGINE": ENGINE, "x": 0.25, "y": -1.5, "n": 7}
ns["S"] = frame(64)
ns["L"] = frame(200_000)
ns["arr"] = None  # set per frame below
ns["arr_S"] = rng.normal(size=64)
ns["arr_L"] = rng.normal(size=200_000)
for prefix, n in (("F", 300_000), ("S", 64)):
    big = prefix == "F"
    ns["FF" if big else "SF"] = block(n, "float64")
    ns["FF2" if big else "SF2"] = block(n, "float64")
    ns["FI" if big else "SI"] = block(n, "int64")
    ns["FI2" if big else "SI2"] = block(n, "int64")
    ns["FB" if big else "SB"] = block(n, "bool")
    ns["FB2" if big else "SB2"] = block(n, "bool")
    ns["F32" if big else "S32"] = block(n, "float32")
    ns["K32" if big else "SK32"] = block(n, "int32")
ns["BS1"] = pd.Series(with_nan(rng.normal(0, 2, 1_100_000)))
ns["BS2"] = pd.Series(with_nan(rng.normal(0, 2, 1_100_000)))
ns["BI1"] = pd.Series(rng.integers(-20, 20, 1_100_000))
meta["blocks"] = {name: ns[name]._mgr.nblocks for name in ("FF", "FI", "FB", "F32", "K32")}

results = {}
for name, code in cases.items():
    ns["arr"] = ns["arr_L"] if "_L_" in name else ns["arr_S"]
    ns.pop("result", None)
    del calls[:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            try:
                compiled = compile(code, name, "eval")
            except SyntaxError:
                exec(compile(code, name, "exec"), ns)
                value = ns["result"]
            else:
                value = eval(compiled, ns)
            outcome = ("ok", value)
        except Exception as e:
            outcome = ("error", type(e).__name__, str(e), [c.__name__ for c in type(e).__mro__])
    results[name] = {
        "outcome": outcome,
        "calls": list(calls),
        "warnings": sorted({"%s: %s" % (w.category.__name__, w.message) for w in caught}),
    }

with open(out_path, "wb") as fh:
    pickle.dump({"meta": meta, "results": results}, fh, protocol=pickle.HIGHEST_PROTOCOL)
'''


def _numexpr_available():
    """Whether the real numexpr imports, asked of a fresh interpreter (this one may have
    jitex installed as numexpr; a numexpr that is jitex, such as a shim on PYTHONPATH,
    does not count)."""
    check = (
        "import sys, numexpr\n"
        "sys.exit(bool(getattr(numexpr, '__jitex__', False)\n"
        "              or getattr(numexpr.evaluate, '__module__', '').startswith('jitex')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", check], capture_output=True)
    return proc.returncode == 0


# JITEX_PANDAS_REFERENCE=python compares with engine='python' even where numexpr exists.
REFERENCE = os.environ.get("JITEX_PANDAS_REFERENCE") or ("numexpr" if _numexpr_available() else "python")


def run_side(mode, out_path):
    proc = subprocess.run(
        [sys.executable, "-c", HELPER, mode, str(out_path)],
        input=pickle.dumps(CASES),
        capture_output=True,
        timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            "the %s helper failed (exit %d):\n%s" % (mode, proc.returncode, proc.stderr.decode(errors="replace"))
        )
    with open(out_path, "rb") as fh:
        return pickle.load(fh)


class _Sides(dict):
    """The two sides' results, shown briefly in tracebacks."""

    def __repr__(self):
        return "<results of %s>" % ", ".join(self)


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pandas_sides")
    return _Sides({
        "reference": run_side(REFERENCE, tmp / "reference.pkl"),
        "jitex": run_side("jitex", tmp / "jitex.pkl"),
    })


# ---------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------


def _tolerance(dtype):
    """(rtol, atol) for results of ``dtype``: a few ulps of relative error, and an
    absolute error of about an ulp of the O(1) inputs, for results that cancel to near
    zero (numexpr computes float ``a % b`` as ``a - floor(a/b)*b``, NumPy, and jitex,
    with fmod: they differ by an ulp of ``a``)."""
    if dtype == np.float32 or dtype == np.complex64:
        return 1e-5, 1e-6
    return 1e-12, 1e-14


def _compare_arrays(what, ref, got):
    """None if the arrays agree (same dtype and shape; floats close with NaN and inf in
    the same places), else a description of the first difference."""
    ref = np.asarray(ref)
    got = np.asarray(got)
    if ref.dtype != got.dtype:
        return "%s: dtype %s (reference) != %s (jitex)" % (what, ref.dtype, got.dtype)
    if ref.shape != got.shape:
        return "%s: shape %s (reference) != %s (jitex)" % (what, ref.shape, got.shape)
    if ref.dtype.kind in "fc":
        ref_nan, got_nan = np.isnan(ref), np.isnan(got)
        if not np.array_equal(ref_nan, got_nan):
            at = np.flatnonzero((ref_nan != got_nan).ravel())
            return "%s: NaN at %d positions differ, first flat index %d: %r (reference) vs %r (jitex)" % (
                what, at.size, at[0], ref.ravel()[at[0]], got.ravel()[at[0]])
        ok = ~ref_nan
        r, g = ref[ok], got[ok]
        rtol, atol = _tolerance(ref.dtype)
        close = np.isclose(r, g, rtol=rtol, atol=atol) | (r == g)
        if not close.all():
            at = np.flatnonzero(~close)
            return "%s: %d values differ, first %r (reference) vs %r (jitex)" % (
                what, at.size, r[at[0]], g[at[0]])
        return None
    if ref.dtype == object:
        same = all(type(a) is type(b) and (a == b or (a != a and b != b)) for a, b in zip(ref.ravel(), got.ravel()))
    else:
        same = np.array_equal(ref, got)
    if not same:
        diff = np.flatnonzero((ref != got).ravel()) if ref.dtype != object else [0]
        i = diff[0] if len(diff) else 0
        return "%s: %d values differ, first %r (reference) vs %r (jitex)" % (
            what, len(diff), ref.ravel()[i], got.ravel()[i])
    return None


def compare_values(ref, got):
    """None if ``got`` (jitex) is the same result as ``ref``, else what differs."""
    if type(ref) is not type(got):
        return "type %s (reference) != %s (jitex)" % (type(ref).__name__, type(got).__name__)
    if isinstance(ref, pd.DataFrame):
        if list(ref.columns) != list(got.columns):
            return "columns %r (reference) != %r (jitex)" % (list(ref.columns), list(got.columns))
        problem = _compare_arrays("index", ref.index.to_numpy(), got.index.to_numpy())
        if problem:
            return problem
        for col in ref.columns:
            if ref[col].dtype != got[col].dtype:
                return "column %r: dtype %s (reference) != %s (jitex)" % (col, ref[col].dtype, got[col].dtype)
            problem = _compare_arrays("column %r" % (col,), ref[col].to_numpy(), got[col].to_numpy())
            if problem:
                return problem
        return None
    if isinstance(ref, pd.Series):
        if ref.dtype != got.dtype:
            return "dtype %s (reference) != %s (jitex)" % (ref.dtype, got.dtype)
        if ref.name != got.name:
            return "name %r (reference) != %r (jitex)" % (ref.name, got.name)
        return (_compare_arrays("index", ref.index.to_numpy(), got.index.to_numpy())
                or _compare_arrays("values", ref.to_numpy(), got.to_numpy()))
    if isinstance(ref, (np.ndarray, np.generic)):
        return _compare_arrays("array", ref, got)
    if isinstance(ref, float) and math.isnan(ref):
        return None if math.isnan(got) else "%r (reference) != %r (jitex)" % (ref, got)
    return None if ref == got else "%r (reference) != %r (jitex)" % (ref, got)


_HEX = re.compile(r"0x[0-9a-fx]+")


def _normalised(ex):
    """pandas names temporaries after the scope's id, which differs between runs."""
    return _HEX.sub("ID", ex)


def compare_case(name, ref, got):
    """The list of problems with case ``name`` on jitex against the reference."""
    problems = []
    r, g = ref["outcome"], got["outcome"]
    if r[0] == "error" or g[0] == "error":
        # jitex's exception must be an instance of the reference's class (it may be a
        # subclass, e.g. OperandTypeError is both NumPy's TypeError and numexpr's
        # NotImplementedError).
        if r[0] != g[0] or r[1] not in g[3]:
            problems.append("outcome: reference %s, jitex %s" % (
                "%s: %s" % r[1:3] if r[0] == "error" else "a result",
                "%s: %s" % g[1:3] if g[0] == "error" else "a result"))
    else:
        problem = compare_values(r[1], g[1])
        if problem:
            problems.append(problem)
    if REFERENCE == "numexpr":
        # (NumPy warns where numexpr does not, so only against numexpr)
        ref_warnings = [_normalised(w) for w in ref["warnings"]]
        got_warnings = [_normalised(w) for w in got["warnings"]]
        if ref_warnings != got_warnings:
            problems.append("warnings: reference %r, jitex %r" % (ref_warnings, got_warnings))
        ref_calls = [(_normalised(ex), err) for ex, err in ref["calls"]]
        got_calls = [(_normalised(ex), err) for ex, err in got["calls"]]
        if [ex for ex, _ in ref_calls] != [ex for ex, _ in got_calls]:
            problems.append("numexpr.evaluate calls differ: reference %r, jitex %r" % (
                [ex for ex, _ in ref_calls], [ex for ex, _ in got_calls]))
        else:
            for (ex, ref_err), (_, got_err) in zip(ref_calls, got_calls):
                if got_err is not None and ref_err is None:
                    # pandas may have caught it and used NumPy: jitex was not used
                    problems.append("evaluate(%r) raised on jitex (%s); numexpr evaluated it" % (ex, got_err))
    return problems


# ---------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------


def test_reference_side(sides):
    meta = sides["reference"]["meta"]
    if REFERENCE == "numexpr":
        assert meta["NUMEXPR_INSTALLED"] is True
        assert meta["numexpr_jitex"] is False, meta
        assert meta["pandas_ne_is_installed"] and not meta["pandas_ne_jitex"]
    else:
        assert meta["USE_NUMEXPR"] is False


def test_jitex_side_uses_jitex(sides):
    meta = sides["jitex"]["meta"]
    assert meta["pandas_imported_first"] is False
    assert meta["installed_is_numexpr"] is True
    assert meta["numexpr_jitex"] is True, meta
    assert meta["numexpr_is_installed_jitex"] is True, meta
    assert meta["numexpr_version"] == "2.14.2"
    assert meta["NUMEXPR_INSTALLED"] is True
    assert meta["USE_NUMEXPR"] is True
    assert meta["pandas_ne_is_installed"] is True
    assert meta["pandas_ne_jitex"] is True
    # the large frames are one block each, so the fast path sees > _MIN_ELEMENTS
    assert set(meta["blocks"].values()) == {1}
    # and pandas called jitex for every case that goes through numexpr
    results = sides["jitex"]["results"]
    not_called = [name for name in CASES
                  if _expects_numexpr(name) and results[name]["outcome"][0] == "ok"
                  and not results[name]["calls"]]
    assert not not_called


def _params():
    for name in CASES:
        marks = ()
        if REFERENCE == "numexpr":
            if name in XFAIL:
                marks = pytest.mark.xfail(strict=True, reason=XFAIL[name])
        elif name in XFAIL or name in NUMEXPR_IS_NOT_NUMPY:
            # against NumPy these may or may not differ
            reason = XFAIL.get(name) or NUMEXPR_IS_NOT_NUMPY[name]
            marks = pytest.mark.xfail(strict=False, reason=reason)
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_params()))
def test_case(sides, name):
    ref = sides["reference"]["results"][name]
    got = sides["jitex"]["results"][name]
    if _expects_numexpr(name) and REFERENCE == "numexpr" and ref["outcome"][0] == "ok":
        # the case exercises numexpr at all (else it would test nothing of jitex)
        assert ref["calls"], "pandas did not call numexpr.evaluate for %s" % name
    problems = compare_case(name, ref, got)
    assert not problems, "%s (%s):\n  %s" % (name, CASES[name], "\n  ".join(problems))


if __name__ == "__main__":
    # python test_pandas.py MODE: runs the helper for one side and prints each outcome
    import tempfile

    mode = sys.argv[1] if len(sys.argv) > 1 else "jitex"
    with tempfile.TemporaryDirectory() as tmp:
        side = run_side(mode, os.path.join(tmp, "side.pkl"))
    print(side["meta"])
    for name, res in side["results"].items():
        outcome = res["outcome"]
        shown = "%s: %s" % outcome[1:3] if outcome[0] == "error" else type(outcome[1]).__name__
        print("%-40s %-60s calls=%s" % (name, shown[:60], [(ex[:50], err) for ex, err in res["calls"]]))
