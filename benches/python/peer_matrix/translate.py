"""One expression, as each peer writes it.

* NumPy: the expression itself, evaluated with NumPy's functions (`sum` is `np.sum`,
  `where` `np.where`, ...): jitex's syntax is Python's, and its semantics NumPy's.
* JAX: the same with `jax.numpy`'s functions, traced by `jax.jit`.
* Numba: a kernel's source, from the expression's syntax tree. Element-wise, each input
  name `a` becomes `a[i]`, `where(c, x, y)` becomes `x if c else y`, `f(...)` becomes
  `np.f(...)` and, when the result is float32, each literal becomes `np.float32(...)` (NumPy
  keeps `2*x` in float32; Numba would widen a Python literal to float64). Reductions have
  loop templates of their own: a `prange` accumulation for one without an axis (a scalar,
  or a variable that the element-wise loop then reads), a loop per output row for
  `axis=1`, and per-thread partial rows combined at the end for `axis=0`.

Every translation is exact for the rows in `rows.ROWS`: the results are checked against
NumPy's on every run.
"""
import ast

import numpy as np

REDUCTIONS = ("sum", "prod", "max", "min", "mean")


class Untranslatable(Exception):
    """The expression has no form for this peer (the matrix shows "-")."""


def functions(expr):
    """Names of the functions `expr` calls."""
    return {n.func.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Call)}


def namespace(expr, module):
    """`module`'s functions for the calls in `expr` (`np` or `jax.numpy`)."""
    return {name: getattr(module, name) for name in functions(expr)}


def numpy_call(expr, env):
    """NumPy's evaluation of `expr` on `env`, as a no-argument callable (compiled once, so
    that small N times NumPy rather than Python's parser)."""
    code = compile(expr, "<row>", "eval")
    ns = dict(namespace(expr, np), **env)
    return lambda: eval(code, {"__builtins__": {}}, ns)  # noqa: S307 — our own fixed rows


def jax_function(expr, names, jnp):
    """A function of the inputs `names` (positional) computing `expr` with `jax.numpy`."""
    code = compile(expr, "<row>", "eval")
    funcs = namespace(expr, jnp)

    def fn(*args):
        return eval(code, {"__builtins__": {}}, dict(funcs, **dict(zip(names, args))))  # noqa: S307

    return fn


# --- Numba ---------------------------------------------------------------------------

_UPDATE = {
    "sum": "{t} += {v}",
    "mean": "{t} += {v}",
    "prod": "{t} *= {v}",
    "max": "{t} = max({t}, {v})",
    "min": "{t} = min({t}, {v})",
}


# Names the kernels use besides the inputs.
_INTERNAL = {"kernel", "out", "size", "i", "r", "j", "k", "acc", "part", "row", "nr", "nc", "nk", "np", "prange", "DT",
             "nthreads"} | {f"r{k}" for k in range(8)}


def _init(op, dtype):
    """The accumulator's starting value for reduction `op` with results of `dtype`."""
    kind = dtype.kind
    if op in ("sum", "mean"):
        return {"i": "0", "u": "0", "c": "0j"}.get(kind, "0.0")
    if op == "prod":
        return {"i": "1", "u": "1", "c": "1 + 0j"}.get(kind, "1.0")
    if kind in "iu":
        info = np.iinfo(dtype)
        return str(info.min if op == "max" else info.max)
    return "-np.inf" if op == "max" else "np.inf"


class _Elementwise(ast.NodeTransformer):
    """Rewrites an expression into a Numba loop body: inputs indexed by `index`, calls to
    NumPy's scalar functions, reductions replaced by the variables in `replaced`."""

    def __init__(self, names, index, f32, replaced=None):
        self.names, self.index, self.f32 = set(names), index, f32
        self.replaced = replaced or {}

    def visit_Name(self, node):
        if node.id in self.names:
            return ast.Subscript(value=ast.Name(node.id, ast.Load()), slice=ast.parse(self.index, mode="eval").body,
                                 ctx=ast.Load())
        return node

    def visit_Constant(self, node):
        if self.f32 and type(node.value) in (int, float):
            return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "float32", ast.Load()), [node], [])
        return node

    def visit_Call(self, node):
        key = ast.unparse(node)
        if key in self.replaced:
            return ast.Name(self.replaced[key], ast.Load())
        name = node.func.id
        if name in REDUCTIONS:
            raise Untranslatable(f"nested reduction {key}")
        self.generic_visit(node)
        if node.keywords:
            raise Untranslatable(f"keyword arguments in {key}")
        if name == "where":
            cond, x, y = node.args
            return ast.IfExp(test=cond, body=x, orelse=y)
        node.func = ast.Attribute(ast.Name("np", ast.Load()), name, ast.Load())
        return node


def _body(node, names, index, f32, replaced=None):
    return ast.unparse(_Elementwise(names, index, f32, replaced).visit(node))


