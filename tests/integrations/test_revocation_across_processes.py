"""A revoked credential fails on the very next request, also in another server process
(issue 12): credentials are looked up once per request and held in no process's memory.

Kluis is served for real, twice: two granian servers on two loopback ports, sharing one
database (the SQLite file, or a fresh PostgreSQL database in the PostgreSQL run). A third
process plays the company: it makes the credentials and revokes them through the
services. Each credential answers 200 on the first server, is revoked, and the very next
request, on the second server (which has just served it too), is a 401.

Credentials: an API key, an OAuth 2.0 client-credentials token (from the real token
endpoint) and a member's connection of a third-party app (its authorization-code token).
A member cannot be removed or deactivated by any service yet, so that case is the
connection's revocation (the member disconnecting the app)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.crypto.conftest import (
    ROOT,
    SETUP,
    _child_env,
    _postgres,
    _postgres_url,
    _with_database,
    migrated_template,  # noqa: F401  (the session's migrated database, shared with crypto)
)

pytestmark = pytest.mark.slow

START_TIMEOUT = 30

# The company side, through the services, in a process of its own: one JSON command a
# line on stdin, one JSON answer a line on stdout (one Django start for the whole test).
COMPANY = """
import datetime as dt, hashlib
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from kluis.access.actor import Actor
from kluis.company.services import add_member, create_tenant
from kluis.integrations.models import ApiClient, ApiKey, OAuthConnection
from kluis.integrations import services

def setup():
    system = Actor.system("revocation test")
    tenant = create_tenant(system, name="Revocation BV", slug="revocation-bv")
    actor = Actor.system("revocation test", tenant)
    key, key_text = services.create_api_key(actor, tenant, "Sync", ["employees:read"])
    _client, client_id, secret = services.create_oauth_client(
        actor, tenant, "Machine", ["employees:read"]
    )
    member = add_member(actor, tenant, email="member@revocation.test")
    app, _secret = services.register_oauth_app(
        system, "Planner", ["https://planner.example/callback"]
    )
    services.connect_app(actor, tenant, member.user, app, ["employees:read"])
    # What the token endpoint issues at the end of the authorization code flow.
    token = "conn" + secrets.token_urlsafe(30)
    get_access_token_model().objects.create(
        user=member.user,
        application=app,
        token=token,
        token_checksum=hashlib.sha256(token.encode()).hexdigest(),
        scope="employees:read",
        expires=timezone.now() + dt.timedelta(hours=1),
    )
    return {
        "key": key_text, "client_id": client_id, "secret": secret, "connection": token,
        "key_pk": key.pk, "app_pk": app.pk, "tenant": tenant.pk,
    }

def revoke(kind, ids):
    tenant = Tenant.objects.get(pk=ids["tenant"])
    actor = Actor.system("revocation test", tenant)
    if kind == "key":
        services.revoke_api_key(actor, ApiKey.objects.for_tenant(tenant.pk).get(pk=ids["key_pk"]))
    elif kind == "client":
        client = ApiClient.objects.for_tenant(tenant.pk).get(
            oauth_application__client_id=ids["client_id"]
        )
        services.revoke_api_client(actor, client)
    else:
        connection = OAuthConnection.objects.for_tenant(tenant.pk).get(
            application_id=ids["app_pk"]
        )
        services.revoke_connection(actor, connection)
    return {"revoked": kind}

import secrets
ids = None
for line in sys.stdin:
    command = json.loads(line)
    if command[0] == "setup":
        ids = setup()
        print(json.dumps(ids), flush=True)
    else:
        print(json.dumps(revoke(command[1], ids)), flush=True)
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    urls: list[str]  # the two servers
    pids: list[int]  # their processes
    cert: str  # their self-signed certificate, which the requests trust
    company: subprocess.Popen[str]
    ids: dict[str, Any]

    def ask(self, *command: str) -> dict[str, Any]:
        assert self.company.stdin is not None and self.company.stdout is not None
        self.company.stdin.write(json.dumps(command) + "\n")
        self.company.stdin.flush()
        line = self.company.stdout.readline()
        assert line, "the company process stopped"
        return json.loads(line)


