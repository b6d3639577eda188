#!/bin/sh
# Create the virtual environment (default .venv) with the given Python, or else the one
# scripts/find-python.sh finds; a half-made or broken environment is removed first.
set -eu
venv=${1:-.venv}
python=${2:-}
if [ -z "$python" ]; then
    python=$(sh scripts/find-python.sh) || exit 1
fi
if [ -e "$venv" ] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "==> Removing the broken $venv"
    rm -rf "$venv"
fi
echo "==> Creating $venv with $python ($("$python" -c 'import platform; print(platform.python_version())'))"
if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    echo "Could not create $venv with $python: its venv/ensurepip module is missing (on Debian: apt-get install python3-venv, or use pyenv)." >&2
    exit 1
fi
