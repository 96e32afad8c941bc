#!/usr/bin/env bash
# THE test command (README): every test, runnable on a fresh machine. CI (.ci/run) runs it
# and then the `cargo fmt --check` and clippy gates.
#
#   scripts/test.sh
#
# Installs the Rust toolchain (and the rustfmt/clippy components CI's gates need) when
# missing, then runs all tests and doctests and a `jitex bench --quick` smoke run. Every
# step runs even if an earlier one fails; the script exits non-zero if any failed.
# New suites (the Python binding's tests) slot in as one more `step` line below.
set -uo pipefail

cd "$(dirname "$0")/.."

failed=()

# step NAME CMD...: runs CMD, records NAME on failure.
step() {
    local name=$1
    shift
    echo
    echo "==> $name: $*"
    local start=$SECONDS
    if "$@"; then
        echo "==> $name: ok ($((SECONDS - start)) s)"
    else
        echo "==> $name: FAILED ($((SECONDS - start)) s)"
        failed+=("$name")
    fi
}

ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        if [ -x "$HOME/.cargo/bin/cargo" ]; then
            export PATH="$HOME/.cargo/bin:$PATH"
        else
            echo "==> installing Rust (rustup, stable, minimal profile)"
            curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
                sh -s -- -y --profile minimal --component rustfmt,clippy || return 1
            export PATH="$HOME/.cargo/bin:$PATH"
        fi
    fi
    # rustfmt and clippy are separate components; add them if this toolchain lacks them.
    if command -v rustup >/dev/null 2>&1; then
        for component in rustfmt clippy; do
            rustup component list --installed 2>/dev/null | grep -q "^$component" ||
                rustup component add "$component" || return 1
        done
    fi
    cargo --version
}

bench_smoke() {
    # The debug binary is enough for a smoke run (dependencies are optimised in the dev
    # profile, and kernels are JIT-compiled anyway); it avoids a second, release build.
    # Same targets and features as the test step, so no dependency is rebuilt.
    cargo build --all-targets --all-features && target/debug/jitex bench --quick
}

python_tests() {
    # The Python binding's suite, once it exists (a pyproject.toml at the root).
    if [ ! -f pyproject.toml ]; then
        echo "no Python binding yet: skipped"
        return 0
    fi
    local venv=${JITEX_VENV:-target/venv}
    python3 -m venv "$venv" &&
        "$venv/bin/pip" install --quiet maturin pytest numpy &&
        "$venv/bin/maturin" develop --quiet &&
        "$venv/bin/python" -m pytest -q python/tests
}

step toolchain ensure_rust || true
if [ ${#failed[@]} -ne 0 ]; then
    echo "cannot continue without a Rust toolchain" >&2
    exit 1
fi
step tests cargo test --all-targets --all-features --no-fail-fast
step doctests cargo test --doc --all-features
step bench-smoke bench_smoke
step python python_tests

echo
if [ ${#failed[@]} -ne 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "all checks passed"
