"""The processes of the several-node harness: web nodes (`kluis serve`), workers
(`kluis worker`) and HAProxy, each in a process group of its own (so that SIGKILL takes a
node's granian workers down with it, as when a machine dies), its output in a log file."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
# The `kluis` command of this checkout (its console script may belong to an editable
# install of another one), run by the same Python as the tests.
KLUIS = [sys.executable, "-c", "from kluis.cli import main; raise SystemExit(main())"]
READY_TIMEOUT_SECONDS = 60.0


def stamp() -> str:
    now = time.time()
    return time.strftime("%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}"


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    # The release it runs: this checkout, or a copy of it (the rolling-upgrade test's
    # new release) whose `kluis` package comes first on the path.
    cwd: Path = REPO_ROOT

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            out.write(f"\n==> {stamp()} starting {self.name}: {' '.join(self.command)}\n".encode())
            out.flush()
            env = self.env
            if self.cwd != REPO_ROOT:
                env = {**env, "PYTHONPATH": str(self.cwd)}
            self.popen = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole process group: no clean-up, as when the machine dies."""
        self._signal_group(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def terminate(self) -> None:
        """SIGTERM, without waiting (stop() waits)."""
        if self.alive:
            self._signal_group(signal.SIGTERM)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (a graceful stop), SIGKILL after `timeout` seconds."""
        if not self.alive:
            self._signal_group(signal.SIGKILL)  # children a killed parent left behind
            return
        self._signal_group(signal.SIGTERM)
        assert self.popen is not None
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.popen.wait(timeout=10)
        self._signal_group(signal.SIGKILL)
        self.note(f"{self.name} stopped")

    def _signal_group(self, number: signal.Signals) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, number)

    def note(self, text: str) -> None:
        """A line of the harness's own in the process's log."""
        with self.log.open("a") as out:
            out.write(f"==> {stamp()} {text}\n")

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return f"(no log for {self.name})"
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class WebNode(Process):
    """`kluis serve` on its own port with its own data directory."""

    port: int = 0
    certificate: Path = Path()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def readiness(self, timeout: float = 3.0) -> tuple[int, dict[str, Any]] | None:
        """(status, body) of GET /health/ready on this node, None when it does not answer."""
        try:
            answer = requests.get(
                f"{self.url}/health/ready", verify=str(self.certificate), timeout=timeout
            )
        except requests.RequestException:
            return None
        try:
            return answer.status_code, answer.json()
        except ValueError:
            return answer.status_code, {}

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        last: tuple[int, dict[str, Any]] | None = None
        while time.monotonic() < deadline:
            if self.popen is not None and self.popen.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.popen.returncode}:\n{self.tail()}"
                )
            last = self.readiness()
            if last is not None and last[0] == 200:
                self.note(f"{self.name} ready")
                return last[1]
            time.sleep(0.2)
        raise AssertionError(
            f"{self.name} was not ready within {timeout:.0f} s (last answer {last}):\n"
            + self.tail()
        )


def web_node(
    name: str,
    port: int,
    env: dict[str, str],
    log: Path,
    tls: tuple[Path, Path],
    workers: int = 1,
) -> WebNode:
    certificate, key = tls
    command = [*KLUIS, "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    command += ["--cert", str(certificate), "--key", str(key)]
    return WebNode(name, command, env, log, port=port, certificate=certificate)


def worker(name: str, env: dict[str, str], log: Path) -> Process:
    return Process(name, [*KLUIS, "worker"], env, log)
