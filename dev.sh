#!/usr/bin/env bash
# The two commands of this repository:
#   bash dev.sh test [PYTEST ARGS...]            run the tests
#   bash dev.sh book [--profile quick|paper] ... build the book into _build/html/index.html
# Both first make .venv (python3 -m venv) and install qbp into it with its book, test and dask
# extras; the install is redone only when pyproject.toml changes. PYTHON=... picks the Python.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PYTHON="${PYTHON:-python3}"
VENV=.venv
STAMP="$VENV/.qbp-installed-pyproject.toml"  # copy of the pyproject.toml last installed

say() { echo "dev.sh: $*" >&2; }

setup() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            say "needs Python >= 3.10 as '$PYTHON' (set PYTHON=/path/to/python3.x)"
            exit 1
        fi
        say "creating $VENV with $("$PYTHON" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
        "$PYTHON" -m venv "$VENV" || { rm -rf "$VENV"; say "python -m venv failed"; exit 1; }
        # Editable installs from pyproject.toml alone need pip >= 21.3.
        "$VENV/bin/python" -c 'import pip, sys; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (21, 3))' \
            || "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    if ! cmp -s pyproject.toml "$STAMP"; then
        say "installing qbp and its dependencies into $VENV (a few minutes the first time)"
        rm -f "$STAMP"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[book,test,dask]"
        cp pyproject.toml "$STAMP"
    fi
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
    *)
        echo "usage: bash dev.sh test [PYTEST ARGS...] | bash dev.sh book [--profile quick|paper] [--strict] [-p NAME VALUE]... [--repository-url URL]" >&2
        exit 2
        ;;
esac
