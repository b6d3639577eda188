"""KLUIS_STORAGE_URL: what a good value configures, and a bad one refusing the start with
a message naming the variable (and never a key)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kluis.settings_storage import parse_storage_url

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = pytest.mark.engine_independent

ROOT = Path(__file__).resolve().parents[2]


def test_a_full_url_gives_private_checksummed_s3_storage():
    options = parse_storage_url(
        "s3://kluis-files/prod/media/?endpoint=http://127.0.0.1:9000/&region=eu-west-1"
        "&addressing=path",
        "AKIA-test",
        "secret-test",
    )
    assert options == {
        "bucket_name": "kluis-files",
        "location": "prod/media",
        "endpoint_url": "http://127.0.0.1:9000",
        "region_name": "eu-west-1",
        "addressing_style": "path",
        "signature_version": "s3v4",
        "access_key": "AKIA-test",
        "secret_key": "secret-test",
        "default_acl": "private",
        "querystring_auth": True,
        "custom_domain": None,
        "file_overwrite": False,
        "object_parameters": {"ChecksumAlgorithm": "SHA256"},
    }


def test_a_bare_bucket_takes_the_defaults_and_boto3s_own_credentials():
    options = parse_storage_url("s3://kluis-files")
    assert options["location"] == "" and options["endpoint_url"] is None
    assert options["region_name"] == "us-east-1" and options["addressing_style"] is None
    assert options["access_key"] is None and options["secret_key"] is None
    assert parse_storage_url("s3://kluis.files?addressing=virtual")["addressing_style"] == "virtual"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://kluis-files/media", "must start with s3://"),
        ("s3://key:secret@kluis-files", "must not hold keys"),
        ("s3://", "must name a bucket"),
        ("s3://Kluis_Files", "must name a bucket"),
        ("s3://kluis-files/a/../b", "'.' or '..'"),
        ("s3://kluis-files?endpoint=ftp://host", "http(s)://host"),
        ("s3://kluis-files?endpoint=http://h:port", "port that is not a number"),
        ("s3://kluis-files?endpoint=http://h/path", "more than scheme://host"),
        ("s3://kluis-files?region=eu west", "region"),
        ("s3://kluis-files?addressing=auto", "path or virtual"),
        ("s3://kluis-files?bucket=x", "unknown option 'bucket'"),
        ("s3://kluis-files?region=a&region=b", "names an option twice"),
        ("s3://kluis-files?region", "not name=value"),
    ],
)
def test_a_url_that_does_not_fit_is_refused_naming_the_variable(url, problem):
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_storage_url(url)
    assert str(refused.value).startswith("KLUIS_STORAGE_URL ")
    assert problem in str(refused.value)
    assert "secret" not in str(refused.value)


def test_one_key_without_the_other_is_refused():
    with pytest.raises(ImproperlyConfigured, match="KLUIS_STORAGE_S3_ACCESS_KEY and"):
        parse_storage_url("s3://kluis-files", "AKIA-test", "")


def _settings_in_a_child(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    clean.update({"KLUIS_ENV": "test", "KLUIS_DATA_DIR": str(tmp_path), **env})
    code = (
        "import json, django, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'kluis.settings'\n"
        "django.setup()\n"
        "from django.core.files.storage import default_storage\n"
        "from kluis.operations.storage import describe\n"
        "raw = default_storage.raw\n"
        "print(json.dumps({'class': type(raw).__name__, 'where': describe(),\n"
        "  'acl': getattr(raw, 'default_acl', None), 'key': getattr(raw, 'access_key', None)}))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_kluis_starts_with_the_url_and_refuses_a_bad_one(tmp_path):
    unset = _settings_in_a_child(tmp_path)
    assert unset.returncode == 0, unset.stderr
    assert json.loads(unset.stdout) == {
        "class": "FileSystemStorage",
        "where": str(tmp_path / "media"),
        "acl": None,
        "key": None,
    }

    configured = _settings_in_a_child(
        tmp_path,
        KLUIS_STORAGE_URL="s3://kluis-files/media?endpoint=http://127.0.0.1:9&addressing=path",
        KLUIS_STORAGE_S3_ACCESS_KEY="AKIA-child",
        KLUIS_STORAGE_S3_SECRET_KEY="never-printed-secret",
    )
    assert configured.returncode == 0, configured.stderr
    assert json.loads(configured.stdout) == {
        "class": "S3Storage",
        "where": "s3://kluis-files/media",
        "acl": "private",
        "key": "AKIA-child",
    }

    bad = _settings_in_a_child(
        tmp_path,
        KLUIS_STORAGE_URL="s3://kluis-files?endpoint=nowhere",
        KLUIS_STORAGE_S3_SECRET_KEY="never-printed-secret",
    )
    assert bad.returncode != 0
    assert "KLUIS_STORAGE_URL has an endpoint" in bad.stderr
    assert "never-printed-secret" not in bad.stderr + bad.stdout
