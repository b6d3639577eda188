"""Rate limits per key and per IP: 429 problem with Retry-After, RateLimit-* headers."""

from __future__ import annotations

from tests.api.conftest import assert_problem

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
    settings.API_RATE_PER_IP = "2/min"
    assert api(["employees:read"]).get(URL).status_code == 200
    assert api(["employees:read"]).get(URL).status_code == 200
    assert_problem(api(["employees:read"]).get(URL), 429)


def test_guessing_keys_is_limited_too(api, settings):
    settings.API_RATE_PER_IP = "2/min"
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
