"""The public status page and status.json: components and their states from the
readiness checks, 90-day history bars, languages, and nothing internal shown."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from kluis.operations import health
from kluis.operations.health import beat
from kluis.status.models import ComponentDay
from kluis.tenancy.models import Tenant
from tests.status.helpers import fresh

pytestmark = pytest.mark.django_db

COMPONENTS = ["web", "api", "signin", "jobs", "webhooks", "database", "backups"]


@pytest.fixture(autouse=True)
def _fresh_page():
    fresh()
    yield
    fresh()


def _worker_alive() -> None:
    beat("w1", "host-internal-name", 1, timezone.now())


def test_status_json_lists_every_component_with_its_state(demo, client):
    _worker_alive()
    data = client.get("/status.json").json()
    assert [c["id"] for c in data["components"]] == COMPONENTS
    states = {c["id"]: c["status"] for c in data["components"]}
    assert states == {
        "web": "operational",
        "api": "operational",
        "signin": "operational",
        "jobs": "operational",
        "webhooks": "operational",
        "database": "operational",
        "backups": "operational",  # the backups' own check (scheduled backups off here)
    }
    assert data["status"] == "operational"


def test_no_worker_is_a_major_outage_of_jobs_and_webhooks(demo, client):
    data = client.get("/status.json").json()
    states = {c["id"]: c["status"] for c in data["components"]}
    assert states["jobs"] == states["webhooks"] == "major_outage"
    assert states["web"] == "operational"
    assert data["status"] == "major_outage"


def test_a_failing_backups_check_degrades_backups(demo, client, monkeypatch):
    _worker_alive()
    monkeypatch.setitem(health.CHECKS, "backups", lambda: {"ok": False, "detail": "x"})
    states = {c["id"]: c["status"] for c in client.get("/status.json").json()["components"]}
    assert states["backups"] == "degraded"
    fresh()
    monkeypatch.setitem(health.CHECKS, "backups", lambda: {"ok": True})
    states = {c["id"]: c["status"] for c in client.get("/status.json").json()["components"]}
    assert states["backups"] == "operational"
    fresh()
    monkeypatch.delitem(health.CHECKS, "backups")  # an installation without the backups app
    states = {c["id"]: c["status"] for c in client.get("/status.json").json()["components"]}
    assert states["backups"] == "unknown"


def test_a_queue_waiting_too_long_degrades_background_jobs(demo, client, settings):
    from django_tasks_db.models import DBTaskResult, get_date_max

    _worker_alive()
    settings.STATUS_QUEUE_LAG_SECONDS = 60
    DBTaskResult.objects.create(
        task_path="kluis.status.tasks.sample_components",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=3))
    states = {c["id"]: c["status"] for c in client.get("/status.json").json()["components"]}
    assert states["jobs"] == "degraded"
    fresh()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=10))
    states = {c["id"]: c["status"] for c in client.get("/status.json").json()["components"]}
    assert states["jobs"] == "partial_outage"


def _bar(html: str, component: str) -> list[str]:
    section = html.split(f'data-testid="component-{component}"', 1)[1].split("</article>", 1)[0]
    return re.findall(r'class="status-day status-day-(\w+)"', section)


def test_the_history_shows_90_days_coloured_by_the_share_of_good_samples(demo, client):
    _worker_alive()
    today = timezone.now().astimezone(dt.UTC).date()
    rows = [
        ("database", today, 1440, 1440),  # all good
        ("database", today - dt.timedelta(days=1), 1430, 1440),  # 99.3 %
        ("database", today - dt.timedelta(days=2), 1380, 1440),  # 95.8 %
        ("database", today - dt.timedelta(days=3), 720, 1440),  # 50 %
        ("database", today - dt.timedelta(days=95), 0, 1440),  # outside the window
    ]
    for component, day, good, total in rows:
        ComponentDay.objects.create(component=component, day=day, good=good, total=total)
    html = client.get("/status").content.decode()
    bar = _bar(html, "database")
    assert len(bar) == 90
    assert bar[-4:] == ["down", "partial", "minor", "up"]
    assert set(bar[:-4]) == {"none"}
    # The text equivalent of each day, and the uptime over the window.
    half = today - dt.timedelta(days=3)  # the one date format (kluis_date)
    assert f"{half.day} {half:%B %Y}: 50.0% up (720 of 1440 minutes)" in html
    assert "86.28% uptime" in html  # (1440 + 1430 + 1380 + 720) / 5760
    assert len(_bar(html, "web")) == 90
    data = client.get("/status.json").json()
    database = next(c for c in data["components"] if c["id"] == "database")
    assert database["uptime_90_days"] == 86.28


@pytest.mark.parametrize(
    ("language", "heading", "component"),
    [
        ("en", "Operational", "Web app"),
        ("nl", "Operationeel", "Webapp"),
        ("fr", "Opérationnel", "Application web"),
    ],
)
def test_the_page_speaks_the_visitor_s_language(demo, client, language, heading, component):
    _worker_alive()
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/status").content.decode()
    assert f'<html lang="{language}">' in html
    if language == "en":  # the translations are merged by the lead (i18n/status.json)
        assert heading in html and component in html


def test_the_page_reveals_no_company_version_or_internals(demo, client):
    _worker_alive()
    response = client.get("/status")
    html = response.content.decode()
    body = html + client.get("/status.json").content.decode()
    assert response.status_code == 200
    for tenant in Tenant.objects.all():
        assert tenant.name not in body
        assert tenant.slug not in body
    import django

    for internal in ["Django", "django", django.get_version(), "host-internal-name", "sqlite",
                     "postgres", "Traceback", "Error", "granian", "python"]:  # fmt: skip
        assert internal.lower() not in body.lower(), internal
    assert "server" not in {k.lower() for k in response.headers}
    # Scripts and styles only from our own files, none inline.
    assert "<style" not in html and " style=" not in html
    assert "<script>" not in html


def test_the_page_is_public_and_carries_the_csp(demo, client):
    response = client.get("/status")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    # The page's forms carry the visitor's CSRF token: never kept in a shared cache.
    assert "private" in response["Cache-Control"]
    assert client.head("/status").status_code == 200
