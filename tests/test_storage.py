"""SQLite in WAL mode with immediate transactions: concurrent writers never lose a write."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "kluis.settings"
    django.setup()
    from kluis.access.actor import Actor
    from kluis.access.models import Role
    from kluis.company.services import create_role
    from kluis.tenancy.models import Tenant

    worker, count = sys.argv[1], int(sys.argv[2])
    tenant = Tenant.objects.get(slug="busy-bv")
    actor = Actor.system(f"writer-{worker}", tenant)
    for i in range(count):
        create_role(actor, tenant, name=f"role {worker}-{i}", grants={"audit.view": "company"})
    print("done", worker)
    """
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    env.update({"KLUIS_ENV": "test", "KLUIS_DATA_DIR": str(data_dir)})
    return env


@pytest.mark.slow
@pytest.mark.skipif(
    bool(os.environ.get("KLUIS_DATABASE_URL")), reason="about the embedded SQLite database"
)
def test_concurrent_writers_from_several_processes_lose_nothing(tmp_path):
    env = _env(tmp_path)
    setup = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='kluis.settings';django.setup();"
        "from django.core.management import call_command;call_command('migrate',verbosity=0);"
        "from kluis.access.actor import Actor;from kluis.company.services import create_tenant;"
        "create_tenant(Actor.system('t'),name='Busy BV',slug='busy-bv')"
    )
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True, timeout=120)
    writers, per_writer = 4, 25
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(n), str(per_writer)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "database is locked" not in err
    check = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='kluis.settings';django.setup();"
        "from kluis.access.models import Role;from kluis.audit.models import AuditEvent;"
        "from kluis.audit.services import verify_tenant;from kluis.tenancy.models import Tenant;"
        "t=Tenant.objects.get(slug='busy-bv');"
        "print(Role.objects.filter(tenant=t,builtin_key='').count(),"
        "AuditEvent.objects.filter(tenant=t,action='role.created').count(),verify_tenant(t).ok)"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    custom_roles, created_events, chain_ok = result.stdout.split()
    assert int(custom_roles) == writers * per_writer
    assert int(created_events) == writers * per_writer + 5  # plus the five built-in roles
    assert chain_ok == "True"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="about the embedded SQLite database")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]
