"""With the database unreachable (a real server process whose KLUIS_DATABASE_URL points
at a closed port), /status and /status.json answer from the last state the worker wrote,
showing a major outage of the database, without touching a session."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.status.offline_server import database_down_server, fetch

# A server process whose database is a closed port, whatever the stage's database: the
# SQLite stage runs these, the PostgreSQL stage would run the very same thing again.
pytestmark = pytest.mark.own_sqlite


def _last_known() -> dict[str, object]:
    today = dt.datetime.now(dt.UTC).date()
    yesterday = today - dt.timedelta(days=1)
    return {
        "written_at": dt.datetime.now(dt.UTC).isoformat(),
        "states": dict.fromkeys(
            ["web", "api", "signin", "jobs", "webhooks", "database", "backups"], "operational"
        ),
        "days": {"database": [[yesterday.isoformat(), 1380, 1440], [today.isoformat(), 600, 600]]},
        "incidents": [{
            "id": 7, "kind": "incident", "title": "Database unreachable", "status": "investigating",
            "impact": "major_outage", "components": ["database"],
            "starts_at": dt.datetime.now(dt.UTC).isoformat(), "ends_at": None, "resolved_at": None,
            "updates": [{"status": "investigating", "message": "We are on it.",
                         "created_at": dt.datetime.now(dt.UTC).isoformat()}],
        }],
    }  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with database_down_server(tmp_path_factory.mktemp("db-down"), _last_known()) as url:
        yield url


def test_the_page_shows_a_major_outage_of_the_database_from_the_last_known_state(server):
    # A browser that was signed in sends its session cookie: it must not be looked up.
    status, headers, html = fetch(f"{server}/status", {"Cookie": "__Host-kluis_session=abc123"})
    assert status == 200, html
    assert "Major outage" in html
    database = html.split('data-testid="component-database"', 1)[1].split("</article>", 1)[0]
    assert 'data-state="major_outage"' in database
    assert "Major outage" in database
    assert "status-day-partial" in database  # yesterday's 95.8 % from the file
    assert "The database cannot be reached" in html
    assert "We are on it." in html
    assert "csrfmiddlewaretoken" not in html  # no subscription form without a database
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert "Set-Cookie" not in headers and "set-cookie" not in headers
    # The headers every other response carries.
    lowered = {k.lower(): v for k, v in headers.items()}
    assert lowered["x-frame-options"] == "DENY"
    assert "camera=()" in lowered["permissions-policy"]
    assert "no-store" in lowered["cache-control"]
    assert lowered["x-content-type-options"] == "nosniff"


def test_status_json_says_so_too(server):
    status, _headers, body = fetch(f"{server}/status.json")
    assert status == 200
    import json

    data = json.loads(body)
    states = {c["id"]: c["status"] for c in data["components"]}
    assert states["database"] == "major_outage"
    assert states["backups"] == "operational"  # last known
    assert data["status"] == "major_outage"


def test_the_page_speaks_the_browser_s_language_without_a_session(server):
    status, _headers, html = fetch(f"{server}/status", {"Accept-Language": "nl-BE,nl;q=0.9"})
    assert status == 200 and '<html lang="nl">' in html


def test_without_a_last_known_state_the_database_is_still_a_major_outage(tmp_path):
    with database_down_server(tmp_path, None) as url:
        status, _headers, body = fetch(f"{url}/status.json")
    assert status == 200
    import json

    states = {c["id"]: c["status"] for c in json.loads(body)["components"]}
    assert states["database"] == "major_outage" and states["backups"] == "unknown"
