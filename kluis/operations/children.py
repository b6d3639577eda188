"""The child processes of `kluis up` (the web server and the background worker): started
in their own process group so Ctrl-C reaches `up` only, told to die with their parent, and
stopped together (SIGTERM, then SIGKILL of what is left after a timeout)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SETTINGS_MODULE = "kluis.settings"
STOP_TIMEOUT_SECONDS = 10.0


def say(message: str, stream: TextIO | None = None) -> None:
    """One progress line, flushed at once so a pipe or a log sees it in time."""
    out = stream or sys.stdout
    out.write(message + "\n")
    out.flush()


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    stopping: bool = field(default=False)


def worker_command() -> list[str]:
    return [sys.executable, "-m", "django", "kluis_worker"]


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if `kluis up` itself is killed (Linux)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_child(name: str, command: list[str]) -> Child:
    """A child in its own process group: Ctrl-C reaches `up` only, which then stops the
    children in order instead of every process printing its own interruption."""
    process = subprocess.Popen(
        command,
        env=child_environment(),
        cwd=BASE_DIR,
        process_group=0,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    return Child(name, process)


def stop_children(children: list[Child], timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """SIGTERM each child, wait up to `timeout` seconds in total, then kill what is left."""
    for child in children:
        if child.process.poll() is None:
            child.stopping = True
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        remaining = max(deadline - time.monotonic(), 0.0)
        try:
            child.process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            say(f"kluis: the {child.name} did not stop in {timeout:.0f} s; killing it", sys.stderr)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()
        # Whatever the child left behind in its group (granian's workers) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, signal.SIGKILL)
