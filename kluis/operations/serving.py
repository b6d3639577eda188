"""How Kluis is served: `kluis up` (everything on one machine) and `kluis serve`.

`up` prepares the data directory, the database and a certificate in-process, then runs
granian (HTTPS) and the background worker as child processes and a plain-HTTP redirect
in a thread, and stops all of them together. Nothing here needs root.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import secrets
import socket
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kluis.operations.children import (
    BASE_DIR,
    Child,
    child_environment,
    say,
    start_child,
    stop_children,
    worker_command,
)
from kluis.operations.metrics import prepare_multiprocess_dir
from kluis.operations.stopper import Stopper

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104  (names, not a bind)
LIVE_TIMEOUT_SECONDS = 60.0


class ServingError(Exception):
    """A problem the operator can fix, reported as one line (no traceback)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class ServerOptions:
    host: str
    port: int
    http_port: int = 0
    workers: int = 1
    blocking_threads: int = 4
    cert: Path | None = None
    key: Path | None = None
    log_level: str = "info"
    access_log: bool = False


def default_workers() -> int:
    return min(max(os.process_cpu_count() or 1, 1), 4)


def data_dir_from_env() -> Path:
    """The same rule as settings.DATA_DIR, usable before settings load (the secret key
    file must exist before the settings read it)."""
    from kluis.settings_env import env_path

    return env_path("KLUIS_DATA_DIR", BASE_DIR / "var")


def ensure_secret_key(data_dir: Path) -> Path | None:
    """Make <data_dir>/secret_key (0600) once, unless the key comes from the environment.

    Returns the path when a key was made. Written to a temporary file and linked into
    place, so two processes starting together end up with one and the same key.
    """
    if os.environ.get("KLUIS_SECRET_KEY", "").strip():
        return None
    if os.environ.get("KLUIS_SECRET_KEY_FILE", "").strip():
        return None
    path = data_dir / "secret_key"
    if path.exists():
        return None
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".secret_key.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(64) + "\n")
        os.link(tmp, path)
    except FileExistsError:
        return None
    finally:
        tmp.unlink(missing_ok=True)
    return path


def bind_family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def url_host(host: str) -> str:
    """A host as it appears in a URL: IPv6 literals in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def local_host(host: str) -> str:
    """Where this machine reaches a server bound to `host`."""
    if host in WILDCARD_HOSTS:
        return "::1" if host == "::" else "127.0.0.1"
    return host


def check_port_free(host: str, port: int, option: str) -> None:
    """Fail with one clear line when something already listens on host:port."""
    sock = socket.socket(bind_family(host), socket.SOCK_STREAM)
    try:
        # Like the servers we start: a port in TIME_WAIT counts as free, a listener not.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServingError(
                f"port {port} on {host} is already in use (is Kluis already running?); "
                f"stop it or use {option}"
            ) from None
        if exc.errno == errno.EACCES:
            raise ServingError(
                f"not allowed to use port {port} on {host} (ports below 1024 need root); "
                f"use {option} with a higher port"
            ) from None
        raise ServingError(f"cannot use port {port} on {host}: {exc.strerror}") from None
    finally:
        sock.close()


def resolve_certificate(options: ServerOptions, data_dir: Path) -> tuple[Path, Path]:
    """(certificate, key): the operator's pair, or a self-signed one in <data dir>/tls."""
    from kluis.operations.tls import ensure_certificate

    cert = options.cert or _env_path("KLUIS_TLS_CERT")
    key = options.key or _env_path("KLUIS_TLS_KEY")
    if cert or key:
        if not (cert and key):
            raise ServingError("give both a certificate and its key (--cert and --key)", 2)
        for path in (cert, key):
            if not path.is_file():
                raise ServingError(f"TLS file {path} does not exist", 2)
            if not os.access(path, os.R_OK):
                raise ServingError(f"TLS file {path} is not readable by this user", 2)
        say(f"==> Using the certificate {cert}")
        return cert, key
    directory = data_dir / "tls"
    if (directory / "cert.pem").exists() and (directory / "key.pem").exists():
        say(f"==> Using the self-signed certificate in {directory}")
    else:
        say(f"==> Making a self-signed certificate in {directory}")
    hosts = ["127.0.0.1", "localhost"]
    if options.host not in WILDCARD_HOSTS and options.host not in hosts:
        hosts.append(options.host)
    return ensure_certificate(directory, tuple(hosts))


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def granian_command(options: ServerOptions, cert: Path, key: Path) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        options.host,
        "--port",
        str(options.port),
        "--workers",
        str(options.workers),
        "--blocking-threads",
        str(options.blocking_threads),
        "--ssl-certificate",
        str(cert),
        "--ssl-keyfile",
        str(key),
        "--ssl-protocol-min",
        "tls1.2",
        "--no-ws",
        "--log-level",
        options.log_level,
        "--access-log" if options.access_log else "--no-access-log",
        "--working-dir",
        str(BASE_DIR),
        "kluis.wsgi:application",
    ]
    return command


