from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import run_kluis


@pytest.fixture(scope="module")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database, shared by a module's tests."""
    data_dir = tmp_path_factory.mktemp("kluis-data")
    result = run_kluis(data_dir, "manage", "migrate", "--verbosity", "0")
    assert result.returncode == 0, result.stderr
    return data_dir
