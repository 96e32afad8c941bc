"""numexpr's API surface: names, defaults, caches, exceptions, threads, compile objects."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import jitex

G = np.arange(3.0)  # a global, for frame lookup


def test_names_resolve_like_numexpr():
    a = np.arange(3.0)
    np.testing.assert_array_equal(jitex.evaluate("a + G"), a + G)
    np.testing.assert_array_equal(jitex.evaluate("a", local_dict={"a": G * 5}), G * 5)
    r = jitex.evaluate("a + G", local_dict={"a": a}, global_dict={"G": a})
    np.testing.assert_array_equal(r, 2 * a)
    with pytest.raises(KeyError):
        jitex.evaluate("a + nowhere")


def test_re_evaluate_and_validate():
    a = np.arange(3.0)
    jitex.evaluate("a * 10")
    a = np.arange(3.0) + 1
    np.testing.assert_array_equal(jitex.re_evaluate(), a * 10)
    assert jitex.validate("a + 1") is None
    np.testing.assert_array_equal(jitex.re_evaluate(), a + 1)
    assert isinstance(jitex.validate("a + missing"), KeyError)
    assert isinstance(jitex.validate("a +"), SyntaxError)
    assert isinstance(jitex.validate("a < 'x'"), TypeError)


def test_native_evaluate_path_matches_the_python_one():
    # The second call of each form runs natively (the kernel is cached); each must give
    # what the first, in Python, gave.
    a = np.arange(4.0)
    out = np.empty(4)
    forms = [
        lambda: jitex.evaluate("a * 3 + 1", {"a": a}),
        lambda: jitex.evaluate("a * 2 + G", local_dict={"a": a[:3]}),
        lambda: jitex.evaluate("a - G", {"a": a[:3]}, {"G": a[1:]}),
        lambda: jitex.evaluate("a * 5", local_dict={"a": a}, out=out),
    ]
    for form in forms:
        first = np.copy(form())
        np.testing.assert_array_equal(form(), first)
    # Names from the caller's frame: its locals, then its globals.
    for _ in range(2):
        np.testing.assert_array_equal(jitex.evaluate("a * 7 + 1"), a * 7 + 1)
        np.testing.assert_array_equal(jitex.evaluate("a * 0 + G", None, {"G": a}), a)
        r = jitex.evaluate("a * 7", local_dict=None, global_dict=None, out=None)
        np.testing.assert_array_equal(r, a * 7)
    r = jitex.evaluate("a * 2 + G", local_dict={"a": a[:3]})
    np.testing.assert_array_equal(r, a[:3] * 2 + G)
    assert jitex.evaluate("a * 5", local_dict={"a": a}, out=out) is out
    # The native call is remembered for re_evaluate, `out` included.
    np.testing.assert_array_equal(jitex.re_evaluate(local_dict={"a": a + 1}), (a + 1) * 5)
    np.testing.assert_array_equal(out, (a + 1) * 5)
    # A name missing from local_dict and from the globals is still a KeyError.
    jitex.evaluate("a + 0.5", local_dict={"a": a})
    with pytest.raises(KeyError):
        jitex.evaluate("a + 0.5 + nowhere", local_dict={"a": a})
    with pytest.raises(KeyError):
        jitex.evaluate("nowhere + 0.5")
    # Arguments given twice are Python's TypeError, on either path.
    with pytest.raises(TypeError):
        jitex.evaluate("a * 5", {"a": a}, local_dict={"a": a})
    # Options other than local_dict, global_dict and out take the Python path.
    f = jitex.evaluate("b * 2", local_dict={"b": np.ones((3, 4))}, order="F")
    assert f.flags.f_contiguous


def test_numexpr_typed_module_keeps_its_own_kernels_and_last_call():
    code = """
import numpy as np, jitex
ne = jitex.install_as_numexpr()
k = np.arange(3, dtype=np.int32); f = np.ones(3, dtype=np.float32)
for _ in range(2):
    assert ne.evaluate("k * f").dtype == np.float32
    assert jitex.evaluate("k * f").dtype == np.float64
ne.evaluate("k + 1")
jitex.evaluate("k * 2")
assert (ne.re_evaluate() == k + 1).all()
assert (jitex.re_evaluate() == k * 2).all()
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_keyword_arguments_as_numexpr():
    a = np.arange(3)
    for opt in ("none", "moderate", "aggressive"):
        jitex.evaluate("a + 1", optimization=opt)
    for td in (True, False, "auto"):
        np.testing.assert_array_equal(jitex.evaluate("a / 2", truediv=td), a / 2)
    with pytest.raises(ValueError):
        jitex.evaluate("a + 1", optimization="max")
    with pytest.raises(ValueError):
        jitex.evaluate("a + 1", bogus=1)
    with pytest.raises(ValueError):
        jitex.evaluate("a + 1", order="Q")
    with pytest.raises(ValueError):
        jitex.evaluate("a + 1", casting="sometimes")
    f = jitex.evaluate("b * 2", local_dict={"b": np.ones((3, 4))}, order="F")
    assert f.flags.f_contiguous


