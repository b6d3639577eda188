"""`kluis up` as a real process: HTTPS, the HTTP redirect, the worker, and a clean stop."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from kluis.operations.redirect import https_location
from tests.cli.helpers import KLUIS, kluis_env, run_kluis
from tests.sqlite_template import migrated_copy

# The kluis command against its own SQLite data directory, whatever the stage's database:
# run in the SQLite stage only (the PostgreSQL stage would run the very same thing).
pytestmark = pytest.mark.own_sqlite

READY_LINE = "Press Ctrl-C to stop."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KluisUp:
    """`kluis up` in a child process whose output is collected line by line."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.port, self.http_port = free_port(), free_port()
        self.process = subprocess.Popen(
            [KLUIS, "up", "--port", str(self.port), "--http-port", str(self.http_port), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=kluis_env(data_dir),
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_until_running(self, timeout: float = 90) -> None:
        # Migrations, a certificate, granian and the worker: about 10 s on an idle machine,
        # 45 s and more with the rest of the suite running on two busy cores.
        deadline = time.monotonic() + timeout
        while READY_LINE not in self.lines:
            if self.process.poll() is not None:
                pytest.fail(f"kluis up exited with {self.process.returncode}:\n{self.output}")
            if time.monotonic() > deadline:
                pytest.fail(f"kluis up did not start in {timeout} s:\n{self.output}")
            time.sleep(0.1)

    def interrupt(self, timeout: float = 15) -> int:
        """Ctrl-C; returns the exit code and waits for all output."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def child_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)


def _https(port: int, path: str) -> http.client.HTTPResponse:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _http(port: int, method: str, path: str, host: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request(
        method,
        path,
        body=b"x=1" if method != "GET" else None,
        headers={"Host": host} if host else {},
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.connect(("127.0.0.1", port))
        except ConnectionRefusedError:
            return True
    return False


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KluisUp]:
    kluis = KluisUp(tmp_path_factory.mktemp("kluis-up"), "--no-demo")
    try:
        kluis.wait_until_running()
        yield kluis
    finally:
        if kluis.process.poll() is None:
            kluis.interrupt()
        kluis.kill()


@pytest.mark.slow
def test_up_reports_each_step_and_the_url(running: KluisUp) -> None:
    for step in (
        "==> Migrating the database",
        "==> Making a self-signed certificate",
        "==> Starting the web server",
        "==> Starting the background worker",
    ):
        assert any(line.startswith(step) for line in running.lines), step
    assert f"Kluis is running at https://127.0.0.1:{running.port}/" in running.lines
    outbox = f"E-mail is not delivered: read it at https://127.0.0.1:{running.port}/dev/outbox/"
    assert any(line.startswith(outbox) for line in running.lines)


@pytest.mark.slow
def test_https_answers_live_health(running: KluisUp) -> None:
    response = _https(running.port, "/health/live")
    assert response.status == 200


@pytest.mark.slow
def test_ready_health_turns_200_once_the_worker_beats(running: KluisUp) -> None:
    deadline = time.monotonic() + 20
    while True:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            "127.0.0.1", running.port, timeout=5, context=context
        )
        connection.request("GET", "/health/ready")
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
        if response.status == 200:
            break
        assert time.monotonic() < deadline, body
        time.sleep(0.5)
    assert body["checks"]["worker"]["ok"] is True


@pytest.mark.slow
def test_plain_http_redirects_get_with_301_to_the_same_path_on_https(running: KluisUp) -> None:
    response = _http(running.http_port, "GET", "/audit/?page=2")
    assert response.status == 301
    assert response.getheader("Location") == f"https://127.0.0.1:{running.port}/audit/?page=2"


@pytest.mark.slow
def test_plain_http_redirects_a_post_with_308_keeping_the_method(running: KluisUp) -> None:
    response = _http(running.http_port, "POST", "/accounts/login/")
    assert response.status == 308
    assert response.getheader("Location") == f"https://127.0.0.1:{running.port}/accounts/login/"


@pytest.mark.slow
def test_redirect_ignores_a_host_header_that_is_not_allowed(running: KluisUp) -> None:
    response = _http(running.http_port, "GET", "/", host="evil.example")
    assert response.getheader("Location") == f"https://127.0.0.1:{running.port}/"
    response = _http(running.http_port, "GET", "/", host=f"localhost:{running.http_port}")
    assert response.getheader("Location") == f"https://localhost:{running.port}/"


def _handshake(port: int, version: ssl.TLSVersion) -> str:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Let this client offer old protocols at all, so the server is what refuses them.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is, on purpose
        context.minimum_version = version
        context.maximum_version = version
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return tls.version() or ""


@pytest.mark.slow
def test_tls_1_1_is_refused_and_tls_1_2_accepted(running: KluisUp) -> None:
    assert _handshake(running.port, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    # An alert means the server turned the offer down (not this client refusing to ask).
    with pytest.raises(ssl.SSLError, match=r"(?i)alert"):
        _handshake(running.port, ssl.TLSVersion.TLSv1_1)


@pytest.mark.slow
def test_a_second_up_on_the_same_ports_says_so_in_one_line(
    running: KluisUp, tmp_path: Path
) -> None:
    result = run_kluis(
        tmp_path, "up", "--no-demo", "--port", str(running.port), "--http-port", str(free_port())
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"kluis: port {running.port} on 127.0.0.1 is already in use "
        "(is Kluis already running?); stop it or use --port\n"
    )


@pytest.mark.slow
def test_a_busy_http_port_names_the_http_port_option(running: KluisUp, tmp_path: Path) -> None:
    result = run_kluis(
        tmp_path, "up", "--port", str(free_port()), "--http-port", str(running.http_port)
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith("stop it or use --http-port")


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_the_next_up_keeps_the_data(tmp_path: Path) -> None:
    migrated_copy(tmp_path)  # what is tested is the stopping, not the migrating
    first = KluisUp(tmp_path, "--no-demo")
    try:
        first.wait_until_running()
        key_file = tmp_path / "secret_key"
        assert key_file.stat().st_mode & 0o777 == 0o600
        key = key_file.read_text()
        made = run_kluis(tmp_path, "createtenant", "--slug", "kept-bv", "--name", "Kept BV")
        assert made.returncode == 0, made.stderr
        started = time.monotonic()
        assert first.interrupt() == 0
        assert time.monotonic() - started < 15
        assert "Traceback" not in first.output
        assert first.lines[-1] == "Kluis stopped."
        assert _port_is_free(first.port)
        assert _port_is_free(first.http_port)
    finally:
        first.kill()

    second = KluisUp(tmp_path, "--no-demo")
    try:
        second.wait_until_running()
        assert "  No migrations to apply." in second.lines
        assert key_file.read_text() == key
        assert not any("Making a self-signed certificate" in line for line in second.lines)
        verify = run_kluis(tmp_path, "audit", "verify")
        assert verify.returncode == 0
        assert verify.stdout.startswith("kept-bv: OK")
        assert second.interrupt() == 0
    finally:
        second.kill()


@pytest.mark.slow
def test_a_child_dying_stops_everything_with_one_line_and_exit_1(tmp_path: Path) -> None:
    migrated_copy(tmp_path)  # what is tested is the stopping, not the migrating
    kluis = KluisUp(tmp_path, "--no-demo")
    try:
        kluis.wait_until_running()
        worker = next(
            pid
            for pid in kluis.child_pids()
            if b"kluis_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
        )
        os.kill(worker, signal.SIGKILL)
        assert kluis.process.wait(timeout=15) == 1
        kluis._reader.join(timeout=5)
        assert (
            "kluis: the background worker stopped unexpectedly (exit code -9); stopping Kluis"
            in (kluis.lines)
        )
        assert "Traceback" not in kluis.output
        assert _port_is_free(kluis.port)
    finally:
        kluis.kill()


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("localhost:8080", "/a?b=1", "https://localhost:8443/a?b=1"),
        ("evil.example", "/", "https://127.0.0.1:8443/"),
        (None, "/x", "https://127.0.0.1:8443/x"),
        ("kluis.example.org", "/", "https://kluis.example.org:8443/"),
        ("localhost", "http://evil.example/steal?x=1", "https://localhost:8443/steal?x=1"),
        ("bad host\r\nX: y", "/", "https://127.0.0.1:8443/"),
    ],
)
def test_redirect_target_only_trusts_allowed_hosts(
    host: str | None, path: str, expected: str
) -> None:
    allowed = ["127.0.0.1", "localhost", ".example.org", "*"]
    location = https_location(
        host, path, https_port=8443, fallback_host="127.0.0.1", allowed_hosts=allowed
    )
    assert location == expected


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_head_over_http2_has_the_headers_and_no_body(running: KluisUp) -> None:
    """granian sent a HEAD's body as HTTP/2 DATA frames, which curl refuses
    (PROTOCOL_ERROR) every so often; now every HEAD is clean."""
    url = f"https://127.0.0.1:{running.port}/accounts/login/"
    for _ in range(25):
        result = subprocess.run(
            [
                "curl",
                "-s",
                "-k",
                "--http2",
                "-I",
                "-o",
                "/dev/stdout",
                "-w",
                "%{http_version}",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, result
        assert result.stdout.startswith("HTTP/2 200") and result.stdout.endswith("2")
        assert "content-type: text/html" in result.stdout.lower()
