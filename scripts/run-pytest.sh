#!/usr/bin/env bash
# Run pytest with a throw-away KLUIS_DATA_DIR (test databases, keys, files), so that two
# runs in the same tree never share a file, and nothing is left in ./var.
# With KLUIS_CHECK_LOGS=1 (the Makefile's test targets) every process of the run (pytest,
# the servers and `kluis` commands tests start) also logs to a file of its own in
# <data dir>/logs, and scripts/check-logs.py then fails the run on any demo IBAN,
# national number, password or API secret in them.
set -euo pipefail
data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kluis-test.XXXXXX")
trap 'rm -rf "$data_dir"' EXIT
export KLUIS_DATA_DIR="$data_dir"
export KLUIS_ENV=test
# The kluis package of this checkout, also in the processes the tests start (the `kluis`
# command, granian): an editable install elsewhere (another worktree) must not answer.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if [ "${KLUIS_CHECK_LOGS:-0}" != 1 ]; then
	.venv/bin/pytest "$@"
	exit
fi
export KLUIS_LOG_FILE="$data_dir/logs/{pid}.log"
status=0
.venv/bin/pytest "$@" || status=$?
env -u KLUIS_LOG_FILE -u KLUIS_DATABASE_URL .venv/bin/python scripts/check-logs.py "$data_dir/logs" \
	|| { [ "$status" != 0 ] || status=1; }
exit "$status"