def _granian(env: dict[str, str], port: int, cert: Path, key: Path, log: Path) -> Any:
    command = [
        str(Path(sys.executable).parent / "granian"),
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", "1",
        "--ssl-certificate", str(cert),
        "--ssl-keyfile", str(key),
        "--no-ws",
        "kluis.wsgi:application",
    ]  # fmt: skip
    with open(log, "wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )


def _wait_live(url: str, cert: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            if requests.get(f"{url}/health/live", verify=cert, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not come up:\n{log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
    migrated_template: str,  # noqa: F811
) -> Iterator[Served]:
    from kluis.operations.tls import ensure_certificate

    data_dir = tmp_path_factory.mktemp("revocation")
    url, database = _postgres_url(), ""
    if url:
        database = f"kluis_revocation_{secrets.token_hex(6)}"
        _postgres(url, f'CREATE DATABASE "{database}" TEMPLATE "{migrated_template}"')
        env = _child_env(data_dir, _with_database(url, database))
    else:
        for source in Path(migrated_template).glob("kluis.sqlite3*"):
            shutil.copyfile(source, data_dir / source.name)
        env = _child_env(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    cert, key = ensure_certificate(data_dir / "tls")
    company = subprocess.Popen(
        [sys.executable, "-c", SETUP + COMPANY],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    servers: list[subprocess.Popen[bytes]] = []
    try:
        ports = [_free_port(), _free_port()]
        logs = [data_dir / f"granian-{port}.log" for port in ports]
        servers = [_granian(env, p, cert, key, log) for p, log in zip(ports, logs, strict=True)]
        urls = [f"https://127.0.0.1:{port}" for port in ports]
        served = Served(urls, [p.pid for p in servers], str(cert), company, {})
        served.ids = served.ask("setup")
        for address, process, log in zip(urls, servers, logs, strict=True):
            _wait_live(address, served.cert, process, log)
        yield served
    finally:
        for process in [*servers, company]:
            process.terminate()
        for process in [*servers, company]:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if database:
            _postgres(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def employees(served: Served, url: str, headers: dict[str, str]) -> int:
    response = requests.get(
        f"{url}/api/v1/employees/?page_size=1", headers=headers, verify=served.cert, timeout=10
    )
    return response.status_code


def check_revoked_at_once(served: Served, kind: str, headers: dict[str, str]) -> None:
    first, second = served.urls
    assert employees(served, first, headers) == 200
    assert employees(served, second, headers) == 200  # known to the other process too
    served.ask("revoke", kind)
    assert employees(served, second, headers) == 401
    assert employees(served, first, headers) == 401


def test_a_revoked_api_key_fails_at_once_in_another_process(served: Served) -> None:
    check_revoked_at_once(served, "key", {"Authorization": f"Bearer {served.ids['key']}"})


def test_a_revoked_oauth_client_credentials_token_fails_at_once_in_another_process(
    served: Served,
) -> None:
    response = requests.post(
        f"{served.urls[0]}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "employees:read"},
        auth=(served.ids["client_id"], served.ids["secret"]),
        verify=served.cert,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    check_revoked_at_once(served, "client", {"Authorization": f"Bearer {token}"})


def test_a_disconnected_members_app_token_fails_at_once_in_another_process(
    served: Served,
) -> None:
    headers = {"Authorization": f"Bearer {served.ids['connection']}"}
    check_revoked_at_once(served, "connection", headers)


def test_the_two_servers_are_two_processes(served: Served) -> None:
    """The point of the tests above: no answer could come from one process's memory."""
    assert len(set(served.pids)) == 2
    assert os.getpid() not in served.pids
    for pid in served.pids:
        os.kill(pid, 0)  # still running (raises if not)
