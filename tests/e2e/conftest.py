"""End-to-end fixtures: a real Kluis behind granian over HTTPS, driven by Debian's Chromium.

Fixtures for e2e test files:
  kluis_server  (session)  the running server: .url ("https://127.0.0.1:PORT"), .data_dir
  browser       (session)  headless Chromium (/usr/bin/chromium; never a downloaded build)
                           (both per pytest-xdist worker: `make test` runs the e2e tests on
                           several, each with its own server, port, data directory and
                           Chromium, a file's tests on one worker in order: --dist loadfile)
  page          (function) a fresh browser context; the test fails if the page logged a
                           JS error or a CSP violation (see `page_problems` to inspect them)
  login         (function) the `login(page, server, email)` helper below, as a fixture

Every test under tests/e2e/ is marked `e2e` automatically: `make test` runs them once, in
their own pytest run, and leaves them out of the SQLite and PostgreSQL runs. A test must not
count on what another file's tests did to the server: they may have run on another worker.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from kluis.cli import WEB_BLOCKING_THREADS

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KLUIS_E2E_CHROMIUM", "/usr/bin/chromium")
# The machine has no network: without these Chromium keeps trying to phone home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_SECONDS = 60
LOGIN_PATH = "/accounts/login/"
LOG_FILE = "KLUIS_LOG_FILE"  # kept in the servers' environment (the test run's log check)


def pytest_itemcollected(item: pytest.Item) -> None:
    """Everything in tests/e2e/ is an e2e test, whether or not its author marked it."""
    item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True)
class KluisServer:
    url: str  # https://127.0.0.1:PORT, no trailing slash
    data_dir: Path
    certificate: Path
    log: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def unverified_tls() -> ssl.SSLContext:
    """A client context for the self-signed test certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLUIS_") or k == LOG_FILE}
    env.update(
        {
            "KLUIS_ENV": "development",
            "KLUIS_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "kluis.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _wait_until_live(server: KluisServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    context = unverified_tls()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"granian exited with {process.returncode} on start:\n{server.log_tail()}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(  # noqa: S310 (a fixed https URL on loopback)
                f"{server.url}/health/live", context=context, timeout=2
            ) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    pytest.fail(
        f"Kluis did not answer /health/live within {SERVER_START_TIMEOUT_SECONDS}s:\n"
        f"{server.log_tail()}",
        pytrace=False,
    )


def _prepared(root: Path, environment: dict[str, str]) -> Path:
    """A data directory migrated and holding the demo (its year of calendar too), made once
    per test session (in `root`, pytest's temporary directory) for each tasks backend a
    server asks for; each server starts from a copy of it (its database, keyring and secret
    key) instead of migrating and loading the demo again (~30 s a server in CI)."""
    backend = environment.get("KLUIS_TASKS_BACKEND", "")
    template = root / f"kluis-prepared-{hashlib.sha256(backend.encode()).hexdigest()[:8]}"
    if not (template / ".prepared").exists():
        shutil.rmtree(template, ignore_errors=True)
        template.mkdir()
        env = _server_env(template)
        if backend:
            env["KLUIS_TASKS_BACKEND"] = backend
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        _manage(env, "load_demo")
        (template / ".prepared").touch()
    return template


@contextmanager
def running_kluis(data_dir: Path, **environment: str) -> Iterator[KluisServer]:
    """Kluis as production serves it: migrated, demo data, granian with TLS >= 1.2;
    `environment`: KLUIS_* variables of this server (as an operator would set them)."""
    from kluis.operations.tls import ensure_certificate

    env = {**_server_env(data_dir), **environment}
    shutil.copytree(_prepared(data_dir.parent, environment), data_dir, dirs_exist_ok=True)
    certificate, key = ensure_certificate(data_dir / "tls")
    port = free_port()
    server = KluisServer(
        url=f"https://127.0.0.1:{port}",
        data_dir=data_dir,
        certificate=certificate,
        log=data_dir / "granian.log",
    )
    granian = Path(sys.executable).parent / "granian"
    command = [
        str(granian),
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--ssl-certificate", str(certificate),
        "--ssl-keyfile", str(key),
        "--ssl-protocol-min", "tls1.2",
        "--blocking-threads", str(WEB_BLOCKING_THREADS),  # as `kluis serve` runs it
        "--no-ws",
        "kluis.wsgi:application",
    ]  # fmt: skip
    with open(server.log, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    try:
        _wait_until_live(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The background worker as `kluis up` runs it (`manage.py kluis_worker`: task queue,
    heartbeat, scheduler), in a process group of its own, its output appended to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "kluis_worker"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """SIGTERM to its process group, SIGKILL if it has not stopped after 15 s."""
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


@pytest.fixture(scope="session")
def kluis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KluisServer]:
    """The server the browser tests share."""
    with running_kluis(tmp_path_factory.mktemp("kluis-e2e-data")) as server:
        yield server


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium package "
            "(make test does so when run as root)",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


# Records CSP violations even where Chromium would not log them to the console.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


@pytest.fixture
def page_problems() -> list[str]:
    """JS errors and CSP violations the `page` logged; a test that expects one removes it."""
    return []


@pytest.fixture
def page(browser: Browser, kluis_server: KluisServer, page_problems: list[str]) -> Iterator[Page]:
    context = browser.new_context(
        ignore_https_errors=True, base_url=kluis_server.url, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            page_problems.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.append(f"JS error on {page.url}: {error}"))
    yield page
    context.close()
    _fail_on_page_problems(page_problems)  # the ones that arrived after the test body


def _fail_on_page_problems(problems: list[str]) -> None:
    if problems:
        found = list(problems)
        problems.clear()
        pytest.fail(
            "the page logged errors (CSP violations or JS errors):\n  " + "\n  ".join(found),
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    """A failing e2e test shows the end of the server's log (tracebacks land there)."""
    report: pytest.TestReport = yield
    server = getattr(item, "funcargs", {}).get("kluis_server")
    if report.failed and isinstance(server, KluisServer):
        report.sections.append(("Kluis server log (last lines)", server.log_tail()))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not only its teardown) when its page logged a problem."""
    result = yield
    funcargs = getattr(item, "funcargs", {})
    if "page_problems" in funcargs:
        _fail_on_page_problems(funcargs["page_problems"])
    return result


def enter_password(
    page: Page, server: KluisServer, email: str, password: str | None = None
) -> None:
    """The sign-in page's two steps: the e-mail address (single sign-on routes by its
    domain), then the password; waits for the page that follows."""
    page.goto(f"{server.url}{LOGIN_PATH}")
    page.locator("input[name=login]").fill(email)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password or settings.DEMO_PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def login(page: Page, server: KluisServer, email: str, password: str | None = None) -> None:
    """Sign in through the real login form with the demo password; wait for the next page."""
    enter_password(page, server, email, password)
    if page.url.split("?")[0].endswith(LOGIN_PATH):
        errors = page.locator(".errorlist, [role=alert]").all_inner_texts()
        raise AssertionError(f"sign-in as {email} failed: {errors or page.url}")


@pytest.fixture(name="login")
def login_fixture() -> Callable[..., None]:
    """The `login(page, server, email)` helper, for tests that prefer a fixture to an import."""
    return login