def probe_live(host: str, port: int, host_header: str, timeout: float = 2.0) -> int | None:
    """The status of GET /health/live over HTTPS, or None when nothing answers yet."""
    context = ssl.create_default_context()
    # Our own server on this machine, maybe with a self-signed certificate: this probe
    # only asks "does it answer", it sends nothing secret.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    try:
        connection.request("GET", "/health/live", headers={"Host": host_header})
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def public_host(bind_host: str, allowed_hosts: list[str]) -> str:
    """The host to show in URLs, to redirect to and to probe with: the bound address when
    Django accepts it, else the first allowed host name."""
    from django.http.request import validate_host

    if bind_host not in WILDCARD_HOSTS:
        candidate = url_host(bind_host)
        if validate_host(candidate, allowed_hosts):
            return candidate
    for pattern in allowed_hosts:
        if pattern != "*":
            return pattern.lstrip(".")
    return url_host(local_host(bind_host))


def wait_until_live(
    options: ServerOptions,
    host_header: str,
    children: list[Child],
    stopper: Stopper,
    timeout: float = LIVE_TIMEOUT_SECONDS,
) -> int | None:
    """Poll /health/live until it answers; None when stopped or a child died first."""
    deadline = time.monotonic() + timeout
    while not stopper.stopped and time.monotonic() < deadline:
        if any(child.process.poll() is not None for child in children):
            return None
        status = probe_live(local_host(options.host), options.port, host_header)
        if status is not None:
            return status
        stopper.wait(0.2)
    if not stopper.stopped:
        raise ServingError(
            f"the web server did not answer on port {options.port} within {timeout:.0f} s"
        )
    return None


def dead_child(children: list[Child]) -> Child | None:
    for child in children:
        if child.process.poll() is not None and not child.stopping:
            return child
    return None


@dataclass(frozen=True)
class UpSteps:
    """What `kluis up` needs of the apps above operations, wired by kluis/cli.py, so that
    this module (below every app) knows none of them."""

    setup_django: Callable[[], None]
    # Makes the development master keyring in the data directory; the path when it did.
    ensure_master_key: Callable[[Path], Path | None]
    # Loads the demo companies (False: already there) and lists their logins; None: --no-demo.
    load_demo: Callable[[], bool] | None = None
    demo_logins: Callable[[], list[tuple[str, str]]] = list


def run_up(options: ServerOptions, steps: UpSteps) -> int:
    """`kluis up`: prepare, start, wait, and stop everything together on Ctrl-C (or
    SIGTERM, at any moment: a step under way, such as a migration, finishes first)."""
    stopper = Stopper()
    stopper.install()
    try:
        return _run_up(options, steps, stopper)
    finally:
        stopper.close()


def _stopped_early(stopper: Stopper) -> bool:
    if stopper.stopped:
        say("\n==> Stopping Kluis\nKluis stopped.")
    return stopper.stopped


