"""Run the real `kluis` command in a child process against its own data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KLUIS = str(Path(sys.executable).with_name("kluis"))
LOG_FILE = "KLUIS_LOG_FILE"  # kept in the environment (the test run's log check)


def kluis_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Development settings with their own SQLite file and secret key in `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLUIS_") or k == LOG_FILE}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update({"KLUIS_ENV": "development", "KLUIS_DATA_DIR": str(data_dir), **extra})
    return env


def run_kluis(
    data_dir: Path,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KLUIS, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=kluis_env(data_dir, **(env or {})),
        timeout=timeout,
        check=False,
    )
