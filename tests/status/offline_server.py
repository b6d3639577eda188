"""Kluis served by granian with its database unreachable: KLUIS_DATABASE_URL names a
PostgreSQL server on a loopback port nobody listens on, and the data directory holds the
last-known state a worker wrote (status/last.json)."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unverified_tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, context=unverified_tls(), timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@contextmanager
def database_down_server(data_dir: Path, last: dict[str, Any] | None) -> Iterator[str]:
    """The server's https URL; `last` is written as status/last.json first."""
    from kluis.operations.tls import ensure_certificate

    if last is not None:
        (data_dir / "status").mkdir(parents=True, exist_ok=True)
        (data_dir / "status" / "last.json").write_text(json.dumps(last))
    closed = free_port()  # bound for a moment, then nobody listens there
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLUIS_")}
    env.update({
        "KLUIS_ENV": "development",
        "KLUIS_DATA_DIR": str(data_dir),
        "KLUIS_DATABASE_URL": f"postgres://kluis:unused@127.0.0.1:{closed}/kluis",
        "DJANGO_SETTINGS_MODULE": "kluis.settings",
        "PYTHONPATH": str(REPO_ROOT),
    })  # fmt: skip
    certificate, key = ensure_certificate(data_dir / "tls")
    port = free_port()
    granian = Path(sys.executable).parent / "granian"
    command = [
        str(granian), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
        "--ssl-certificate", str(certificate), "--ssl-keyfile", str(key), "--no-ws",
        "kluis.wsgi:application",
    ]  # fmt: skip
    log = data_dir / "granian.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("granian did not start:\n" + log.read_text(errors="replace"))
            try:
                if fetch(f"{url}/health/live")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