def _run_up(options: ServerOptions, steps: UpSteps, stopper: Stopper) -> int:
    check_port_free(options.host, options.port, "--port")
    if options.http_port:
        if options.http_port == options.port:
            raise ServingError("the HTTP and HTTPS ports must differ", 2)
        check_port_free(options.host, options.http_port, "--http-port")

    data_dir = data_dir_from_env()
    say(f"==> Preparing the data directory {data_dir}")
    data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        data_dir.chmod(0o700)
    made_key = ensure_secret_key(data_dir)
    if made_key is not None:
        say(f"==> Made a new secret key in {made_key} (keep it; back it up with the data)")
    made_master_key = steps.ensure_master_key(data_dir)
    if made_master_key is not None:
        say(
            f"==> Made a new master key in {made_master_key} (without it the encrypted "
            "data cannot be read; keep a copy apart from backups of the data)"
        )

    steps.setup_django()
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import call_command
    from django.db import connections

    if data_dir != settings.DATA_DIR:  # pragma: no cover - the two rules must agree
        raise ServingError(f"data directory mismatch: {settings.DATA_DIR} vs {data_dir}", 2)

    say("==> Migrating the database")
    call_command("migrate", interactive=False, verbosity=1)
    sys.stdout.flush()
    if _stopped_early(stopper):
        return 0

    if steps.load_demo is not None:
        say("==> Loading demo companies")
        try:
            created = steps.load_demo()
        except ImproperlyConfigured as exc:
            raise ServingError(f"{exc} Start with --no-demo.", 2) from None
        say("    Demo companies loaded." if created else "    Demo companies already present.")
        if _stopped_early(stopper):
            return 0

    if settings.PRODUCTION:
        say("==> Collecting static files")
        call_command("collectstatic", interactive=False, verbosity=0)

    cert, key = resolve_certificate(options, data_dir)
    connections.close_all()
    prepare_multiprocess_dir(data_dir)  # the children's counters, summed at /metrics

    allowed_hosts = list(settings.ALLOWED_HOSTS)
    shown_host = public_host(options.host, allowed_hosts)
    base_url = f"https://{shown_host}" + ("" if options.port == 443 else f":{options.port}")
    probe_header = f"{shown_host}:{options.port}"

    if _stopped_early(stopper):
        return 0
    children: list[Child] = []
    redirect = None
    try:
        say(
            f"==> Starting the web server on {base_url} "
            f"(granian, {options.workers} process{'es' if options.workers > 1 else ''})"
        )
        children.append(start_child("web server", granian_command(options, cert, key)))
        say("==> Starting the background worker")
        children.append(start_child("background worker", worker_command()))
        if options.http_port:
            from kluis.operations.redirect import RedirectServer

            say(f"==> Redirecting http://{shown_host}:{options.http_port} to HTTPS")
            try:
                redirect = RedirectServer(
                    options.host,
                    options.http_port,
                    https_port=options.port,
                    fallback_host=shown_host,
                    allowed_hosts=allowed_hosts,
                )
            except OSError as exc:
                raise ServingError(
                    f"port {options.http_port} on {options.host} cannot be used: {exc.strerror}"
                ) from None
            redirect.start()

        say(f"==> Waiting for {base_url}/health/live")
        status = wait_until_live(options, probe_header, children, stopper)
        if status is not None:
            if status != 200:
                say(f"kluis: warning: /health/live answered {status}", sys.stderr)
            logins = steps.demo_logins() if steps.load_demo is not None else []
            _banner(base_url, options, shown_host, demo_logins=logins)

        while not stopper.stopped:
            died = dead_child(children)
            if died is not None:
                code = died.process.returncode
                say(
                    f"kluis: the {died.name} stopped unexpectedly (exit code {code}); "
                    "stopping Kluis",
                    sys.stderr,
                )
                return 1
            stopper.wait(0.25)
        say("\n==> Stopping Kluis")
        return 0
    finally:
        if redirect is not None:
            redirect.stop()
        stop_children(children)
        if stopper.stopped:
            say("Kluis stopped.")


def _banner(
    base_url: str, options: ServerOptions, shown_host: str, *, demo_logins: list[tuple[str, str]]
) -> None:
    from django.conf import settings

    lines = ["", f"Kluis is running at {base_url}/"]
    if options.http_port:
        lines.append(f"  (http://{shown_host}:{options.http_port}/ redirects there)")
    if options.cert is None and not os.environ.get("KLUIS_TLS_CERT"):
        lines.append("  The certificate is self-signed: your browser will ask you to accept it.")
    if demo_logins:
        logins = demo_logins
        width = max(len(email) for email, _ in logins)
        lines += ["", f"Demo logins (password: {settings.DEMO_PASSWORD}):"]
        lines += [f"  {email:<{width}}  {what}" for email, what in logins]
    from kluis.operations import outbox

    if outbox.enabled():
        lines += [
            "",
            f"E-mail is not delivered: read it at {base_url}/dev/outbox/ "
            "(signed in as the operator).",
        ]
    lines += ["", "Press Ctrl-C to stop."]
    say("\n".join(lines))


def exec_serve(options: ServerOptions, *, setup_django: Callable[[], None]) -> int:
    """`kluis serve`: check the configuration, then become granian (no parent in between,
    so a process supervisor's signals reach the server directly)."""
    check_port_free(options.host, options.port, "--port")
    setup_django()
    from django.conf import settings

    cert, key = resolve_certificate(options, settings.DATA_DIR)
    if settings.PRODUCTION and options.cert is None and not os.environ.get("KLUIS_TLS_CERT"):
        say("kluis: note: serving a self-signed certificate; use --cert/--key", sys.stderr)
    command = granian_command(options, cert, key)
    prepare_multiprocess_dir(settings.DATA_DIR)  # granian's processes' counters
    os.environ.update(child_environment())
    shown_host = public_host(options.host, list(settings.ALLOWED_HOSTS))
    say(f"==> Serving https://{shown_host}:{options.port}")
    os.execv(command[0], command)  # noqa: S606
    return 0  # pragma: no cover - execv does not return
