#!/usr/bin/env bash
# The commands of this repository:
#   bash dev.sh test [PYTEST ARGS...]            run the tests
#   bash dev.sh book [--profile quick|paper] ... build the book into _build/html/index.html
#   bash dev.sh lock [UV PIP COMPILE ARGS...]    refresh requirements/lock.txt from pyproject.toml
# test and book first make .venv (python3 -m venv) and install into it exactly what
# requirements/lock.txt pins (versions and hashes: qbp's dependencies with its book, test and
# dask extras, for Python 3.11 on Linux), then qbp itself without dependencies. The install is
# redone only when the lock file or pyproject.toml changes. PYTHON=... picks the Python.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PYTHON="${PYTHON:-python3}"
VENV=.venv
LOCK=requirements/lock.txt
STAMP="$VENV/.qbp-installed"  # checksums of the lock file and pyproject.toml last installed
UV_VERSION=">=0.5,<1"  # the locking tool, installed into a throwaway venv by `lock`

say() { echo "dev.sh: $*" >&2; }

need_python() {
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        say "needs Python >= 3.10 as '$PYTHON' (set PYTHON=/path/to/python3.x)"
        exit 1
    fi
}

inputs_checksum() { cat "$LOCK" pyproject.toml | "$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'; }

setup() {
    if [[ ! -f "$LOCK" ]]; then
        say "$LOCK is missing; make it with: bash dev.sh lock"
        exit 1
    fi
    if [[ ! -x "$VENV/bin/python" ]]; then
        need_python
        say "creating $VENV with $("$PYTHON" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
        "$PYTHON" -m venv "$VENV" || { rm -rf "$VENV"; say "python -m venv failed"; exit 1; }
        # Editable installs from pyproject.toml alone need pip >= 21.3.
        "$VENV/bin/python" -c 'import pip, sys; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (21, 3))' \
            || "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    local want
    want="$(inputs_checksum)"
    if [[ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]]; then
        say "installing the locked dependencies ($LOCK) and qbp into $VENV (a few minutes the first time)"
        rm -f "$STAMP"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$LOCK"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
        echo "$want" > "$STAMP"
    fi
}

lock() {
    # The locking tool (uv) goes into a throwaway venv, never into .venv or the lock.
    need_python
    LOCK_TOOL="$(mktemp -d)"
    trap 'rm -rf "$LOCK_TOOL"' EXIT
    "$PYTHON" -m venv "$LOCK_TOOL/venv"
    "$LOCK_TOOL/venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv$UV_VERSION"
    mkdir -p "$(dirname "$LOCK")"
    # Existing pins are kept where pyproject.toml still allows them (pass --upgrade to move
    # every pin to the newest allowed version). Hashes cover every file of each pinned release.
    "$LOCK_TOOL/venv/bin/uv" pip compile pyproject.toml --extra book --extra test --extra dask \
        --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
        --no-config --quiet --output-file "$LOCK" "$@"
    say "wrote $LOCK ($(grep -c '==' "$LOCK") pinned distributions); the next test or book run installs it"
}

command="${1:-}"
shift || true
case "$command" in
    test)
        setup
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    book)
        setup
        exec "$VENV/bin/python" -m qbp build --profile quick "$@"  # a later --profile wins
        ;;
    lock)
        lock "$@"
        ;;
    *)
        echo "usage: bash dev.sh test [PYTEST ARGS...] | bash dev.sh book [--profile quick|paper] [--strict] [--jobs N] [-p NAME VALUE]... [--repository-url URL] | bash dev.sh lock [--upgrade]" >&2
        exit 2
        ;;
esac
