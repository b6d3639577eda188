#!/bin/sh
# Print the path of a Python >= 3.12 to build Kluis's .venv with, or say in one line what
# to install and fail. Order: pyenv (honours .python-version), python3.13, python3.12.
set -u

is_usable() {
    [ -n "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' \
        >/dev/null 2>&1
}

wanted=$(cat .python-version 2>/dev/null || echo 3.13)

if command -v pyenv >/dev/null 2>&1; then
    candidate=$(pyenv which python 2>/dev/null || true)
    if is_usable "$candidate"; then
        echo "$candidate"
        exit 0
    fi
fi
for name in "python$wanted" python3.13 python3.12; do
    candidate=$(command -v "$name" 2>/dev/null || true)
    if is_usable "$candidate"; then
        echo "$candidate"
        exit 0
    fi
done

found=$(command -v python3 >/dev/null 2>&1 && python3 -c 'import platform; print(platform.python_version())' 2>/dev/null || echo none)
echo "Kluis needs Python >= 3.12; install python3.13 (e.g. with pyenv: pyenv install $wanted) and run make again (found python3: $found)" >&2
exit 1
