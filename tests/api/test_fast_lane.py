"""The fast lane (kluis/integrations/rest/fastlane.py) answers the plain employee list in
front of Django. These tests call the WSGI application granian serves (kluis.wsgi) and
hold it to Django's own answer for the same request: same status, headers and body, the
same cursors, the same limits and checks; and everything it does not serve plainly
(bad keys, other scopes, other parameters, cookies, rate limits) gets Django's answer."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signals, signing
from django.db import close_old_connections, connection
from django.db.models import JSONField, Value
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.integrations.models import ApiKey
from kluis.integrations.rest.fastlane import plan
from kluis.integrations.rest.pagination import CURSOR_SALT
from kluis.people.models import Employee
from kluis.wsgi import application, django_application
from tests.api.conftest import make_key

PATH = "/api/v1/employees/"
# Differ between any two responses: a new request id (unless the client sends one) and
# the rate-limit window's countdown (compared separately).
VOLATILE = {"x-request-id", "ratelimit-remaining", "ratelimit-reset"}
# The lane's rows are JSON written by the database: the same values, not always the same
# bytes (a custom field's "é" may come as "\\u00e9"), so not always the same length.
LENGTH = "content-length"


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = int(status.split()[0])
        self.headers = {name.lower(): value for name, value in headers}
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    app: Any,
    query: str = "",
    *,
    key: str | None = None,
    headers: dict[str, str] | None = None,
    secure: bool = True,
    host: str = "testserver",
) -> Answer:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": PATH,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "443" if secure else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "203.0.113.9",
        "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if key is not None:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: list[Any] = []
    chunks = app(
        environ,
        lambda status, response_headers, exc_info=None: started.extend([status, response_headers]),
    )
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return Answer(started[0], started[1], body)


def cursor_of(link: str | None) -> Any:
    if link is None:
        return None
    query = parse_qs(urlsplit(link).query)
    return signing.loads(query["cursor"][0], salt=CURSOR_SALT)


def link_shape(link: str | None) -> Any:
    """A link without its cursor's signature and timestamp (which change by the second)."""
    if link is None:
        return None
    parts = urlsplit(link)
    query = {k: v for k, v in parse_qs(parts.query).items() if k != "cursor"}
    return (parts.scheme, parts.netloc, parts.path, sorted(query.items()), cursor_of(link))


def assert_same(fast: Answer, slow: Answer) -> None:
    assert fast.status == slow.status, (fast.status, slow.status, slow.body[:300])
    assert {k: v for k, v in fast.headers.items() if k not in {*VOLATILE, LENGTH}} == {
        k: v for k, v in slow.headers.items() if k not in {*VOLATILE, LENGTH}
    }
    assert set(fast.headers) == set(slow.headers)
    assert int(fast.headers.get(LENGTH, len(fast.body))) == len(fast.body)
    if "json" not in slow.headers.get("content-type", ""):
        assert fast.body == slow.body
        return
    fast_body, slow_body = fast.json(), slow.json()
    if "results" in slow_body:
        assert fast_body["results"] == slow_body["results"]
        # Keys in the same order too (what a person reading the JSON sees).
        assert [list(row) for row in fast_body["results"]] == [
            list(row) for row in slow_body["results"]
        ]
        assert list(fast_body) == list(slow_body)
        assert link_shape(fast_body["next"]) == link_shape(slow_body["next"])
        assert link_shape(fast_body["previous"]) == link_shape(slow_body["previous"])
    else:
        assert fast_body == slow_body


def answered_by_the_lane(query: str = "", **kwargs: Any) -> bool:
    """Whether the lane itself answers (not Django): it plans the request and answers it."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": PATH,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "203.0.113.9",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
    }
    environ.update(kwargs)
    planned = plan(environ)
    return planned is not None and application.answer(environ, *planned) is not None


@pytest.fixture(autouse=True)
def _keep_the_test_transaction() -> Iterator[None]:
    """As Django's test client does: a request must not close the connection that holds
    the test's transaction (PostgreSQL closes it after every request, CONN_MAX_AGE=0)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def key(demo: Any) -> str:
    return make_key("demo-bv", ["employees:read"])


