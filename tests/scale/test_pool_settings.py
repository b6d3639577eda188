"""The PostgreSQL connection settings of several nodes (kluis/settings_database.py):
KLUIS_DATABASE_POOL, the statement timeouts, and a KLUIS_DATABASE_URL naming several hosts
(a primary and its standbys: libpq connects to the one that takes writes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

from kluis.settings_database import _pool_sizes

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, kluis.settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'engine': d['ENGINE'], 'age': d.get('CONN_MAX_AGE'), "
    "'pool': {k: v for k, v in d.get('OPTIONS', {}).get('pool', {}).items() if k != 'reset'}, "
    "'reset': d.get('OPTIONS', {}).get('pool', {}).get('reset').__name__ "
    "if d.get('OPTIONS', {}).get('pool') else None, "
    "'web': s.DATABASE_STATEMENT_TIMEOUT, 'worker': s.WORKER_STATEMENT_TIMEOUT}))"
)


def settings_with(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The settings as a node started with `env` reads them (its own process)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KLUIS_")}
    clean.update(KLUIS_ENV="test", KLUIS_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("value", "sizes"), [("2:16", (2, 16)), ("0:4", (0, 4)), ("off", None), ("", None)]
)
def test_pool_sizes(value, sizes):
    assert _pool_sizes(value) == sizes


@pytest.mark.parametrize("value", ["16", "4:2", "0:0", "a:b", "-1:3", "2:16:32", "on"])
def test_a_wrong_pool_size_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="KLUIS_DATABASE_POOL must be `min:max`"):
        _pool_sizes(value)


@pytest.mark.slow
def test_without_the_new_variables_the_database_settings_are_as_before(tmp_path):
    result = settings_with(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "kluis.operations.sqlite",
        "age": 60,
        "pool": {},
        "reset": None,
        "web": 30,
        "worker": 0,
    }
    url = settings_with(tmp_path, KLUIS_DATABASE_URL="postgres://kluis@db.example/kluis")
    assert json.loads(url.stdout)["age"] == 60 and json.loads(url.stdout)["pool"] == {}


@pytest.mark.slow
def test_a_pool_on_postgresql(tmp_path):
    pooled = settings_with(
        tmp_path,
        KLUIS_DATABASE_URL="postgres://kluis@db.example/kluis",
        KLUIS_DATABASE_POOL="2:16",
        KLUIS_DATABASE_STATEMENT_TIMEOUT="10",
        KLUIS_WORKER_STATEMENT_TIMEOUT="3600",
    )
    assert pooled.returncode == 0, pooled.stderr  # needs psycopg-pool (psycopg[pool])
    shown = json.loads(pooled.stdout)
    assert shown["age"] == 0  # Django's pool takes no persistent connections
    assert shown["pool"] == {"min_size": 2, "max_size": 16, "name": "kluis", "timeout": 10}
    assert shown["reset"] == "reset_connection"
    assert (shown["web"], shown["worker"]) == (10, 3600)


@pytest.mark.slow
def test_wrong_values_refuse_the_start_naming_the_variable(tmp_path):
    sqlite = settings_with(tmp_path, KLUIS_DATABASE_POOL="2:16")
    assert sqlite.returncode != 0
    assert "KLUIS_DATABASE_POOL is for PostgreSQL" in sqlite.stderr
    wrong = settings_with(tmp_path, KLUIS_DATABASE_STATEMENT_TIMEOUT="30s")
    assert wrong.returncode != 0
    assert "KLUIS_DATABASE_STATEMENT_TIMEOUT must be a whole number" in wrong.stderr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="connects to PostgreSQL")
def test_a_url_with_several_hosts_reaches_the_one_taking_writes(db):
    """KLUIS_DATABASE_URL=postgres://user@standby,primary:5432/kluis?target_session_attrs=
    read-write: libpq tries the hosts in turn and keeps the first that accepts writes (here
    the first host does not answer at all, as a failed primary)."""
    here = connection.settings_dict
    url = (
        f"postgres://{here['USER']}@127.0.0.2,{here['HOST']}:{here['PORT']}/{here['NAME']}"
        "?target_session_attrs=read-write&connect_timeout=3"
    )
    parsed = dj_database_url.parse(url)
    assert parsed["HOST"] == f"127.0.0.2,{here['HOST']}"
    assert parsed["OPTIONS"] == {"target_session_attrs": "read-write", "connect_timeout": 3}
    parsed.update({k: v for k, v in here.items() if k not in parsed or k in ("TEST", "TIME_ZONE")})
    wrapper = DatabaseWrapper(parsed, alias="several-hosts")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT host(inet_server_addr()), pg_is_in_recovery()")
            assert cursor.fetchone() == (here["HOST"], False)
    finally:
        wrapper.close()