def test_exception_classes():
    a = np.arange(3)
    with pytest.raises(SyntaxError) as e:
        jitex.evaluate("a +* 2")
    assert "^" in str(e.value)
    with pytest.raises(TypeError):
        jitex.evaluate("(a > 1) and (a < 3)")
    with pytest.raises(ValueError):  # numexpr's sanitizer forbids `[`
        jitex.evaluate("a < [0, 0, 0]")
    with pytest.raises(TypeError):
        jitex.evaluate("a < [0, 0, 0]", sanitize=False)
    with pytest.raises(TypeError):
        jitex.evaluate("sin(a, a)")
    with pytest.raises(TypeError):
        jitex.evaluate("s + 1", local_dict={"s": np.array([b"x"])})
    with pytest.raises(ValueError):
        jitex.evaluate("a + b", local_dict={"a": np.ones(3), "b": np.ones(4)})
    with pytest.raises(ValueError):
        jitex.evaluate("sum(a, axis=3)")
    with pytest.raises(ValueError):
        jitex.evaluate("min(e)", local_dict={"e": np.ones(0)})


def test_sanitize_like_numexpr(monkeypatch):
    for bad in ("__import__('os')", "a[0]", "a.T", "lambda x: x", "import os;"):
        with pytest.raises(ValueError):
            jitex.evaluate(bad, local_dict={"a": np.ones(2)})
    with pytest.raises(SyntaxError):
        jitex.evaluate("import os;", sanitize=False)
    monkeypatch.setenv("NUMEXPR_SANITIZE", "0")
    with pytest.raises(SyntaxError):
        jitex.evaluate("import os;")
    # jitex programs use `;` but never reach Python's eval: they are allowed.
    monkeypatch.delenv("NUMEXPR_SANITIZE")
    a = np.arange(3.0)
    np.testing.assert_array_equal(jitex.evaluate("t = a*2; t + 1"), a * 2 + 1)


def test_compile_object_is_the_fast_path():
    k = jitex.compile("2*a + b")
    assert k.input_names == ("a", "b")
    a, b = np.arange(4.0), np.ones(4)
    np.testing.assert_array_equal(k(a, b), 2 * a + b)
    np.testing.assert_array_equal(k(a, b=b), 2 * a + b)
    np.testing.assert_array_equal(k(b=b, a=a), 2 * a + b)
    out = np.empty(4)
    assert k(a, b, out=out) is out
    with pytest.raises(TypeError):
        k(a)
    with pytest.raises(SyntaxError):
        jitex.compile("2*")
    p = jitex.compile("t = a*b; x = t + 1; y = t - 1", outputs=["x", "y"])
    x, y = p(a, b)
    np.testing.assert_array_equal(x, a * b + 1)
    np.testing.assert_array_equal(y, a * b - 1)


def test_numexpr_objects_and_expression_builder():
    E = jitex.E
    f = jitex.NumExpr(2.0 * E.a + 3.0 * E.b * E.c, signature=[("a", np.double), ("b", np.double), ("c", np.double)])
    np.testing.assert_array_equal(f(np.array([1.0, 2, 3]), np.array([4.0, 5, 6]), np.array([7.0, 8, 9])), [86.0, 124.0, 168.0])
    g = jitex.NumExpr("(a + 2*b) / 2")  # inputs in alphabetical order, float64
    np.testing.assert_array_equal(g(np.arange(3), np.ones(3)), (np.arange(3) + 2.0) / 2)
    assert g.run(np.arange(3), np.ones(3)).dtype == np.float64
    listing = jitex.disassemble(g)
    assert listing and all(isinstance(line, str) for line in listing)


def test_thread_settings():
    old = jitex.set_num_threads(2)
    assert jitex.get_num_threads() == 2
    assert jitex.set_num_threads(old) == 2
    assert jitex.detect_number_of_cores() >= 1
    assert jitex.ncores == jitex.detect_number_of_cores()
    assert 1 <= jitex.nthreads <= jitex.MAX_THREADS
    with pytest.raises(ValueError):
        jitex.set_num_threads(0)
    assert jitex.use_vml is False
    assert jitex.set_vml_num_threads(3) is None and jitex.get_vml_num_threads() is None
    assert jitex.get_vml_version() is None and jitex.set_vml_accuracy_mode("fast") is None


def _threads_in_subprocess(env):
    code = "import jitex; print(jitex.nthreads, jitex.MAX_THREADS, jitex.get_num_threads())"
    full = {k: v for k, v in os.environ.items() if not k.endswith("_THREADS")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True)
    return tuple(int(x) for x in out.stdout.split())


