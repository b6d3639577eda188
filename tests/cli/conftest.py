from __future__ import annotations

from pathlib import Path

import pytest

from tests.sqlite_template import migrated_copy


@pytest.fixture(scope="module")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database, shared by a module's tests."""
    data_dir = tmp_path_factory.mktemp("kluis-data")
    migrated_copy(data_dir)
    return data_dir
