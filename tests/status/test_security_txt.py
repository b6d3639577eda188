"""/.well-known/security.txt (RFC 9116), the disclosure page it names as Policy, and the
deploy check that warns before it expires."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.test_security_baseline import PRODUCTION, run_manage

pytestmark = pytest.mark.django_db
FIELD = re.compile(
    r"^(Contact|Expires|Encryption|Acknowledgments|Preferred-Languages|Canonical|Policy|Hiring"
    r"|CSAF): \S.*$"
)


def _fields(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.strip().splitlines():
        assert FIELD.match(line), line
        name, value = line.split(": ", 1)
        found.setdefault(name, []).append(value)
    return found


def test_security_txt_has_the_fields_rfc_9116_asks_for(client):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = _fields(response.content.decode())
    assert fields["Contact"] == ["mailto:security@127.0.0.1"]
    assert fields["Preferred-Languages"] == ["en, nl, fr"]
    assert fields["Policy"] == ["http://testserver/security/disclosure"]
    assert "Canonical" not in fields  # no public address known
    assert len(fields["Expires"]) == 1
    expires = dt.datetime.strptime(fields["Expires"][0], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=dt.UTC
    )
    assert (
        timezone.now() + dt.timedelta(days=150) < expires < timezone.now() + dt.timedelta(days=366)
    )


def test_security_txt_follows_the_operator_s_configuration(client, settings):
    settings.PUBLIC_URL = "https://hr.example.com"
    settings.SECURITY_CONTACT = ["mailto:psirt@example.com", "https://example.com/report"]
    settings.SECURITY_EXPIRES = dt.date(2027, 6, 30)
    settings.SECURITY_ACKNOWLEDGMENTS = "https://example.com/thanks"
    fields = _fields(client.get("/.well-known/security.txt").content.decode())
    assert fields["Contact"] == ["mailto:psirt@example.com", "https://example.com/report"]
    assert fields["Expires"] == ["2027-06-30T23:59:59Z"]
    assert fields["Canonical"] == ["https://hr.example.com/.well-known/security.txt"]
    assert fields["Policy"] == ["https://hr.example.com/security/disclosure"]
    assert fields["Acknowledgments"] == ["https://example.com/thanks"]


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_the_disclosure_page_is_public_in_each_language(client, settings, language):
    settings.SECURITY_CONTACT = ["mailto:psirt@example.com"]
    settings.SECURITY_DISCLOSURE_TEXT = "Bounties: none.\n\nPGP on request."
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/security/disclosure")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert 'href="mailto:psirt@example.com"' in html
    assert "Bounties: none." in html and "PGP on request." in html


def _deploy_check(settings) -> str:
    out = StringIO()
    call_command("check", deploy=True, tags=["security"], stdout=out, stderr=out)
    return out.getvalue()


def test_the_deploy_check_warns_within_30_days_and_when_expired(settings):
    today = timezone.now().date()
    settings.SECURITY_EXPIRES = today + dt.timedelta(days=60)
    assert "kluis.status" not in _deploy_check(settings)
    settings.SECURITY_EXPIRES = today + dt.timedelta(days=10)
    assert "(kluis.status.W002) security.txt expires in 10 days" in _deploy_check(settings)
    settings.SECURITY_EXPIRES = today - dt.timedelta(days=1)
    assert "(kluis.status.W001) security.txt has expired" in _deploy_check(settings)


def test_check_deploy_on_the_command_line_fails_on_a_date_within_30_days(tmp_path):
    soon = (timezone.now().date() + dt.timedelta(days=20)).isoformat()
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                        **PRODUCTION, KLUIS_SECURITY_EXPIRES=soon)  # fmt: skip
    assert result.returncode != 0
    assert "kluis.status.W002" in result.stdout + result.stderr
    bad = run_manage(tmp_path, "check", **PRODUCTION, KLUIS_SECURITY_EXPIRES="next June")
    assert bad.returncode != 0 and "KLUIS_SECURITY_EXPIRES must be an ISO date" in bad.stderr