def test_thread_environment_variables():
    assert _threads_in_subprocess({"NUMEXPR_NUM_THREADS": "3", "OMP_NUM_THREADS": "5"})[0] == 3
    assert _threads_in_subprocess({"OMP_NUM_THREADS": "5"})[0] == 5
    assert _threads_in_subprocess({"JITEX_NUM_THREADS": "2", "NUMEXPR_NUM_THREADS": "3"})[0] == 2
    assert _threads_in_subprocess({"NUMEXPR_MAX_THREADS": "4"})[1] == 4
    n, mx, cur = _threads_in_subprocess({})
    assert n == cur == min(jitex.detect_number_of_cores(), 16) and mx == 64


def test_many_python_threads_at_once():
    a = np.arange(200_000.0)
    want = np.sin(a) * 2 + a
    errors = []

    def work():
        try:
            for _ in range(20):
                np.testing.assert_allclose(jitex.evaluate("sin(a)*2 + a", local_dict={"a": a}), want)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_threads_share_caches_kernels_and_settings():
    # Many threads at once over one process's caches: more distinct expressions than
    # evaluate's kernel cache holds (so entries are evicted while others read them), one
    # compiled kernel shared by all, calls small enough to keep the GIL and large enough
    # to release it, `out=`, re_evaluate, and thread-count changes in between. In a
    # free-threaded build these really run in parallel.
    import random

    rng = np.random.default_rng(1)
    sizes = (1, 1000, 50_000)
    data = {n: (rng.random(n), rng.random(n)) for n in sizes}
    shared = jitex.compile("a*b - a")
    errors = []

    def work(seed):
        r = random.Random(seed)
        try:
            for i in range(150):
                n = r.choice(sizes)
                a, b = data[n]
                k = r.randrange(300)
                if i % 5 == 0:
                    np.testing.assert_array_equal(shared(a, b), a * b - a)
                elif i % 5 == 1:
                    out = np.empty(n)
                    jitex.evaluate(f"a*{k} + b", local_dict={"a": a, "b": b}, out=out)
                    np.testing.assert_allclose(out, a * k + b, rtol=1e-15)
                    np.testing.assert_allclose(jitex.re_evaluate({"a": b, "b": a}), b * k + a, rtol=1e-15)
                elif i % 5 == 2 and seed == 0:
                    jitex.set_num_threads(1 + i % 2)
                else:
                    got = jitex.evaluate(f"a*{k} + b", local_dict={"a": a, "b": b})
                    np.testing.assert_allclose(got, a * k + b, rtol=1e-15)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]


def test_free_threaded_builds_keep_the_gil_off():
    import sysconfig

    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        pytest.skip("not a free-threaded build")
    # Importing jitex (a `gil_used = false` module) must not turn the GIL back on.
    assert not sys._is_gil_enabled()


def test_gil_is_released_while_kernels_run():
    # A Python thread keeps counting while the main thread runs one long kernel: with the
    # GIL held during the kernel, the counter could not move.
    a = np.random.default_rng(0).random(20_000_000)
    k = jitex.compile("sin(a)*cos(a) + sqrt(a)")
    k(a[:10])
    jitex.set_num_threads(1)
    counts = []
    stop = threading.Event()

    def count():
        n = 0
        while not stop.is_set():
            n += 1
        counts.append(n)

    sys_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        t = threading.Thread(target=count)
        t.start()
        import time

        time.sleep(0.01)
        before = time.perf_counter()
        k(a)
        elapsed = time.perf_counter() - before
        stop.set()
        t.join()
    finally:
        sys.setswitchinterval(sys_interval)
    assert elapsed > 0.02
    assert counts[0] > 1000


def test_install_as_numexpr_in_a_subprocess():
    code = (
        "import jitex; m = jitex.install_as_numexpr()\n"
        "import numexpr, numexpr.utils, numexpr.necompiler\n"
        "import numpy as np\n"
        "assert numexpr is m and numexpr.__jitex__ and numexpr.__version__ == '2.14.2'\n"
        "a = np.arange(3.0)\n"
        "assert (numexpr.evaluate('a*2') == a*2).all()\n"
        "assert numexpr.utils.detect_number_of_cores() >= 1\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_version_and_print_versions(capsys):
    assert jitex.__version__
    jitex.print_versions()
    assert "jitex version" in capsys.readouterr().out


def test_numexpr_constants_are_the_distinct_constants():
    from jitex.expressions import ConstantNode

    assert jitex.NumExpr("(a + 1)*(a - 1)", [("a", np.int32)]).constants == (1,)
    nan = ConstantNode(float("nan"))
    consts = jitex.NumExpr((jitex.E.a + nan) * (jitex.E.b + nan),
                           [("a", np.double), ("b", np.double)]).constants
    assert len(consts) == 1 and np.isnan(consts[0])
    consts = jitex.NumExpr("a*2.5 + 3", [("a", np.float32)]).constants
    assert [c.dtype for c in consts] == [np.float32, np.float32] and consts == (2.5, 3.0)
    assert jitex.NumExpr("a", [("a", np.int64)]).constants == ()
