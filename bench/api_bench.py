"""API benchmark: every API list of a company of 10,000 employees served like `make run`
(granian, HTTPS, the same workers, a background worker), under wrk, against a bare floor
app (one SQL query + json.dumps per request) under the same server, alternating case by
case.

    .venv/bin/python bench/api_bench.py [--employees 10000] [--duration 5] [--quick]

The cases (see bench/README.md): each list (LISTINGS) at 20 and 200 rows, first page and a
deep page; employees filtered by updated_since and by team, read with an OAuth token and
with HTTP Basic, with sealed fields; one employee; a PATCH of an employee. Standalone: a
throw-away data directory with production settings (KLUIS_ENV=production, a generated
secret key and master key file), seeded by bench/_seed.py. Rate limits are raised through
KLUIS_API_RATE_PER_KEY/_PER_IP so they do not cut the load short. Needs wrk (the Debian
package; installed when missing and running as root). Prints figures and PASS/FAIL per
target; it does not fail on them (see bench/README.md).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _seed import seed, setup_django  # bench/_seed.py, shared with bench/people_bench.py
from _timeoff_seed import seed_leave

BENCH_DIR = Path(__file__).resolve().parent
HOST = "127.0.0.1"
RATE = "100000000/min"  # for the benchmark only: the defaults are 600/min per key
# Page sizes, the "deep" page of each (followed through `next` cursors; the last page when
# the list is shorter), concurrent clients of the GET rows and of the PATCH row.
SIZES = (20, 200)
DEEP_PAGE = {20: 100, 200: 40}
CLIENTS = (1, 16)
PATCH_CLIENTS = (4,)
# Targets (from the issue, on 2 cores), at 16 clients: Kluis/floor (req/s) >= 0.5 on
# 20-row pages, >= 0.3 on 20-row pages with sealed fields, >= 1.0 on 200-row pages; p99
# <= 50 ms; at most 3 SQL queries per request whatever the page size; PATCH p99 <= 50 ms
# at 4 clients.
TARGET_RATIO = 0.5
TARGET_RATIO_SEALED = 0.3
TARGET_RATIO_200 = 1.0
TARGET_P99_MS = 50.0
TARGET_QUERIES = 3


@dataclass(frozen=True)
class Listing:
    """One API list: measured at 20 and 200 rows, first page and a deep one."""

    label: str
    path: str
    floor: str  # its resource in bench/_floor.py
    credential: str  # a name in CREDENTIALS
    sealed: bool = False  # its rows carry sealed values (amounts)
    key: str = "id"  # the row field the floor pages on (the API's ordering)


# Who reads what: the scopes of the API key of each credential. "oauth" (an OAuth 2.0
# client-credentials token) and "basic" (HTTP Basic with a client id and secret) read
# with employees:read too.
CREDENTIALS = {
    "read": ["employees:read"],
    "pay": ["employees:read", "wages:read"],
    "audit": ["audit:read"],
    "sealed": ["employees:read", "personal:read", "identity:read", "wages:read"],
    "write": ["employees:read", "employees:write"],
    "timeoff": ["timeoff:read"],
}
LISTINGS = (
    Listing("employees", "/api/v1/employees/", "employees", "read"),
    Listing("employments", "/api/v1/employments/", "employments", "read"),
    Listing("wages", "/api/v1/wages/", "wages", "pay", sealed=True),
    Listing("wage components", "/api/v1/wage-components/", "wage_components", "pay", sealed=True),
    Listing("teams", "/api/v1/teams/", "teams", "read"),
    Listing("departments", "/api/v1/departments/", "departments", "read"),
    Listing("custom fields", "/api/v1/custom-fields/", "custom_fields", "read"),
    Listing("change feed", "/api/v1/changes/", "changes", "read"),
    Listing("audit log", "/api/v1/audit-events/", "audit_events", "audit", key="sequence"),
    Listing("leave requests", "/api/v1/leave-requests/", "leave_requests", "timeoff"),
)

WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, "
    .. "\\"p99_us\\": %d, \\"status_errors\\": %d, \\"socket_errors\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""
# PATCH: each request changes the work phone of the next employee of a list, to a random
# number, without a precondition (docs/api.md: without If-Match or `version` the change
# applies to the current version; wrk cannot read an ETag per request).
WRK_PATCH = """
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
local ids = {IDS}
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"work_phone": "+3247%07d"}', math.random(0, 9999999))
  return wrk.format(nil, string.format("PATH", ids[n % #ids + 1]), nil, body)
end
"""


@dataclass
class Case:
    label: str
    kluis_path: str  # for PATCH, with %d for the employee id
    floor_path: str
    credential: str
    rows: int  # rows of the page (1: one object)
    clients: tuple[int, ...] = CLIENTS
    sealed: bool = False
    method: str = "GET"
    ids: tuple[int, ...] = ()  # GET: first and last id on the page; PATCH: the employees
    queries: int = 0

    @property
    def ratio_target(self) -> float | None:
        """Kluis/floor to reach at 16 clients; pages of fewer than 200 rows count as 20-row
        pages; no ratio target for one object or a PATCH."""
        if self.method != "GET" or self.rows <= 1:
            return None
        if self.rows >= 200:
            return TARGET_RATIO_200
        return TARGET_RATIO_SEALED if self.sealed else TARGET_RATIO

    @property
    def p99_clients(self) -> int:
        return PATCH_CLIENTS[-1] if self.method == "PATCH" else CLIENTS[-1]


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: str
    cpu_ms: float = 0.0  # server CPU time (all its processes) per request


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU time of process `root` and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for pid, seconds in times.items():
        ancestor = pid
        while ancestor not in (0, 1) and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root:
            total += seconds
    return total


# --- set-up -------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("api_bench: needs wrk; install it with: sudo apt-get install -y wrk")
    print("==> Installing wrk (Debian package)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return shutil.which("wrk") or sys.exit("api_bench: wrk did not install")


def production_environment(data_dir: Path) -> None:
    """The settings `kluis serve` runs with in production, for a throw-away data dir."""
    sys.path.insert(0, str(BENCH_DIR.parent))
    from kluis.crypto.keyring import create_keyring_file

    os.environ.pop("KLUIS_DATABASE_URL", None)
    os.environ.pop("KLUIS_DEBUG", None)
    os.environ["KLUIS_SECRET_KEY"] = secrets.token_urlsafe(64)
    os.environ["KLUIS_MASTER_KEY_FILE"] = str(data_dir / "master_keys")
    os.environ["KLUIS_ALLOWED_HOSTS"] = f"{HOST},localhost"
    os.environ["KLUIS_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["KLUIS_LOG_LEVEL"] = "WARNING"
    os.environ["KLUIS_API_RATE_PER_KEY"] = RATE
    os.environ["KLUIS_API_RATE_PER_IP"] = RATE
    create_keyring_file(data_dir / "master_keys")
    (data_dir / "static").mkdir(exist_ok=True)  # what collectstatic makes for `kluis up`


def make_credentials(tenant: Any) -> dict[str, str]:
    """The Authorization header of each credential: API keys (CREDENTIALS), an OAuth 2.0
    token from `POST /oauth/token` (client credentials) and HTTP Basic with a client id
    and secret, each as an integration gets them."""
    from kluis.access.actor import Actor
    from kluis.integrations.services import (
        create_api_client,
        create_api_key,
        create_oauth_client,
    )

    system = Actor.system("bench", tenant)
    headers = {}
    for name, scopes in CREDENTIALS.items():
        _key, token = create_api_key(system, tenant, f"Bench {name}", scopes)
        headers[name] = f"Bearer {token}"
    client, secret = create_api_client(system, tenant, "Bench basic", ["employees:read"])
    headers["basic"] = basic(client.client_id, secret)
    _client, client_id, secret = create_oauth_client(
        system, tenant, "Bench oauth", ["employees:read"]
    )
    response = in_process_client().post(
        "/oauth/token",
        {"grant_type": "client_credentials", "scope": "employees:read"},
        secure=True,
        headers={"authorization": basic(client_id, secret)},
    )
    assert response.status_code == 200, (response.status_code, response.content[:300])
    headers["oauth"] = f"Bearer {json.loads(response.content)['access_token']}"
    return headers


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def in_process_client() -> Any:
    from django.test import Client

    return Client(HTTP_HOST=HOST)


def get_json(client: Any, path: str, auth: str) -> Any:
    response = client.get(path, secure=True, headers={"authorization": auth})
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return json.loads(response.content)


def local_path(url: str) -> str:
    link = urlsplit(url)
    return f"{link.path}?{link.query}"


def plan_listing(listing: Listing, auth: str, notes: list[str]) -> list[Case]:
    """The first page and a deep one (reached by following `next`) of each page size; a
    list shorter than a page size is measured as it is, and said so."""
    client = in_process_client()
    cases: list[Case] = []
    for size in SIZES:
        path, floor_path = f"{listing.path}?page_size={size}", f"/{listing.floor}/?page_size={size}"
        body = get_json(client, path, auth)
        first = body["results"]
        if cases and len(first) == cases[0].rows:
            notes.append(
                f"{listing.label}: {len(first)} rows in all, fewer than {SIZES[0]}: the"
                f" {size}-row page is the same page, measured once"
            )
            break
        cases.append(page_case(listing, f"{size}-row page, first", path, floor_path, first, auth))
        if len(first) < size:
            notes.append(
                f"{listing.label}: {len(first)} rows in all, shorter than a {size}-row page"
            )
        page = 1
        while page < DEEP_PAGE[size] and body["next"]:
            after = body["results"][-1][listing.key]
            path = local_path(body["next"])
            floor_path = f"/{listing.floor}/?page_size={size}&after={after}"
            body = get_json(client, path, auth)
            page += 1
        if page > 1:
            where = f"page {page}" if page == DEEP_PAGE[size] else f"page {page} (the last)"
            cases.append(
                page_case(
                    listing, f"{size}-row page, {where}", path, floor_path, body["results"], auth
                )
            )
            if page < DEEP_PAGE[size]:
                notes.append(
                    f"{listing.label}: {page} pages of {size} rows, not {DEEP_PAGE[size]}:"
                    " the deep page is the last"
                )
    return cases


def page_case(
    listing: Listing, where: str, path: str, floor_path: str, rows: list[Any], auth: str
) -> Case:
    return Case(
        label=f"{listing.label}, {where} ({len(rows)})",
        kluis_path=path,
        floor_path=floor_path,
        credential=listing.credential,
        rows=len(rows),
        sealed=listing.sealed,
        ids=(rows[0]["id"], rows[-1]["id"]),
    )


def plan_cases(headers: dict[str, str], notes: list[str]) -> list[Case]:
    """Every list (LISTINGS), then the employee list filtered, read with other credentials
    and with sealed fields, one employee, and a PATCH."""
    from django.utils import timezone

    from kluis.people.models import Employee, Team

    cases: list[Case] = []
    for listing in LISTINGS:
        cases += plan_listing(listing, headers[listing.credential], notes)
    client = in_process_client()
    employees = "/api/v1/employees/?page_size={size}"
    floor = "/employees/?page_size={size}"
    since = (timezone.now() - dt.timedelta(days=30)).replace(microsecond=0)
    team = Team.objects.order_by("pk").values_list("pk", flat=True)[Team.objects.count() // 2]
    variants = [
        # (label, query, floor query, credential, sealed, floor resource, page sizes)
        (
            "employees, updated in the last 30 days",
            f"&updated_since={since:%Y-%m-%dT%H:%M:%SZ}",
            f"&updated_since={since:%Y-%m-%d%%20%H:%M:%S}",
            "read",
            False,
            "employees",
            SIZES,
        ),
        (
            "employees, one team",
            f"&team={team}",
            f"&team={team}",
            "read",
            False,
            "employees",
            (20,),
        ),
        ("employees, OAuth token", "", "", "oauth", False, "employees", (20,)),
        ("employees, HTTP Basic", "", "", "basic", False, "employees", (20,)),
        (
            "employees, sealed fields",
            "",
            "",
            "sealed",
            True,
            "employees_sealed",
            (20,),
        ),
    ]
    for label, query, floor_query, credential, sealed, resource, sizes in variants:
        for size in sizes:
            path = employees.format(size=size) + query
            rows = get_json(client, path, headers[credential])["results"]
            cases.append(
                Case(
                    label=f"{label}, {size}-row page ({len(rows)})",
                    kluis_path=path,
                    floor_path=floor.replace("employees", resource).format(size=size) + floor_query,
                    credential=credential,
                    rows=len(rows),
                    sealed=sealed,
                    ids=(rows[0]["id"], rows[-1]["id"]),
                )
            )
    ids = list(Employee.objects.order_by("pk").values_list("pk", flat=True))
    one = ids[len(ids) // 2]
    cases.append(
        Case(
            label="one employee (/api/v1/employees/<id>/)",
            kluis_path=f"/api/v1/employees/{one}/",
            floor_path=f"/employees/one/?id={one}",
            credential="read",
            rows=1,
            ids=(one, one),
        )
    )
    cases.append(
        Case(
            label="PATCH an employee's work_phone",
            kluis_path="/api/v1/employees/%d/",
            floor_path="/employees/%d/",
            credential="write",
            rows=1,
            clients=PATCH_CLIENTS,
            method="PATCH",
            ids=tuple(ids[1 : len(ids) : max(1, len(ids) // 500)]),
        )
    )
    return cases


def count_queries(auth: str, case: Case) -> int:
    """SQL queries of one request (after a warm-up one), counted in this process: through
    the WSGI application granian serves (kluis.wsgi) and through Django's own handler; the
    more of the two."""
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kluis.wsgi import application

    target = case.kluis_path % case.ids[0] if case.method == "PATCH" else case.kluis_path
    path, _sep, query = target.partition("?")
    body = json.dumps({"work_phone": "+32470000000"}).encode() if case.method == "PATCH" else b""

    def served() -> None:
        environ = {
            "REQUEST_METHOD": case.method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": HOST,
            "SERVER_PORT": "443",
            "HTTP_HOST": HOST,
            "REMOTE_ADDR": HOST,
            "HTTP_AUTHORIZATION": auth,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
        }
        status: list[str] = []
        b"".join(application(environ, lambda code, headers, exc_info=None: status.append(code)))
        assert status == ["200 OK"], (target, status)

    def handled() -> None:
        response = in_process_client().generic(
            case.method,
            target,
            body,
            content_type="application/json",
            secure=True,
            headers={"authorization": auth},
        )
        assert response.status_code == 200, (target, response.status_code)

    counts = []
    for run in (served, handled):
        run()
        with CaptureQueriesContext(connection) as captured:
            run()
        counts.append(len(captured))
    return max(counts)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_servers(
    data_dir: Path, workers: int, threads: int, tenant_id: int
) -> tuple[list[Any], int, int]:
    """Kluis as `kluis up` runs it (granian + the background worker) and the floor app
    under the same granian command line; returns (children, Kluis port, floor port)."""
    from kluis.operations.children import start_child, stop_children, worker_command
    from kluis.operations.serving import ServerOptions, granian_command
    from kluis.operations.tls import ensure_certificate

    cert, key = ensure_certificate(data_dir / "tls", (HOST, "localhost"))
    kluis_port, floor_port = free_port(), free_port()
    kluis, floor = (
        granian_command(
            ServerOptions(
                host=HOST, port=port, workers=workers, blocking_threads=threads, log_level="warning"
            ),
            cert,
            key,
        )
        for port in (kluis_port, floor_port)
    )
    floor[floor.index("--working-dir") + 1] = str(BENCH_DIR)
    floor[-1] = "_floor:application"
    os.environ["KLUIS_BENCH_FLOOR_DB"] = str(data_dir / "kluis.sqlite3")
    os.environ["KLUIS_BENCH_FLOOR_TENANT"] = str(tenant_id)
    children = [
        start_child("Kluis web server", kluis),
        start_child("background worker", worker_command()),
        start_child("floor web server", floor),
    ]
    try:
        for port in (kluis_port, floor_port):
            wait_live(port, children)
    except BaseException:
        stop_children(children)
        raise
    return children, kluis_port, floor_port


def wait_live(port: int, children: list[Any], timeout: float = 60.0) -> None:
    from kluis.operations.serving import probe_live

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if child.process.poll() is not None:
                sys.exit(f"api_bench: the {child.name} stopped (exit {child.process.returncode})")
        if probe_live(HOST, port, f"{HOST}:{port}") == 200:
            return
        time.sleep(0.2)
    sys.exit(f"api_bench: nothing answered on port {port} within {timeout:.0f} s")


def fetch_ids(port: int, path: str, auth: str | None) -> tuple[int, int]:
    """First and last id of a page (or the id of one object) fetched over HTTPS, to check
    that both servers serve the same rows."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # our own throw-away self-signed certificate
    headers = {"Authorization": auth} if auth else {}
    request = urllib.request.Request(f"https://{HOST}:{port}{path}", headers=headers)
    with urllib.request.urlopen(request, context=context, timeout=30) as response:  # noqa: S310
        body = json.loads(response.read())
    if "results" in body:
        return body["results"][0]["id"], body["results"][-1]["id"]
    return body["id"], body["id"]


# --- load ---------------------------------------------------------------------------------


def wrk_script(case: Case, path: str, auth: str | None) -> str:
    header = f'wrk.headers["Authorization"] = "{auth}"\n' if auth else ""
    if case.method == "PATCH":
        ids = "{" + ", ".join(map(str, case.ids)) + "}"
        return header + WRK_PATCH.replace("{IDS}", ids).replace("PATH", path) + WRK_DONE
    return f'wrk.method = "GET"\nwrk.path = "{path}"\n' + header + WRK_DONE


def run_wrk(
    wrk: str,
    port: int,
    script: str,
    clients: int,
    seconds: float,
    work: Path,
    server: int = 0,
) -> Load:
    lua = work / "case.lua"
    lua.write_text(script, encoding="utf-8")
    command = [
        wrk,
        "--threads",
        "1",
        "--connections",
        str(clients),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "--script",
        str(lua),
        f"https://{HOST}:{port}",
    ]
    cpu_before = tree_cpu_seconds(server) if server else 0.0
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = tree_cpu_seconds(server) - cpu_before if server else 0.0
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    errors = []
    if data["status_errors"]:
        errors.append(f"{data['status_errors']} non-2xx")
    if data["socket_errors"]:
        errors.append(f"{data['socket_errors']} socket errors")
    return Load(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=", ".join(errors),
        cpu_ms=cpu * 1000 / max(1, data["requests"]),
    )


# --- report -------------------------------------------------------------------------------


@dataclass
class Row:
    case: Case
    clients: int
    kluis: Load
    floor: Load

    @property
    def ratio(self) -> float:
        return self.kluis.rps / self.floor.rps if self.floor.rps else float("nan")

    def verdicts(self) -> dict[str, bool | None]:
        """Each target for this row: True (pass), False (fail), None (not a target here)."""
        case, judged = self.case, self.clients == self.case.p99_clients
        target = case.ratio_target
        return {
            "ratio": self.ratio >= target if judged and target is not None else None,
            "p99": self.kluis.p99_ms <= TARGET_P99_MS if judged else None,
            "sql": case.queries <= TARGET_QUERIES,
        }


def mark(ok: bool | None) -> str:
    return "" if ok is None else "[PASS]" if ok else "[FAIL]"


def report(rows: list[Row], notes: list[str], load_before: float) -> None:
    width = max(len(row.case.label) for row in rows)
    head = (
        f"{'':<{width}} {'':>3} {'Kluis':-^35} | {'floor':-^28} | {'Kluis/floor':-^11}"
        f" | {'targets':-^22}\n"
        f"{'case (rows)':<{width}} {'cl.':>3} {'req/s':>7} {'p50 ms':>6} {'p99 ms':>6}"
        f" {'CPU ms':>6} {'SQL':>4} | {'req/s':>7} {'p50 ms':>6} {'p99 ms':>6} {'CPU ms':>6}"
        f" | {'req/s':>5} {'CPU':>5} | {'ratio':<10} {'p99':<6} {'SQL':<6}"
    )
    print(head)
    print("-" * len(head.splitlines()[-1]))
    for row in rows:
        kluis, floor, case = row.kluis, row.floor, row.case
        cpu_ratio = floor.cpu_ms / kluis.cpu_ms if kluis.cpu_ms else float("nan")
        verdict = row.verdicts()
        target = f">={case.ratio_target:g}" if verdict["ratio"] is not None else ""
        print(
            f"{case.label:<{width}} {row.clients:>3} {kluis.rps:>7.0f} {kluis.p50_ms:>6.1f}"
            f" {kluis.p99_ms:>6.1f} {kluis.cpu_ms:>6.2f} {case.queries:>4}"
            f" | {floor.rps:>7.0f} {floor.p50_ms:>6.1f} {floor.p99_ms:>6.1f} {floor.cpu_ms:>6.2f}"
            f" | {row.ratio:>5.2f} {cpu_ratio:>5.2f}"
            f" | {(target + ' ' + mark(verdict['ratio'])).strip():<10}"
            f" {mark(verdict['p99']):<6} {mark(verdict['sql']):<6}"
        )
        for who, load in (("Kluis", kluis), ("floor", floor)):
            if load.errors:
                notes.append(f"{case.label}, {row.clients} cl.: {who} had {load.errors}")
    print(
        "cl. = concurrent clients; CPU ms = CPU time of the web server's processes per request"
        " (user + system, from /proc), which other load disturbs far less than req/s; the"
        " CPU ratio is floor CPU / Kluis CPU; SQL = queries per request, counted in-process."
    )
    print()
    print("Targets (2 cores):")
    for name, text in (
        (
            "ratio",
            f"Kluis/floor (req/s) at {CLIENTS[-1]} clients >= {TARGET_RATIO} on 20-row pages,"
            f" >= {TARGET_RATIO_SEALED} with sealed fields, >= {TARGET_RATIO_200} on 200-row"
            " pages (a page of fewer than 200 rows counts as a 20-row page)",
        ),
        (
            "p99",
            f"p99 <= {TARGET_P99_MS:.0f} ms at {CLIENTS[-1]} clients (the PATCH at"
            f" {PATCH_CLIENTS[-1]})",
        ),
        ("sql", f"<= {TARGET_QUERIES} SQL queries per request whatever the page size"),
    ):
        verdicts = [row.verdicts()[name] for row in rows]
        judged = [v for v in verdicts if v is not None]
        failed = [
            f"{row.case.label}, {row.clients} cl."
            for row, v in zip(rows, verdicts, strict=True)
            if v is False
        ]
        print(
            f"  [{mark(all(judged)).strip('[]')}] {text}: {sum(judged)} of {len(judged)} rows pass"
        )
        for where in dict.fromkeys(failed):
            print(f"         fails: {where}")
    print()
    print(
        f"Load average {load_before:.2f} before the runs ({os.getloadavg()[0]:.2f} after,"
        f" their own load included), on {os.cpu_count()} CPUs shared with wrk and whatever"
        " else runs: req/s and latency are noisy when the machine is busy."
    )
    for note in notes:
        print(f"Note: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per run")
    parser.add_argument(
        "--workers", type=int, default=None, help="granian workers (default: as `kluis up`)"
    )
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=None,
        help="granian blocking threads per worker (default: as `kluis up`)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="1 s runs, no per-run warm-up (a few minutes)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="measure only the cases whose label holds TEXT (may be repeated)",
    )
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup = 1.0, 0.0
    wrk = ensure_wrk()
    data_dir = Path(tempfile.mkdtemp(prefix="kluis-api-bench-"))
    children: list[Any] = []
    try:
        production_environment(data_dir)
        setup_django(data_dir, env="production")
        from django.db import connections

        from kluis.cli import WEB_BLOCKING_THREADS
        from kluis.operations.children import stop_children
        from kluis.operations.serving import default_workers

        workers = args.workers or int(os.environ.get("KLUIS_WEB_WORKERS", default_workers()))
        started = time.perf_counter()
        tenant, _hr = seed(args.employees, api=True)
        seed_leave(tenant)  # a year of leave: the leave requests' list
        headers = make_credentials(tenant)
        print(
            f"Seeded {args.employees:,} employees in {time.perf_counter() - started:.1f} s"
            " (SQLite, KLUIS_ENV=production, DEBUG off)."
        )
        notes: list[str] = []
        cases = plan_cases(headers, notes)
        if args.only:
            cases = [c for c in cases if any(text in c.label for text in args.only)]
            if not cases:
                parser.error(f"no case's label holds any of {args.only}")
        connections.close_all()
        threads = args.blocking_threads or WEB_BLOCKING_THREADS
        children, kluis_port, floor_port = start_servers(data_dir, workers, threads, tenant.pk)
        for case in cases:
            if case.method != "GET":
                continue
            kluis_ids = fetch_ids(kluis_port, case.kluis_path, headers[case.credential])
            floor_ids = fetch_ids(floor_port, case.floor_path, None)
            # The audit log's first page grows while the benchmark reads wages (each read
            # is audited): its rows are only compared between the two servers.
            planned = (
                case.ids if "audit" not in case.label or "first" not in case.label else kluis_ids
            )
            assert kluis_ids == floor_ids == planned, (case.label, kluis_ids, floor_ids, planned)
        print(
            f"Serving: granian over HTTPS, {workers} worker process(es) x {threads} blocking"
            " thread(s), plus the background worker, as `kluis up` does; the floor under the"
            " same granian command line."
        )
        print(
            f"Rate limits raised for the benchmark: KLUIS_API_RATE_PER_KEY ="
            f" KLUIS_API_RATE_PER_IP = {RATE} (defaults 600/min per key, 1200/min per IP)."
        )
        print(
            f"Load: wrk, 1 thread, {args.duration:.0f} s per run after {args.warmup:.0f} s of"
            " warm-up; Kluis and the floor alternate case by case; same rows checked."
        )
        print(
            "Queries: counted in-process (CaptureQueriesContext) for the same request after a"
            " warm-up one, through the served WSGI application and through Django's handler;"
            " the more of the two.\n"
        )
        load_before = os.getloadavg()[0]
        work = data_dir / "wrk"
        work.mkdir()
        servers = {
            "kluis": (kluis_port, children[0].process.pid),
            "floor": (floor_port, children[2].process.pid),
        }

        def scripts(case: Case) -> dict[str, str]:
            return {
                "kluis": wrk_script(case, case.kluis_path, headers[case.credential]),
                "floor": wrk_script(case, case.floor_path, None),
            }

        # Warm every server thread up (imports, caches, SQLite pages) before measuring: on
        # every case, or (--quick) on the first page of each list.
        warm = [c for c in cases if c.method == "GET"]
        if args.quick:
            warm = [c for c in warm if "page, first" in c.label and "200-row" not in c.label]
        for case in warm:
            for who, script in scripts(case).items():
                run_wrk(wrk, servers[who][0], script, CLIENTS[-1], 1, work)
        rows = []
        for case in cases:
            for clients in case.clients:
                measured = {}
                for who, script in scripts(case).items():
                    port, pid = servers[who]
                    if args.warmup:
                        run_wrk(wrk, port, script, clients, args.warmup, work)
                    measured[who] = run_wrk(wrk, port, script, clients, args.duration, work, pid)
                rows.append(Row(case, clients, measured["kluis"], measured["floor"]))
        stop_children(children)
        children = []
        for case in cases:
            case.queries = count_queries(headers[case.credential], case)
        connections.close_all()
        report(rows, notes, load_before)
    finally:
        if children:
            from kluis.operations.children import stop_children

            stop_children(children)
        if args.keep:
            print(f"Data directory kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
