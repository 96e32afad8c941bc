#!/usr/bin/env bash
# Builds and tests the Python binding on a free-threaded CPython (3.14t or later: PyO3
# 0.30 refuses free-threaded 3.13), which this project's machines do not ship: pass its
# interpreter, e.g. one built from CPython's sources with `./configure --disable-gil`.
#
#   scripts/free-threaded-check.sh /opt/py314t/bin/python3.14t
#
# It makes target/venv-ft with NumPy, numexpr, pandas and pytest (PyPI has free-threaded
# wheels of each; the numexpr suite run below is still 2.14.2's test file), builds the
# binding without the `abi3` feature (the stable ABI has no free-threaded form), checks
# that importing jitex leaves the GIL off, and runs the pytest suite and numexpr's own
# test suite (a module that needs the GIL would turn it back on, and the suite's
# `test_free_threaded_builds_keep_the_gil_off` would fail).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${1:?usage: scripts/free-threaded-check.sh PATH/TO/python3.14t}
"$py" -c 'import sysconfig, sys; sys.exit(0 if sysconfig.get_config_var("Py_GIL_DISABLED") else "not a free-threaded interpreter")'
"$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14) else "PyO3 0.30 builds free-threaded extensions for CPython 3.14 and later only")'
venv=target/venv-ft
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
# Wheels only: numexpr's newest free-threaded wheel is 2.14.1, and building 2.14.2 from
# source would build NumPy from source first.
"$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
    maturin pytest numpy numexpr pandas
# maturin builds the wheel as `pip install ./python` does, minus the abi3 feature.
(cd python && ../"$venv"/bin/maturin build --release --no-default-features \
    --interpreter ../"$venv"/bin/python --out ../target/wheels-ft)
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps \
    target/wheels-ft/jitex-*cp3*t-*.whl
"$venv/bin/python" -c 'import sys, jitex; assert not sys._is_gil_enabled(), "importing jitex enabled the GIL"; print("jitex", jitex.__version__, "on", sys.version, "- GIL off")'
"$venv/bin/python" -m pytest -q python/tests
"$venv/bin/python" python/tests/run_numexpr_suite.py --min-pass 0.98
