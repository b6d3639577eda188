"""The curl examples of docs/api.md, run in order with the real curl against a live server;
each must answer the status its `# HTTP nnn` line promises."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from kluis.access.actor import Actor
from kluis.integrations.services import create_api_client, create_oauth_client
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.api_client import make_key

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
SYNC_SCRIPT = Path(settings.BASE_DIR) / "docs" / "examples" / "sync_employees.py"
BLOCK = re.compile(r"```sh\n(curl .*?)\n# HTTP (\d{3})\n```", re.S)

pytestmark = pytest.mark.django_db(transaction=True)


def examples() -> list[tuple[str, int]]:
    return [(command, int(status)) for command, status in BLOCK.findall(DOC.read_text())]


def test_docs_have_curl_examples_for_the_main_steps():
    commands = " ".join(c for c, _s in examples())
    assert len(examples()) >= 6
    # No untested curl: every one is in a ```sh block with the status it answers.
    assert DOC.read_text().count("\ncurl ") == len(examples())
    assert "wages:read,audit:read" in DOC.read_text()
    for needle in ("-X POST", "Idempotency-Key", "If-Match", "-X PATCH", "page_size"):
        assert needle in commands


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_every_curl_example_in_the_guide_works(demo, live_server):
    env = {
        "PATH": os.environ["PATH"],
        "KLUIS_URL": live_server.url,
        # The key section 1 suggests for following the whole guide.
        "KLUIS_API_KEY": make_key(
            "demo-bv", ["employees:read", "employees:write", "wages:read", "audit:read"]
        ),
        # An app's member (section 1c).
        "KLUIS_APP_EMAIL": "hr@demo-bv.test",
        "KLUIS_APP_PASSWORD": settings.DEMO_PASSWORD,
        "SYNC_STARTED": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    tenant = Tenant.objects.get(slug="demo-bv")
    basic, secret = create_api_client(
        Actor.system("docs", tenant), tenant, "Docs", ["employees:read"]
    )
    env["KLUIS_CLIENT_ID"], env["KLUIS_CLIENT_SECRET"] = str(basic.client_id), secret
    _client, oauth_id, oauth_secret = create_oauth_client(
        Actor.system("docs", tenant), tenant, "Docs OAuth", ["employees:read"]
    )
    env["KLUIS_OAUTH_CLIENT_ID"], env["KLUIS_OAUTH_CLIENT_SECRET"] = oauth_id, oauth_secret
    env.update(calendar_env(tenant))
    for command, expected in examples():
        result = subprocess.run(
            ["sh", "-c", command + ' -D /dev/stderr -o /dev/stdout -w "\\n%{http_code}"'],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        status = int(result.stdout.rsplit("\n", 1)[-1])
        assert status == expected, (command, result.stdout[-800:])
        following = re.search(r'"next": ?"([^"]+)"', result.stdout)
        if following:
            env["NEXT"] = following.group(1)
        token = re.search(r'"access_token": ?"([^"]+)"', result.stdout)
        if token and "/auth/app/" in command:  # an app's sign-in or refresh (section 1c)
            env["KLUIS_APP_TOKEN"] = token.group(1)
            refresh = re.search(r'"refresh_token": ?"([^"]+)"', result.stdout)
            if refresh:
                env.setdefault("KLUIS_APP_FIRST_REFRESH_TOKEN", refresh.group(1))
                env["KLUIS_APP_REFRESH_TOKEN"] = refresh.group(1)
        elif token:
            env["KLUIS_OAUTH_TOKEN"] = token.group(1)
        created = re.search(r"^Location: /api/v1/([a-z-]+)s/(\d+)/", result.stderr, re.M | re.I)
        if created:  # /api/v1/wage-components/7/ -> WAGE_COMPONENT_ID=7
            env[created.group(1).upper().replace("-", "_") + "_ID"] = created.group(2)
        etag = re.search(r"^ETag: (.+?)\r?$", result.stderr, re.M | re.I)
        if etag and "GET" not in command and "-X" not in command:
            env["ETAG"] = etag.group(1)


def calendar_env(tenant: Tenant) -> dict[str, str]:
    """What section 3c's examples name: a key of the calendar's scopes, an employee, a
    leave type that the manager approves and has no balance, a working day ahead."""
    from kluis.timeoff.models import LeaveType
    from tests.timeoff.conftest import next_weekday

    day = next_weekday(dt.date.today() + dt.timedelta(days=35), 1, tenant=tenant)
    person = Employee.objects.get(tenant=tenant, work_email="member1@demo-bv.test")
    return {
        "KLUIS_CALENDAR_KEY": make_key(
            "demo-bv", ["timeoff:read", "timeoff:write", "absence:read"]
        ),
        "CALENDAR_EMPLOYEE_ID": str(person.pk),
        "TRAINING_TYPE_ID": str(LeaveType.objects.get(tenant=tenant, code="training").pk),
        "LEAVE_DAY": day.isoformat(),
    }


def run_sync(live_server, key: str, folder: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(SYNC_SCRIPT)],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "KLUIS_URL": live_server.url,
            "KLUIS_API_KEY": key,
            "SYNC_DIR": str(folder),
        },
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_sync_script_copies_every_employee_then_only_the_changes(demo, live_server, tmp_path):
    key = make_key("demo-bv", ["employees:read", "employees:write"])
    everyone = set(Employee.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True))
    first = run_sync(live_server, key, tmp_path)
    copy = json.loads((tmp_path / "employees.json").read_text())
    assert {int(pk) for pk in copy} == everyone
    assert first.strip() == f"{len(everyone)} changed, {len(everyone)} in the copy"
    # The script notes its start to the second; step past the second the demo was loaded in.
    time.sleep(1.1)
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    (tmp_path / "sync_state.json").write_text(json.dumps({"last_run": since}))
    changed = Employee.objects.filter(tenant__slug="demo-bv").order_by("pk").first()
    response = requests.patch(
        f"{live_server.url}/api/v1/employees/{changed.pk}/",
        json={"status": "left"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    second = run_sync(live_server, key, tmp_path)
    assert second.strip() == f"1 changed, {len(everyone)} in the copy"
    copy = json.loads((tmp_path / "employees.json").read_text())
    assert copy[str(changed.pk)]["status"] == "left"
