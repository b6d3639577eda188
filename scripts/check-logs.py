#!/usr/bin/env python
"""Fail when a test run's logs hold personal data or a secret (docs/operations.md
"Metrics and logs"): every line every process of the run wrote to KLUIS_LOG_FILE (one file
per process in LOG_DIR) is searched for the demo's IBANs, national numbers and password
and for API keys and client secrets. Prints the file and line of each hit; exit 1 then.

The demo values are read from a demo loaded into a scratch SQLite database (the demo is
made with fixed seeds: the same values as the run's). Run by scripts/run-pytest.sh when
KLUIS_CHECK_LOGS=1 (the Makefile's test targets set it).

The demo's values are computed once per version of the code (migrating and loading the
demo takes about 40 s) and kept in the temporary directory, keyed by a hash of kluis/ and
the log check: the four test stages of `make test` share them. A pytest run with the check
on writes them itself from the demo it has just loaded for its tests (tests/conftest.py),
so the first stage does not wait for a second demo after its tests.

Usage: check-logs.py LOG_DIR
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _code_key() -> str:
    """A hash of everything the demo's values follow from: the code and the log check."""
    digest = hashlib.sha256()
    for path in sorted(
        [*ROOT.joinpath("kluis").rglob("*.py"), ROOT / "tests/operations/log_check.py"]
    ):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def _cached_values() -> tuple[Path, dict[str, str] | None]:
    cache = Path(tempfile.gettempdir()) / f"kluis-log-check-values-{_code_key()}.json"
    try:
        return cache, json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return cache, None


def _keep(cache: Path, values: dict[str, str]) -> None:
    scratch = cache.with_suffix(f".{os.getpid()}.tmp")
    with os.fdopen(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump(values, out)
    scratch.replace(cache)  # atomic: a concurrent run reads the old file or the new one


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    logs = sorted(Path(argv[1]).glob("*.log"))
    if not logs:
        print(f"==> Log check: no log files in {argv[1]}")
        return 0
    sys.path.insert(0, str(ROOT))
    cache, values = _cached_values()
    if values is not None:
        from tests.operations.log_check import scan

        hits = scan(logs, values)
        return _report(logs, values, hits)
    with tempfile.TemporaryDirectory(prefix="kluis-log-check.") as scratch:
        for name in ("KLUIS_DATABASE_URL", "KLUIS_LOG_FILE"):
            os.environ.pop(name, None)
        os.environ.update(
            {
                "KLUIS_ENV": "test",
                "KLUIS_DATA_DIR": scratch,
                "DJANGO_SETTINGS_MODULE": "kluis.settings",
                "KLUIS_LOG_LEVEL": "WARNING",
            }
        )
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from kluis.company.demo import load_demo
        from tests.operations.log_check import demo_values, scan

        load_demo()
        values = demo_values()
        _keep(cache, values)
        hits = scan(logs, values)
    return _report(logs, values, hits)


def _report(logs: list[Path], values: dict[str, str], hits: list[object]) -> int:
    lines = sum(1 for path in logs for _ in path.open(encoding="utf-8", errors="replace"))
    if hits:
        for hit in hits:
            print(f"log check: {hit}", file=sys.stderr)
        print(
            f"==> Log check FAILED: {len(hits)} line(s) with personal data or secrets "
            f"in {len(logs)} log file(s)",
            file=sys.stderr,
        )
        return 1
    print(
        f"==> Log check: {lines} lines in {len(logs)} log files, no demo IBAN, national "
        f"number or password ({len(values)} values) and no API secret"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
