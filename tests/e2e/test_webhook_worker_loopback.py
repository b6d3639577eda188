"""At least once, for real: a worker process sending webhooks to two loopback receivers is
killed with SIGKILL in the middle of sending, another worker takes over, and the receivers
still get every event (a duplicate carries the same webhook-id), each object's events in
the order they happened, every one signed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.conftest import REPO_ROOT, _manage, _server_env, start_worker, stop_worker
from tests.integrations.webhooks.receiver import running_receiver

CHANGES = 24

SETUP = """
from kluis.integrations.webhooks.services import create_subscription
from kluis.tenancy.models import Membership, Tenant
from kluis.access.actor import Actor
tenant = Tenant.objects.get(slug="demo-bv")
owner = Actor.for_member(Membership.objects.get(tenant=tenant, user__email="owner@demo-bv.test"))
subscription, secret = create_subscription(
    owner, tenant, {"url": URL, "event_types": ["employee.updated"]}, api_base="https://k.test"
)
print(json.dumps({"id": subscription.pk, "secret": secret}))
"""

CHANGE = """
from kluis.people.models import Employee
from kluis.people.services import update_employee
from kluis.tenancy.models import Membership, Tenant
from kluis.access.actor import Actor
tenant = Tenant.objects.get(slug="demo-bv")
hr = Actor.for_member(Membership.objects.get(tenant=tenant, user__email="hr@demo-bv.test"))
people = list(Employee.objects.for_tenant(tenant).order_by("pk")[:3])
for round_ in range(COUNT // 3):
    for person in people:
        person.refresh_from_db()
        name = {"first_name": f"Round{round_}"}
        update_employee(hr, person, name, expected_version=person.version)
"""

EVENTS = """
from kluis.integrations.models import DomainEvent
print(json.dumps([[e.uid, e.object_id] for e in DomainEvent.objects.filter(
    name="employee.updated").order_by("pk")]))
"""


def shell(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "import json\n" + code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip().splitlines()[-1]


def test_a_worker_killed_while_sending_loses_nothing(tmp_path: Path) -> None:
    env = {
        **_server_env(tmp_path),
        "KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
        "KLUIS_WEBHOOK_LEASE_SECONDS": "2",
        "KLUIS_WEBHOOK_SWEEP_SECONDS": "1",
        "KLUIS_WEBHOOK_RETRY_SCHEDULE": "0.5,0.5,1,1,1,1,1,1,1",
    }
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    _manage(env, "load_demo")
    with running_receiver() as first, running_receiver() as second:
        receivers = [first, second]  # two subscriptions: sent by two threads of the worker

        def slowly(got):  # type: ignore[no-untyped-def]
            time.sleep(0.15)  # the worker is mid-request most of the time
            return 200, {}, b"ok"

        secrets = []
        for receiver in receivers:
            receiver.answer = slowly
            made = json.loads(shell(env, f"URL = {receiver.url!r}\n" + SETUP))
            secrets.append(made["secret"])
        log = tmp_path / "worker.log"
        worker = start_worker(env, log)
        try:
            for receiver in receivers:
                receiver.wait_for(1, timeout=30, pings=True)  # the ping: now active
            shell(env, f"COUNT = {CHANGES}\n" + CHANGE)
            first.wait_for(5, timeout=30)
            os.killpg(worker.pid, signal.SIGKILL)  # in the middle of sending
            worker.wait(timeout=10)
            assert len(first.events()) < CHANGES, "the worker had sent everything before the kill"
            worker = start_worker(env, log)
            deadline = time.monotonic() + 60
            expected = json.loads(shell(env, EVENTS))
            wanted_ids = {uid for uid, _object in expected}
            while time.monotonic() < deadline:
                if all({r.json["id"] for r in r_.events()} >= wanted_ids for r_ in receivers):
                    break
                time.sleep(0.2)
        finally:
            stop_worker(worker)
        for receiver, secret in zip(receivers, secrets, strict=True):
            events = receiver.events()
            assert {r.json["id"] for r in events} == wanted_ids, log.read_text()
            by_uid: dict[str, set[str]] = {}
            for got in events:
                got.verify(secret)
                by_uid.setdefault(got.json["id"], set()).add(got.headers["webhook-id"])
            assert all(len(ids) == 1 for ids in by_uid.values())  # a duplicate: same id
            for object_id in {o for _uid, o in expected}:
                wanted = [uid for uid, o in expected if o == object_id]
                last_seen: list[str] = []
                for got in events:
                    if got.json["data"]["id"] == int(object_id):
                        if got.json["id"] in last_seen:
                            last_seen.remove(got.json["id"])
                        last_seen.append(got.json["id"])
                assert last_seen == wanted