def test_the_plain_list_is_answered_by_the_lane_exactly_as_django_answers_it(key):
    assert answered_by_the_lane(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert_same(call(application, key=key), call(django_application, key=key))
    assert_same(
        call(application, "page_size=3", key=key), call(django_application, "page_size=3", key=key)
    )


def test_following_next_and_previous_links_gives_the_same_pages(key):
    fast = call(application, "page_size=2", key=key).json()
    slow = call(django_application, "page_size=2", key=key).json()
    seen = []
    for _page in range(3):
        assert fast["next"] is not None
        query = urlsplit(fast["next"]).query
        assert answered_by_the_lane(query, HTTP_AUTHORIZATION=f"Bearer {key}")
        fast_answer = call(application, query, key=key)
        slow_answer = call(django_application, urlsplit(slow["next"]).query, key=key)
        assert_same(fast_answer, slow_answer)
        fast, slow = fast_answer.json(), slow_answer.json()
        seen += [row["id"] for row in fast["results"]]
    assert seen == sorted(seen) and len(set(seen)) == 6
    # A `previous` link (a reversed cursor) is Django's to answer, with the same rows.
    back = urlsplit(fast["previous"]).query
    assert not answered_by_the_lane(back, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert_same(call(application, back, key=key), call(django_application, back, key=key))


AWKWARD = [
    'Quote " and \\ backslash',
    "Line\nbreak, tab\t, return\r, bell\x07, escape\x1b, nul-free \x1f end",
    "Élodie Ünal-Çelik, 王小明, Ωmega",
    "Emoji 🧑‍💼 and 🇧🇪",
    "Separators \u2028 and \u2029 (JavaScript line ends)",
    "</script><script>alert(1)</script>",
    "",
]


def test_awkward_values_come_out_as_djangos_path_writes_them(key):
    """Whatever a name holds, the database's JSON reads back to what Django's path gives:
    quotes, control characters, any script, U+2028, markup; custom fields with nested and
    non-ASCII values; empty links; a timestamp without microseconds."""
    rows = list(Employee.objects.filter(tenant__slug="demo-bv").order_by("pk")[: len(AWKWARD)])
    assert len(rows) == len(AWKWARD)
    moment = dt.datetime(2026, 3, 1, 8, 0, 0, tzinfo=dt.UTC)
    for employee, text in zip(rows, AWKWARD, strict=True):
        Employee.objects.filter(pk=employee.pk).update(
            first_name=text,
            job_title=text[::-1],
            preferred_name=text[:3],
            manager=None,
            team=None,
            custom_fields={"note": text, "nested": {"list": [1, 2.5, True, None, text]}},
        )
    Employee.objects.filter(pk=rows[0].pk).update(  # a JSON null in the column
        updated_at=moment, custom_fields=Value(None, JSONField())
    )
    Employee.objects.filter(pk=rows[1].pk).update(updated_at=moment.replace(microsecond=123))
    query = f"page_size={len(AWKWARD)}"
    assert answered_by_the_lane(query, HTTP_AUTHORIZATION=f"Bearer {key}")
    fast, slow = call(application, query, key=key), call(django_application, query, key=key)
    assert_same(fast, slow)
    results = fast.json()["results"]
    assert [row["first_name"] for row in results] == AWKWARD
    assert results[0]["updated_at"] == "2026-03-01T08:00:00Z"
    assert results[1]["updated_at"] == "2026-03-01T08:00:00.000123Z"
    for row in results:  # datetimes as Python writes the stored value, in UTC
        stored = Employee.objects.get(pk=row["id"])
        for name in ("created_at", "updated_at"):
            written = getattr(stored, name).astimezone(dt.UTC).isoformat()
            assert row[name] == written.replace("+00:00", "Z")
    assert results[0]["custom_fields"] == {}
    assert results[1]["custom_fields"]["nested"] == {"list": [1, 2.5, True, None, AWKWARD[1]]}
    assert all(row["team"] is None and row["manager"] is None for row in results)
    # As DRF writes JSON: no raw U+2028/U+2029 (they end a line in older JavaScript).
    assert "\u2028".encode() not in fast.body and b"\\u2028" in fast.body


def test_a_cursor_past_the_end_gives_the_same_empty_page(key):
    last = Employee.objects.filter(tenant__slug="demo-bv").order_by("-pk").first()
    token = signing.dumps([0, 0, str(last.pk + 1000), ["id"]], salt=CURSOR_SALT)
    query = f"cursor={token}&page_size=5"
    fast, slow = call(application, query, key=key), call(django_application, query, key=key)
    assert_same(fast, slow)
    assert fast.json()["results"] == [] and fast.json()["next"] is None


def test_request_id_language_and_plain_http_are_as_django_has_them(key):
    headers = {"X-Request-ID": "sync-job-0001", "Accept-Language": "nl-BE,nl;q=0.9"}
    fast = call(application, key=key, headers=headers)
    assert fast.headers["x-request-id"] == "sync-job-0001"
    assert fast.headers["content-language"] == "nl"
    assert_same(fast, call(django_application, key=key, headers=headers))
    with override_settings(SECURE_SSL_REDIRECT=True):  # as in production: Django redirects
        assert not answered_by_the_lane(
            HTTP_AUTHORIZATION=f"Bearer {key}", SERVER_PORT="80", **{"wsgi.url_scheme": "http"}
        )
    with override_settings(SECURE_SSL_REDIRECT=False):
        # Behind a proxy that terminates TLS without saying so: no HSTS, http links.
        plain = call(application, "page_size=2", key=key, secure=False)
        assert plain.status == 200 and "strict-transport-security" not in plain.headers
        assert plain.json()["next"].startswith("http://testserver/")
        assert_same(plain, call(django_application, "page_size=2", key=key, secure=False))


def test_only_the_keys_company_is_listed(demo):
    other = make_key("other-nv", ["employees:read"])
    ids = [row["id"] for row in call(application, "page_size=200", key=other).json()["results"]]
    assert ids
    assert set(Employee.objects.filter(pk__in=ids).values_list("tenant__slug", flat=True)) == {
        "other-nv"
    }


def test_the_lane_keeps_the_last_used_time(key):
    ApiKey.objects.update(last_used_at=None)
    before = timezone.now()
    assert call(application, key=key).status == 200
    stored = ApiKey.objects.get(prefix=key[:12])
    assert stored.last_used_at is not None and stored.last_used_at >= before


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("ordering=-id", {}),
        ("status=active", {}),
        ("fields=id,first_name", {}),
        ("page_size=0", {}),
        ("page_size=201", {}),
        ("page_size=020", {}),
        ("page_size=2&page_size=3", {}),
        ("cursor=not-a-cursor", {}),
        ("unknown=1", {}),
        ("", {"Cookie": "kluis_session=abc"}),
        ("", {"Accept": "text/html"}),
    ],
)
def test_anything_but_the_plain_list_gets_djangos_answer(key, query, headers):
    assert not answered_by_the_lane(
        query,
        HTTP_AUTHORIZATION=f"Bearer {key}",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    )
    assert_same(
        call(application, query, key=key, headers=headers),
        call(django_application, query, key=key, headers=headers),
    )


