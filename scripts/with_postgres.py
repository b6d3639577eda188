#!/usr/bin/env python3
"""Run a command against a throw-away PostgreSQL cluster that this script starts and removes.

    python scripts/with_postgres.py -- pytest -m "not e2e"

The cluster lives in a fresh temporary directory, listens on 127.0.0.1 only (a free port,
unix sockets in the same directory), trusts loopback connections and is stopped and
deleted afterwards, also on failure, Ctrl-C or SIGTERM. The command gets
KLUIS_DATABASE_URL=postgres://kluis@127.0.0.1:PORT/kluis; the role `kluis` is not a
superuser (so row-level security applies to it) but may create databases, which
pytest-django needs for its test_* databases. `initdb` refuses to run as root, so as root
the server runs as the `postgres` system user. Standard library only: it runs before
anything else is installed.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

ROLE = "kluis"
DATABASE = "kluis"
SUPERUSER = "postgres"
READY_TIMEOUT_SECONDS = 60


class Failure(Exception):
    """A problem to report in one line, without a traceback."""


def find_bindir() -> Path:
    """The directory holding initdb/postgres: $PG_BINDIR, Debian's newest, or the PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])

    def version(path: str) -> tuple[int, ...]:
        part = Path(path).parent.parent.name
        return tuple(int(p) for p in part.split(".") if p.isdigit())

    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True)
    if debian:
        return Path(debian[0]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise Failure(
        "PostgreSQL server binaries not found; install them "
        "(Debian: apt-get install --no-install-recommends postgresql) or set PG_BINDIR."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.owner: tuple[int, int] | None = None
        if self.as_root:
            import pwd

            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise Failure(
                    "running as root, but there is no `postgres` user to run the test "
                    "database server as (Debian's postgresql package creates it)"
                ) from None
            self.owner = (entry.pw_uid, entry.pw_gid)
        # Unix socket paths are limited to ~100 bytes: a long $TMPDIR falls back to /tmp.
        parent = None if len(tempfile.gettempdir()) <= 60 else "/tmp"  # noqa: S108
        self.base = Path(tempfile.mkdtemp(prefix="kluis-pg-", dir=parent))
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"
        self.port = 0
        self.server: subprocess.Popen[bytes] | None = None
        if self.owner:
            os.chown(self.base, *self.owner)

    # -- running PostgreSQL programs as the right user ---------------------------------
    def run(self, program: str, *args: str, quiet: bool = True) -> None:
        result = subprocess.run(
            [str(self.bindir / program), *args],
            cwd=self.base,
            env=self._env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
            **self._user(),
        )
        if result.returncode != 0:
            output = result.stdout.decode(errors="replace").strip()
            raise Failure(f"{program} failed ({result.returncode}):\n{output}")
        if not quiet:
            sys.stderr.write(result.stdout.decode(errors="replace"))

    def _user(self) -> dict[str, Any]:
        """Popen arguments that drop from root to the postgres user (nothing otherwise)."""
        if not self.owner:
            return {}
        return {"user": self.owner[0], "group": self.owner[1], "extra_groups": []}

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update({"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "UTC"})
        if self.owner:
            env["HOME"] = str(self.base)
        return env

    # -- life cycle ------------------------------------------------------------------
    def start(self) -> None:
        self.run(
            "initdb",
            "--pgdata", str(self.data),
            "--username", SUPERUSER,
            "--auth", "trust",
            "--encoding", "UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )  # fmt: skip
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between the probe and the bind
            self.port = free_port()
            self._spawn()
            try:
                self._wait_until_ready()
                return
            except Failure as exc:
                last_error = str(exc)
                self.stop()
        raise Failure(last_error)

    def _spawn(self) -> None:
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.base),
            # A throw-away cluster: durability buys nothing, speed does.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            # Compiling a query costs more than it saves on test-sized tables.
            "jit": "off",
            "max_connections": "200",
            "logging_collector": "off",
        }
        args = [str(self.bindir / "postgres"), "-D", str(self.data)]
        for name, value in settings.items():
            args += ["-c", f"{name}={value}"]
        with open(self.log, "ab") as log:
            if self.owner:
                os.chown(self.log, *self.owner)
            self.server = subprocess.Popen(
                args,
                cwd=self.base,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                **self._user(),
            )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert self.server is not None
            if self.server.poll() is not None:
                raise Failure(f"PostgreSQL exited on start:\n{self._log_tail()}")
            probe = subprocess.run(
                [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                env=self._env(),
                check=False,
            )
            if probe.returncode == 0:
                return
            time.sleep(0.1)
        raise Failure(f"PostgreSQL not ready after {READY_TIMEOUT_SECONDS}s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"

    def create_database(self) -> None:
        connect = ["-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres"]
        self.run(
            "psql", *connect, "-v", "ON_ERROR_STOP=1", "-q",
            "-c", f"CREATE ROLE {ROLE} LOGIN CREATEDB",
            # Tests drop their databases WITH (FORCE); an autovacuum worker busy in one
            # belongs to no role, and only this grant lets a non-superuser end it.
            "-c", f"GRANT pg_signal_backend TO {ROLE}",
            "-c", f"CREATE DATABASE {DATABASE} OWNER {ROLE}",
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://{ROLE}@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        server, self.server = self.server, None
        if server is None or server.poll() is not None:
            return
        # SIGINT is PostgreSQL's "fast shutdown": roll back sessions, stop at once.
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


class Interrupted(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a command with a throw-away PostgreSQL in KLUIS_DATABASE_URL."
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command [args...]")
    options = parser.parse_args(argv)
    command = list(options.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        parser.error("give the command to run after --")

    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGHUP, _raise_interrupted)
    cluster: Cluster | None = None
    child: subprocess.Popen[bytes] | None = None
    try:
        cluster = Cluster(find_bindir())
        started = time.monotonic()
        cluster.start()
        cluster.create_database()
        print(
            f"==> PostgreSQL ({cluster.bindir.parent.name}) ready on 127.0.0.1:{cluster.port} "
            f"in {time.monotonic() - started:.1f}s",
            file=sys.stderr,
            flush=True,
        )
        env = dict(os.environ, KLUIS_DATABASE_URL=cluster.url)
        child = subprocess.Popen(command, env=env)
        return child.wait()
    except Failure as exc:
        print(f"with_postgres: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"with_postgres: command not found: {exc.filename}", file=sys.stderr)
        return 127
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        if child is not None and child.poll() is None:
            child.send_signal(signum)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        return 128 + signum
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if cluster is not None:
            cluster.remove()


if __name__ == "__main__":
    sys.exit(main())