def _reduction_parts(call):
    """(op, argument node, axis or None) of a reduction call."""
    op = call.func.id
    args = list(call.args)
    axis = None
    for kw in call.keywords:
        if kw.arg != "axis":
            raise Untranslatable(f"{op}() keyword {kw.arg}")
        args.append(kw.value)
    if len(args) == 2:
        axis = ast.literal_eval(args[1])
    elif len(args) != 1:
        raise Untranslatable(f"{op}() with {len(args)} arguments")
    return op, args[0], axis


def numba_source(expr, names, dtype, allocating):
    """Source of a Numba function `kernel` for `expr` whose NumPy result has `dtype`.

    With `allocating`, `kernel(*inputs)` returns its result (allocated inside); otherwise
    `kernel(*inputs, out)` writes into `out` (Untranslatable when the result is a
    scalar). The source needs `np`, `prange`, `DT` (the result's scalar type) and
    `nthreads` (numba.get_num_threads) in its globals."""
    clash = _INTERNAL.intersection(names)
    if clash:
        raise Untranslatable(f"input names {sorted(clash)} clash with the kernel's own")
    tree = ast.parse(expr, mode="eval").body
    dtype = np.dtype(dtype)
    f32 = dtype == np.float32
    args = ", ".join(names)
    head = f"def kernel({args}):" if allocating else f"def kernel({args}, out):"
    top_is_reduction = isinstance(tree, ast.Call) and tree.func.id in REDUCTIONS
    if top_is_reduction and _reduction_parts(tree)[2] is not None:
        return _axis_source(tree, names, dtype, head, allocating)

    lines = [head, f"    size = {names[0]}.shape[0]"]
    replaced = {}
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.func.id in REDUCTIONS):
        op, arg, axis = _reduction_parts(call)
        if axis is not None:
            raise Untranslatable("a reduction with an axis inside an expression")
        var = f"r{len(replaced)}"
        body = _body(arg, names, "i", f32)
        lines += [f"    {var} = {_init(op, dtype)}", "    for i in prange(size):",
                  "        " + _UPDATE[op].format(t=var, v=body)]
        if op == "mean":
            lines.append(f"    {var} = {var} / size")
        replaced[ast.unparse(call)] = var
    if top_is_reduction:
        if not allocating:
            raise Untranslatable("a scalar result has no out")
        return "\n".join(lines + [f"    return {replaced[ast.unparse(tree)]}"]) + "\n"
    if allocating:
        lines.append("    out = np.empty(size, DT)")
    lines += ["    for i in prange(size):", f"        out[i] = {_body(tree, names, 'i', f32, replaced)}"]
    if allocating:
        lines.append("    return out")
    return "\n".join(lines) + "\n"


def _axis_source(call, names, dtype, head, allocating):
    op, arg, axis = _reduction_parts(call)
    first = names[0]
    update = _UPDATE[op]
    init = _init(op, dtype)
    if axis in (1, -1):
        # One output element per row: each thread reduces whole rows, in memory order.
        body = _body(arg, names, "r, j", dtype == np.float32)
        fin = f"acc / {first}.shape[1]" if op == "mean" else "acc"
        lines = [head]
        if allocating:
            lines.append(f"    out = np.empty({first}.shape[0], DT)")
        lines += [
            f"    for r in prange({first}.shape[0]):",
            f"        acc = {init}",
            f"        for j in range({first}.shape[1]):",
            "            " + update.format(t="acc", v=body),
            f"        out[r] = {fin}",
        ]
    elif axis == 0:
        # Reducing down columns: each thread folds a block of whole rows (read in memory
        # order) into a partial row of its own; the partial rows are combined at the end.
        # Each iteration updates its row through a view made inside the loop: written as
        # `part[k, j] += ...`, Numba takes `part` for an array reduction across the loop
        # and gives every iteration a private copy to combine (`sum(a, axis=0)` at 1e3:
        # 7.9 µs per element).
        body = _body(arg, names, "r, j", dtype == np.float32)
        fin = "acc / nr" if op == "mean" else "acc"
        lines = [head, f"    nr, nc = {first}.shape", "    nk = max(1, min(nr, nthreads()))"]
        if allocating:
            lines.append("    out = np.empty(nc, DT)")
        lines += [
            "    part = np.empty((nk, nc), DT)",
            "    for k in prange(nk):",
            "        row = part[k]",
            "        for j in range(nc):",
            f"            row[j] = {init}",
            "        for r in range(k * nr // nk, (k + 1) * nr // nk):",
            "            for j in range(nc):",
            "                " + update.format(t="row[j]", v=body),
            "    for j in range(nc):",
            "        acc = part[0, j]",
            "        for k in range(1, nk):",
            "            " + update.format(t="acc", v="part[k, j]"),
            f"        out[j] = {fin}",
        ]
    else:
        raise Untranslatable(f"axis={axis} (the 2-D rows reduce axis 0 or 1)")
    if allocating:
        lines.append("    return out")
    return "\n".join(lines) + "\n"
