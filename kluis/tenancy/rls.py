"""Row-level security on PostgreSQL: the second wall behind tenant-scoped queries.

Every table with a `tenant` column (and the tenant table itself) gets a policy that shows
and accepts only rows of the company named by the session setting `kluis.tenant_id`.
A web request for a signed-in member narrows the connection to their company for the
rest of the request; the worker, the CLI and the requests before a company is known run
unnarrowed. So even a query that forgot its tenant filter cannot read or write another
company's rows while serving a member. SQLite has no row-level security; there the
tenant-scoped queries (and the isolation tests) are the wall.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import connection, connections
from django.db.models import ForeignKey, Model

from kluis.operations.database import TENANT_SETTING as SETTING

POLICY = "kluis_tenant_isolation"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION kluis_tenant_visible(row_tenant bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN coalesce(current_setting('{SETTING}', true), '') IN ('', 'all') THEN true
        ELSE row_tenant = current_setting('{SETTING}', true)::bigint
    END
$$;
"""


def tenant_tables() -> list[tuple[str, str]]:
    """(table, tenant column) for every model that belongs to a company."""
    tenant_model = apps.get_model("tenancy", "Tenant")
    tables: list[tuple[str, str]] = [
        (tenant_model._meta.db_table, str(tenant_model._meta.pk.column))
    ]
    for model in apps.get_models():
        field = _tenant_field(model)
        if field is not None and not model._meta.proxy and model._meta.managed:
            tables.append((model._meta.db_table, field.column))
    return tables


def _tenant_field(model: type[Model]) -> Any:
    try:
        field = model._meta.get_field("tenant")
    except Exception:
        return None
    if isinstance(field, ForeignKey) and field.related_model is apps.get_model("tenancy", "Tenant"):
        return field
    return None


def apply_row_level_security(using: str = "default") -> int:
    """(Re)create the policies; idempotent, run after every migrate. Returns tables covered."""
    conn = connections[using]
    if conn.vendor != "postgresql":
        return 0
    with conn.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table, column in tenant_tables():
            quoted = conn.ops.quote_name(table)
            cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {quoted}")
            cursor.execute(
                f"CREATE POLICY {POLICY} ON {quoted} "
                f"USING (kluis_tenant_visible({conn.ops.quote_name(column)})) "
                f"WITH CHECK (kluis_tenant_visible({conn.ops.quote_name(column)}))"
            )
    return len(tenant_tables())


def narrowing_column(tenant_id_sql: str) -> str:
    """A select-list expression that narrows the connection to the company of the row it
    is evaluated on: lets the API key lookup narrow in the same statement (one query less
    on every API request); only rows that are returned narrow."""
    return f"set_config('{SETTING}', ({tenant_id_sql})::text, false)"


def narrow_to(tenant_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, str(int(tenant_id))])


def widen() -> None:
    if connection.vendor == "postgresql" and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', false)", [SETTING])


@contextmanager
def unnarrowed() -> Iterator[None]:
    """System work about one person's account in each of their companies (its events in
    each company's audit log) while a request is narrowed to one of them; the narrowing is
    restored afterwards. Callers name the companies themselves (the account's own)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [SETTING])
        row = cursor.fetchone()
        previous = str(row[0]) if row else ""
        cursor.execute("SELECT set_config(%s, '', false)", [SETTING])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, previous])


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.label == "tenancy":
        apply_row_level_security(using)
