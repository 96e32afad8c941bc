"""The peer matrix: jitex against NumPy, numexpr, Numba and JAX on one suite, same threads.

`python benches/python/compare.py --peers` runs it; `run.main` is the entry point. Modules:

* `rows` — the expressions (rows) and their generated inputs;
* `translate` — one expression as a NumPy callable, a `jax.numpy` function and a Numba
  kernel source (element-wise loop bodies translated from the expression's syntax tree,
  reductions from templates);
* `libs` — the in-process contenders (NumPy, numexpr, Numba, jitex), their timed calls and
  cold compiles;
* `jax_worker` — JAX, timed in a subprocess of its own;
* `timing`, `machine` — best-of-k timing, result checks, and what machine this is;
* `report` — the Markdown tables, the summary, the plot and the JSON file.
"""
