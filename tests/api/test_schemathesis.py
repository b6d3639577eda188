"""Schemathesis against the live schema: every operation, every check, a fixed seed.

The real schemathesis command runs against a live server holding the demo companies, with a
key of every scope, and must find no server error and no response that contradicts the
schema (status, content type, headers, body), no refused valid request beyond the rules
tests/api/schemathesis.toml names, and no accepted invalid one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api_client import make_key

CONFIG = Path(__file__).with_name("schemathesis.toml")
# KLUIS_SCHEMATHESIS_SEED runs another seed by hand, to look for more than CI does.
SEED = os.environ.get("KLUIS_SCHEMATHESIS_SEED", "20261201")
MINIMUM_CASES = 300

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def schemathesis_command() -> list[str]:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert found, "schemathesis is a dev dependency (requirements.lock)"
    return [found]


def test_schemathesis_finds_nothing_wrong_with_any_operation(demo, live_server, settings, tmp_path):
    settings.API_RATE_PER_KEY = settings.API_RATE_PER_IP = "1000000/min"
    # Its made-up credentials are not an attack on one address (kluis/identity/brute_force.py).
    settings.SIGNIN_BLOCK_AFTER = settings.SIGNIN_ADDRESS_LIMIT = 1_000_000
    key = make_key("demo-bv")
    result = subprocess.run(
        [
            *schemathesis_command(),
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            f"{live_server.url}/api/v1/schema/?format=json",
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--seed",
            SEED,
            "--generation-database",
            "none",
            "--workers",
            "1",
            "--header",
            f"Authorization: Bearer {key}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    selected = re.search(r"Selected: (\d+)/(\d+)", output)
    assert selected and selected.group(1) == selected.group(2), output[-2000:]
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    assert cases and cases.group(1) == cases.group(2), output[-2000:]  # no failure, no error
    assert int(cases.group(1)) >= MINIMUM_CASES, output[-2000:]
