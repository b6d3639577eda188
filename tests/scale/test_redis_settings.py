"""KLUIS_REDIS_URL and KLUIS_REDIS_KEY_PREFIX: a malformed value refuses the start with a
message naming the variable (and never repeating a password); unset, nothing changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kluis.settings_shared_state import redis_key_prefix_from_env, redis_url_from_env

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = pytest.mark.engine_independent

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/0",
        "redis://:s3cret@/0",
        "redis://:s3cret@127.0.0.1:notaport/0",
        "redis://:s3cret@127.0.0.1:6379/zero",
        "127.0.0.1:6379",
        "unix://",
    ],
)
def test_a_malformed_url_is_refused_naming_the_variable(monkeypatch, url):
    monkeypatch.setenv("KLUIS_REDIS_URL", url)
    with pytest.raises(ImproperlyConfigured, match="KLUIS_REDIS_URL must be") as refused:
        redis_url_from_env()
    assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "rediss://user:pw@redis.example:6380/2",
        "redis://localhost",
        "unix:///run/redis/redis.sock?db=1",
    ],
)
def test_a_well_formed_url_is_taken(monkeypatch, url):
    monkeypatch.setenv("KLUIS_REDIS_URL", f"  {url} ")
    assert redis_url_from_env() == url


def test_unset_means_no_redis_and_the_prefix_is_checked(monkeypatch, settings):
    monkeypatch.delenv("KLUIS_REDIS_URL", raising=False)
    assert redis_url_from_env() == ""
    assert settings.REDIS_URL == ""  # the test settings: the cache of today
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    monkeypatch.setenv("KLUIS_REDIS_KEY_PREFIX", "acme-hr")
    assert redis_key_prefix_from_env() == "acme-hr"
    monkeypatch.setenv("KLUIS_REDIS_KEY_PREFIX", "acme hr*")
    with pytest.raises(ImproperlyConfigured, match="KLUIS_REDIS_KEY_PREFIX"):
        redis_key_prefix_from_env()


def test_kluis_does_not_start_with_a_malformed_url(tmp_path):
    env = {
        **os.environ,
        "KLUIS_ENV": "test",
        "KLUIS_REDIS_URL": "redis://:s3cret@127.0.0.1:63a9/0",
        "KLUIS_DATA_DIR": str(tmp_path),
    }
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); import os; "
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'kluis.settings'; "
        "import django; django.setup()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "KLUIS_REDIS_URL must be a redis://" in done.stderr
    assert "s3cret" not in done.stderr
