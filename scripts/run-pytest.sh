#!/usr/bin/env bash
# Run pytest with a throw-away KLUIS_DATA_DIR (test databases, keys, files), so that two
# runs in the same tree never share a file, and nothing is left in ./var.
set -euo pipefail
data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kluis-test.XXXXXX")
trap 'rm -rf "$data_dir"' EXIT
export KLUIS_DATA_DIR="$data_dir"
export KLUIS_ENV=test
# The kluis package of this checkout, also in the processes the tests start (the `kluis`
# command, granian): an editable install elsewhere (another worktree) must not answer.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
.venv/bin/pytest "$@"