def test_refused_keys_get_djangos_401(demo):
    valid = make_key("demo-bv", ["employees:read"])
    forged = valid[:-4] + ("aaaa" if not valid.endswith("aaaa") else "bbbb")
    expired = make_key(
        "demo-bv", ["employees:read"], expires_at=timezone.now() + dt.timedelta(seconds=1)
    )
    ApiKey.objects.filter(prefix=expired[:12]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    revoked = make_key("demo-bv", ["employees:read"])
    ApiKey.objects.filter(prefix=revoked[:12]).update(revoked_at=timezone.now())
    for token in (forged, expired, revoked, "kluis_" + "x" * 40):
        fast = call(application, key=token)
        assert fast.status == 401
        assert fast.headers["content-type"] == "application/problem+json"
        assert_same(fast, call(django_application, key=token))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('kluis.tenant_id', true)")
            assert cursor.fetchone()[0] in ("", None)


def test_a_key_without_employees_read_gets_djangos_403(demo):
    key = make_key("demo-bv", ["audit:read"])
    fast = call(application, key=key)
    assert fast.status == 403
    assert_same(fast, call(django_application, key=key))


def test_sealed_fields_go_through_django_and_are_audited(demo):
    key = make_key("demo-bv", ["employees:read", "identity:read"])
    assert not answered_by_the_lane(HTTP_AUTHORIZATION=f"Bearer {key}")
    before = AuditEvent.objects.filter(action="employee.sensitive_viewed").count()
    fast = call(application, key=key)
    assert fast.status == 200 and "national_id" in fast.json()["results"][0]
    assert AuditEvent.objects.filter(action="employee.sensitive_viewed").count() == before + 1


def test_a_host_not_allowed_gets_djangos_400(key):
    fast = call(application, key=key, host="evil.example")
    assert fast.status == 400
    assert fast.status == call(django_application, key=key, host="evil.example").status


@override_settings(API_RATE_PER_KEY="3/min", API_RATE_PER_IP="1000/min")
def test_the_lane_and_django_count_one_request_once_against_the_same_limit(key):
    remaining = [call(application, key=key).headers["ratelimit-remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = call(application, key=key)
    assert refused.status == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1


@override_settings(API_RATE_PER_KEY="1000/min", API_RATE_PER_IP="2/min")
def test_the_per_ip_limit_holds_in_the_lane_too(key):
    assert [call(application, key=key).status for _ in range(3)] == [200, 200, 429]


@override_settings(API_RATE_PER_KEY="1000/min", API_RATE_PER_IP="2/min")
def test_a_made_up_x_forwarded_for_does_not_escape_the_per_ip_limit_in_the_lane(key):
    statuses = [
        call(application, key=key, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_the_lane_uses_at_most_three_queries(key):
    call(application, key=key)
    with CaptureQueriesContext(connection) as queries:
        assert call(application, "page_size=200", key=key).status == 200
    assert len(queries) <= 3


@override_settings(API_FAST_LANE=False)
def test_the_lane_can_be_switched_off(key):
    from kluis.integrations.rest.fastlane import FastLane

    assert FastLane(django_application).enabled is False
