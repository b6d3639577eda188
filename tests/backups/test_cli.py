"""`kluis backups list` and `kluis backups run` through the real `kluis` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import run_kluis

# The kluis command against its own SQLite data directory, whatever the stage's database:
# run in the SQLite stage only (the PostgreSQL stage would run the very same thing).
pytestmark = pytest.mark.own_sqlite


def test_the_backups_commands_explain_themselves(tmp_path: Path) -> None:
    result = run_kluis(tmp_path, "backups", "--help")
    assert result.returncode == 0
    assert "list" in result.stdout and "run" in result.stdout
    for action in ("list", "run"):
        result = run_kluis(tmp_path, "backups", action, "--help")
        assert result.returncode == 0
        assert result.stdout.startswith(f"usage: kluis backups {action}")


def test_a_wrong_setting_refuses_with_the_variable_named(tmp_path: Path) -> None:
    result = run_kluis(tmp_path, "backups", "list", env={"KLUIS_BACKUP_HOUR": "24"})
    assert result.returncode == 2
    assert "KLUIS_BACKUP_HOUR must be a whole number from 0 to 23" in result.stderr
