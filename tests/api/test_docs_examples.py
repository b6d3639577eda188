"""The curl examples of docs/api.md, run in order with the real curl against a live server;
each must answer the status its `# HTTP nnn` line promises."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from kluis.access.actor import Actor
from kluis.integrations.services import create_api_client, create_oauth_client
from kluis.tenancy.models import Tenant
from tests.api.conftest import make_key

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
BLOCK = re.compile(r"```sh\n(curl .*?)\n# HTTP (\d{3})\n```", re.S)

pytestmark = pytest.mark.django_db(transaction=True)


def examples() -> list[tuple[str, int]]:
    return [(command, int(status)) for command, status in BLOCK.findall(DOC.read_text())]


def test_docs_have_curl_examples_for_the_main_steps():
    commands = " ".join(c for c, _s in examples())
    assert len(examples()) >= 6
    for needle in ("-X POST", "Idempotency-Key", "If-Match", "-X PATCH", "page_size"):
        assert needle in commands


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_every_curl_example_in_the_guide_works(demo, live_server):
    env = {
        "PATH": os.environ["PATH"],
        "KLUIS_URL": live_server.url,
        "KLUIS_API_KEY": make_key("demo-bv", ["employees:read", "employees:write"]),
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
        token = re.search(r'"access_token": ?"([^"]+)"', result.stdout)
        if token:
            env["KLUIS_OAUTH_TOKEN"] = token.group(1)
        created = re.search(r"^Location: /api/v1/employees/(\d+)/", result.stderr, re.M | re.I)
        if created:
            env["EMPLOYEE_ID"] = created.group(1)
        etag = re.search(r"^ETag: (.+?)\r?$", result.stderr, re.M | re.I)
        if etag and "GET" not in command and "-X" not in command:
            env["ETAG"] = etag.group(1)
