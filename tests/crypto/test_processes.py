"""Keys across processes: a fresh process after rotation, a running one during it, races.

Each test runs Kluis in child processes on a database of their own (SQLite, or a fresh
PostgreSQL database in the PostgreSQL run) with a data directory and keyring of their own.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from kluis.crypto import keyring
from tests.crypto.conftest import Children

pytestmark = pytest.mark.slow

PURPOSE = "people.employee.national_id"

CREATE_AND_SEAL = """
from kluis.access.actor import Actor
from kluis.company.services import create_tenant
out = {}
for arg in sys.argv[1:]:
    slug, _, seal = arg.partition(":")
    tenant = create_tenant(Actor.system("test"), name=slug.upper(), slug=slug)
    if seal:
        out[slug] = vault.seal(tenant.pk, "people.employee.national_id", "national id of " + slug)
print(json.dumps(out))
"""

# Opens the given tokens and reports the key rows and whether every audit chain holds.
CHECK = """
from kluis.audit.services import verify_all
from kluis.crypto.models import TenantKey
opened = {}
for slug, token in json.loads(sys.argv[1]).items():
    tenant = Tenant.objects.get(slug=slug)
    opened[slug] = vault.unseal(tenant.pk, "people.employee.national_id", token)
rows = [
    [r.tenant.slug, r.version, r.is_active, r.master_key_id]
    for r in TenantKey.objects.order_by("tenant__slug", "version")
]
print(json.dumps({"opened": opened, "rows": rows, "audit_ok": all(r.ok for r in verify_all())}))
"""

RACER = """
import time
tenant = Tenant.objects.get(slug=sys.argv[1])
print("ready", flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.002)
vault.ensure_tenant_key(tenant.pk)
print(vault.blind_index(tenant.pk, "race", "same value"), flush=True)
"""

SERVER = """
from kluis.access.actor import Actor
from kluis.company.services import create_tenant
print("ready", flush=True)
for line in sys.stdin:
    op, slug, value = json.loads(line)
    try:
        if op == "create":
            tenant = create_tenant(Actor.system("test"), name=slug.upper(), slug=slug)
            result = slug
        elif op == "seal":
            tenant = Tenant.objects.get(slug=slug)
            result = vault.seal(tenant.pk, "people.employee.national_id", value)
        else:
            tenant = Tenant.objects.get(slug=slug)
            result = vault.unseal(tenant.pk, "people.employee.national_id", value)
    except Exception as exc:
        result = f"ERROR {type(exc).__name__}: {exc}"
    print(json.dumps(result), flush=True)
"""


def _check(children: Children, tokens: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(children.python(CHECK, json.dumps(tokens)))
    assert result["audit_ok"]
    return result


@contextmanager
def _watchdog(process: subprocess.Popen[str], seconds: float = 90) -> Iterator[None]:
    timer = threading.Timer(seconds, process.kill)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
        process.wait()


def test_after_rotation_with_retire_old_a_fresh_process_opens_old_tokens(children):
    tokens = json.loads(children.python(CREATE_AND_SEAL, "acme-bv:seal", "globex-nv:seal"))
    path = children.data_dir / "master_keys"
    original = keyring.read_keyring_file(path).active_id

    rotated = children.kluis("keys", "rotate", "--retire-old")

    assert rotated.returncode == 0, rotated.stderr
    assert "acme-bv: re-wrapped 1 data key" in rotated.stdout
    ring = keyring.read_keyring_file(path)
    assert list(ring.keys) == [ring.active_id] and ring.active_id != original
    result = _check(children, tokens)
    assert result["opened"] == {slug: f"national id of {slug}" for slug in tokens}
    assert {row[3] for row in result["rows"]} == {ring.active_id}


def test_a_running_process_carries_on_through_a_rotation(children):
    globex_token = json.loads(children.python(CREATE_AND_SEAL, "acme-bv", "globex-nv:seal"))[
        "globex-nv"
    ]
    server = children.popen(SERVER)
    assert server.stdin is not None and server.stdout is not None

    def ask(op: str, slug: str, value: str = "") -> str:
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps([op, slug, value]) + "\n")
        server.stdin.flush()
        answer: str = json.loads(server.stdout.readline())
        assert not answer.startswith("ERROR"), answer
        return answer

    with _watchdog(server):
        assert server.stdout.readline().strip() == "ready"
        acme_token = ask("seal", "acme-bv", "acme before")  # loads the keyring as it was

        rotated = children.kluis("keys", "rotate", "--retire-old")
        assert rotated.returncode == 0, rotated.stderr

        # A data key it never saw, now wrapped by a master key it does not know: reload.
        assert ask("unseal", "globex-nv", globex_token) == "national id of globex-nv"
        assert ask("unseal", "acme-bv", acme_token) == "acme before"
        ask("create", "initech-bv")
        initech_token = ask("seal", "initech-bv", "initech after")  # a new data key
        server.stdin.close()
        assert server.wait(timeout=30) == 0, server.stderr.read() if server.stderr else ""

    active = keyring.read_keyring_file(children.data_dir / "master_keys").active_id
    result = _check(children, {"initech-bv": initech_token, "acme-bv": acme_token})
    assert result["opened"] == {"initech-bv": "initech after", "acme-bv": "acme before"}
    assert {row[3] for row in result["rows"]} == {active}


def test_processes_racing_to_make_a_company_key_end_with_one_active_key(children, tmp_path):
    children.python(CREATE_AND_SEAL, "race-bv")
    go = tmp_path / "go"
    racers = [children.popen(RACER, "race-bv", str(go)) for _ in range(4)]
    try:
        for racer in racers:
            assert racer.stdout is not None
            assert racer.stdout.readline().strip() == "ready", racer.stderr
        go.touch()
        results = [racer.communicate(timeout=90) for racer in racers]
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()
                racer.wait()
    for racer, (_out, err) in zip(racers, results, strict=True):
        assert racer.returncode == 0, err
    indexes = {out.strip() for out, _err in results}
    assert len(indexes) == 1  # every process ended up with the same data key
    assert [row[:3] for row in _check(children, {})["rows"]] == [["race-bv", 1, True]]
