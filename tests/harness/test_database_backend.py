"""The harness runs the suite on the database it was asked for, not silently on SQLite."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_the_database_named_in_kluis_database_url() -> None:
    url = os.environ.get("KLUIS_DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"

    assert connection.vendor == expected


@pytest.mark.django_db
def test_postgres_role_is_not_a_superuser_so_row_level_security_applies() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL run only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (is_superuser,) = cursor.fetchone()

    assert is_superuser is False
