"""/metrics: only for a scraper with the token; the Prometheus text format with requests
by route and status, latency buckets, the task queue, sign-in failures and the gauges
apps register."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import resolve, reverse
from prometheus_client.parser import text_string_to_metric_families

from kluis.identity.mfa_reset import send_mfa_reset_notice
from kluis.operations import metrics

TOKEN = "a-metrics-token-long-enough-for-the-check-0123456789"


@pytest.fixture
def token(settings):  # type: ignore[no-untyped-def]
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = Client().get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_without_a_configured_token_there_is_no_metrics_page(settings, client):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_a_scraper_without_the_right_token_is_refused(token, client, authorization):
    headers = {"authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"kluis_" not in response.content


def test_requests_are_counted_by_route_and_status_with_latency_buckets(token, demo, login):
    route = resolve(reverse("people:list")).route
    before = scrape()
    hr = login("hr@demo-bv.test")
    assert hr.get(reverse("people:list"), secure=True).status_code == 200
    assert hr.get(reverse("people:list"), secure=True).status_code == 200
    auditor = login("auditor@demo-bv.test")
    assert auditor.get(reverse("people:list"), secure=True).status_code == 403
    after = scrape()

    def counted(status: str) -> float:
        labels = {"route": route, "method": "GET", "status": status}
        name = "kluis_http_requests_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert counted("200") == 2
    assert counted("403") == 1
    count = "kluis_http_request_duration_seconds_count"
    assert value(after, count, route=route) - value(before, count, route=route) == 3
    buckets = [key for key in after if key[0] == "kluis_http_request_duration_seconds_bucket"]
    edges = {dict(labels)["le"] for _, labels in buckets if dict(labels)["route"] == route}
    assert {"0.005", "0.1", "1.0", "10.0", "+Inf"} <= edges


def test_an_api_request_is_counted_by_its_route_not_its_path(token, api):
    client = api()
    before = scrape()
    assert client.get("/api/v1/employees/").status_code == 200
    assert client.get("/api/v1/employees/999999/").status_code == 404
    after = scrape()
    routes = {
        dict(labels)["route"]
        for (name, labels), count in after.items()
        if name == "kluis_http_requests_total" and count > before.get((name, labels), 0)
    }
    assert any("employees" in route for route in routes), routes
    assert not any("999999" in route for route in routes), routes


def test_the_queue_depth_and_oldest_age_are_read_at_scrape_time(token, db):
    before = value(scrape(), "kluis_task_queue_depth", queue="default")
    send_mfa_reset_notice.enqueue(1, "Demo BV")
    send_mfa_reset_notice.enqueue(2, "Demo BV")
    after = scrape()
    assert value(after, "kluis_task_queue_depth", queue="default") == before + 2
    assert value(after, "kluis_task_queue_oldest_age_seconds", queue="default") >= 0


def test_sign_in_failures_are_counted(token, demo):
    before = value(scrape(), "kluis_signin_failures_total", kind="account")
    response = Client(REMOTE_ADDR="127.0.0.9").post(
        "/accounts/login/",
        {"login": "hr@demo-bv.test", "password": "not the password at all"},
        secure=True,
    )
    assert response.status_code == 200
    assert value(scrape(), "kluis_signin_failures_total", kind="account") == before + 1


def test_registered_gauges_are_read_at_scrape_time_and_a_failing_one_is_left_out(token, db):
    def broken() -> float:
        raise RuntimeError("the backups table is not there")

    metrics.register_gauge("kluis_test_answer_seconds", "A test gauge.", lambda: 42.0)
    metrics.register_gauge("kluis_test_broken_seconds", "A broken test gauge.", broken)
    metrics.register_gauge("kluis_test_none_seconds", "No value yet.", lambda: None)
    try:
        samples = scrape()
    finally:
        for name in ("answer", "broken", "none"):
            metrics._GAUGES.pop(f"kluis_test_{name}_seconds")
    assert value(samples, "kluis_test_answer_seconds") == 42.0
    assert ("kluis_test_broken_seconds", ()) not in samples
    assert ("kluis_test_none_seconds", ()) not in samples
    assert value(samples, "kluis_data_dir_free_bytes") > 0


def test_a_gauge_name_must_be_a_kluis_one():
    with pytest.raises(ValueError, match="kluis_"):
        metrics.register_gauge("backup age", "x", lambda: 1.0)
