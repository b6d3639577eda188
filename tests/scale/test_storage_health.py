"""The `storage` component of /health/ready, against moto's S3 server on loopback: named
ok with the bucket reachable; with the bucket's server away (or the data directory not
writable) /health/ready still answers 200, status "degraded", naming `storage`, within
the S3 client's time limits, not boto3's minutes; and the answer is kept a few seconds, so
that requests to the public endpoint do not each become a request to the bucket."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from django.utils import timezone

from kluis.operations import storage_health
from kluis.operations.health import beat
from tests.backups.s3_fixtures import s3_endpoint_fixture  # noqa: F401
from tests.scale.test_storage_s3 import bucket  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]


@pytest.fixture(autouse=True)
def fresh_answer() -> Any:
    storage_health.forget()
    yield
    storage_health.forget()


def ready(client: Any) -> tuple[int, dict[str, Any]]:
    beat("w1", "host", 1, timezone.now())
    response = client.get("/health/ready")
    return response.status_code, response.json()


def test_a_reachable_bucket_is_ok(client, bucket):  # noqa: F811
    status, body = ready(client)
    assert status == 200 and body["status"] == "ok", body
    storage = body["checks"]["storage"]
    assert storage["ok"] is True and storage["kind"] == "s3"
    # Public (/health/* is for load balancers): no bucket, no key.
    assert bucket.kluis_bucket not in str(body) and "kluis-test-secret" not in str(body)


def test_a_bucket_that_is_away_degrades_readiness_quickly(client, bucket, settings):  # noqa: F811
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    options = {**bucket.kluis_options, "endpoint_url": f"http://127.0.0.1:{port}"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {"backend": "storages.backends.s3.S3Storage", "options": options},
        },
    }
    started = time.monotonic()
    status, body = ready(client)
    assert time.monotonic() - started < 15
    assert status == 200 and body["status"] == "degraded" and body["degraded"] == ["storage"]
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["storage"]["detail"].startswith("unreachable: ")


def test_the_answer_is_kept_a_few_seconds(client, bucket, monkeypatch):  # noqa: F811
    asked = []
    real = storage_health.probe
    monkeypatch.setattr(storage_health, "probe", lambda: asked.append(1) or real())
    for _ in range(5):
        assert ready(client)[0] == 200
    assert len(asked) == 1
    storage_health.forget()
    ready(client)
    assert len(asked) == 2


def test_a_data_directory_that_cannot_be_written_degrades_readiness(client, settings, tmp_path):
    # A file where the directory's parent should be (as with a volume mounted wrongly):
    # nothing can be saved there, whoever the user is.
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked / "media"
    status, body = ready(client)
    assert status == 200 and body["degraded"] == ["storage"]
    storage = body["checks"]["storage"]
    assert storage == {
        "ok": False,
        "detail": "not writable",
        "kind": "file system",
    }
    assert str(tmp_path) not in str(body)  # no directory named
