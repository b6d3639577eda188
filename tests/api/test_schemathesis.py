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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from pytest_django.live_server_helper import LiveServer

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


class _OneRequestAtATime(WSGIServer):
    """Django's live server answers each request in a thread of its own and closes the
    database connections after it: on PostgreSQL a connection per request, most of the
    run's time (schemathesis sends one request at a time, --workers 1). Here one thread
    answers them all with one connection, kept as a node keeps it (CONN_MAX_AGE); Django
    answers `Connection: close` from a server without threads, so no client waits."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


@pytest.fixture
def sequential_server() -> Iterator[str]:
    server = LiveServer("127.0.0.1:0", start=False)
    server.thread.server_class = _OneRequestAtATime  # type: ignore[misc]
    server._live_server_modified_settings.enable()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        server._live_server_modified_settings.disable()


def test_schemathesis_finds_nothing_wrong_with_any_operation(
    demo, sequential_server, settings, tmp_path
):
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
            f"{sequential_server}/api/v1/schema/?format=json",
            "--url",
            sequential_server,
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
