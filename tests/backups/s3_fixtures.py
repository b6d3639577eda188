"""A real S3-compatible server on loopback for the backup tests: moto's server mode, one
per test module that imports these fixtures, each test with a bucket of its own."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from kluis.backups.destinations import S3Bucket

ACCESS_KEY = "kluis-test-access"
SECRET_KEY = "kluis-test-secret-never-logged"


@pytest.fixture(scope="session", name="s3_endpoint")
def s3_endpoint_fixture() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(name="s3_settings")
def s3_settings_fixture(s3_endpoint: str, settings: Any) -> dict[str, str]:
    """Settings naming a fresh bucket on the loopback server (made here, as an operator
    makes theirs once)."""
    bucket = f"kluis-{uuid.uuid4().hex[:12]}"
    S3Bucket(
        bucket, endpoint=s3_endpoint, access_key=ACCESS_KEY, secret_key=SECRET_KEY
    ).client.create_bucket(Bucket=bucket)
    values = {
        "BACKUP_S3_BUCKET": bucket,
        "BACKUP_S3_ENDPOINT": s3_endpoint,
        "BACKUP_S3_REGION": "us-east-1",
        "BACKUP_S3_PREFIX": "nightly/",
        "BACKUP_S3_ACCESS_KEY": ACCESS_KEY,
        "BACKUP_S3_SECRET_KEY": SECRET_KEY,
        "BACKUP_S3_ADDRESSING": "path",
    }
    for name, value in values.items():
        setattr(settings, name, value)
    return values
