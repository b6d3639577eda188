"""Production refuses to start with private webhook targets allowed."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

from tests.crypto.conftest import KLUIS, ROOT, new_key_text


def production(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    environment.update(
        {
            "KLUIS_DATA_DIR": str(tmp_path),
            "KLUIS_ENV": "production",
            "KLUIS_SECRET_KEY": secrets.token_urlsafe(64),
            "KLUIS_ALLOWED_HOSTS": "hr.example.com",
            "KLUIS_MASTER_KEY": new_key_text(),
            "KLUIS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return subprocess.run(
        [
            KLUIS,
            "manage",
            "shell",
            "-c",
            "from django.conf import settings; "
            "print(settings.WEBHOOK_REQUIRE_HTTPS, settings.WEBHOOK_ALLOW_PRIVATE_TARGETS)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_production_requires_https_targets_and_refuses_private_ones(tmp_path: Path) -> None:
    plain = production(tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.split()[-2:] == ["True", "False"]
    refused = production(tmp_path, KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS="1")
    assert refused.returncode != 0
    assert "KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS is for development and tests only" in (
        refused.stderr
    )
