"""Rate limits per key and per IP: 429 problem with Retry-After, RateLimit-* headers."""

from __future__ import annotations

from tests.api_client import assert_problem

URL = "/api/v1/employees/?fields=id"


def test_a_key_over_its_limit_gets_429_with_retry_after(api, settings):
    settings.API_RATE_PER_KEY = "3/min"
    client = api(["employees:read"])
    remaining = [client.get(URL)["RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    response = client.get(URL)
    problem = assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["RateLimit-Remaining"] == "0"
    assert "Retry-After" in problem["detail"]
    assert api(["employees:read"]).get(URL).status_code == 200  # another key is not limited


def test_one_ip_over_its_limit_gets_429_whatever_key_it_sends(api, settings):
    settings.API_RATE_PER_IP = "2/hour"  # not a minute: its window could end mid-test
    assert api(["employees:read"]).get(URL).status_code == 200
    assert api(["employees:read"]).get(URL).status_code == 200
    assert_problem(api(["employees:read"]).get(URL), 429)


def test_guessing_keys_is_limited_too(api, settings):
    settings.API_RATE_PER_IP = "2/hour"  # not a minute: its window could end mid-test
    client = api(["employees:read"])
    client.key = "kluis_" + "x" * 40
    assert client.get(URL).status_code == 401
    assert client.get(URL).status_code == 401
    assert_problem(client.get(URL), 429)


def test_a_malformed_rate_setting_refuses_to_start_instead_of_failing_every_request():
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kluis.settings",
            "KLUIS_API_RATE_PER_KEY": "1000",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "KLUIS_API_RATE_PER_KEY must look like 600/min" in result.stderr


def test_a_made_up_x_forwarded_for_does_not_escape_the_per_ip_limit(api, settings):
    # No proxy of ours in front: the header is the client's own say and is not believed.
    settings.API_RATE_PER_IP = "2/hour"  # not a minute: its window could end mid-test
    statuses = [
        api(["employees:read"]).get(URL, {"x-forwarded-for": f"198.51.100.{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_the_address_it_appends_is_the_client(api, settings):
    settings.API_RATE_PER_IP = "2/hour"  # not a minute: its window could end mid-test
    settings.TRUSTED_PROXY_COUNT = 1

    def via_proxy(client_address: str, n: int) -> int:
        # The client may send any X-Forwarded-For; our proxy appends what it saw.
        forwarded = f"10.9.9.{n}, {client_address}"
        return api(["employees:read"]).get(URL, {"x-forwarded-for": forwarded}).status_code

    assert [via_proxy("203.0.113.7", n) for n in range(3)] == [200, 200, 429]
    assert via_proxy("203.0.113.8", 0) == 200  # another client behind the same proxy


def test_the_audit_trail_records_the_address_the_limits_count(api, settings):
    from kluis.audit.models import AuditEvent
    from kluis.people.models import Department

    department = Department.objects.filter(tenant__slug="demo-bv").first()
    forged = {"x-forwarded-for": "198.51.100.66"}
    response = api().post("/api/v1/teams/", {"name": "Night", "department": department.pk}, forged)
    assert response.status_code == 201
    assert AuditEvent.objects.latest("pk").ip == "127.0.0.1"  # the socket's, not the header's

    settings.TRUSTED_PROXY_COUNT = 1
    forged = {"x-forwarded-for": "198.51.100.66, 203.0.113.7"}
    response = api().post("/api/v1/teams/", {"name": "Late", "department": department.pk}, forged)
    assert response.status_code == 201
    assert AuditEvent.objects.latest("pk").ip == "203.0.113.7"
