"""KLUIS_DATA_DIR set but empty means the default data directory, not the current one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kluis.operations.serving import data_dir_from_env

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_data_dir_is_the_default(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("KLUIS_DATA_DIR", value)
    assert data_dir_from_env() == (REPO / "var").resolve()


def test_a_given_data_dir_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KLUIS_DATA_DIR", str(tmp_path))
    assert data_dir_from_env() == tmp_path.resolve()


def test_settings_read_empty_data_dir_as_default(tmp_path: Path) -> None:
    """The settings module itself, loaded fresh in another process started elsewhere."""
    env = {**os.environ, "KLUIS_DATA_DIR": "", "KLUIS_ENV": "test"}
    env["DJANGO_SETTINGS_MODULE"] = "kluis.settings"
    env["PYTHONPATH"] = str(REPO)
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATA_DIR)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert Path(out.stdout.strip()) == (REPO / "var").resolve()
    assert Path(out.stdout.strip()) != tmp_path.resolve()
