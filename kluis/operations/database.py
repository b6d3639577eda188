"""PostgreSQL connections for web requests and for everything else.

Statement timeouts: a statement of a web request may run DATABASE_STATEMENT_TIMEOUT
seconds (KLUIS_DATABASE_STATEMENT_TIMEOUT, default 30), so one runaway query or a long
lock wait cannot hold a connection (and a pool's slot) for ever; everything else, the
worker and the command line (backups, migrations, imports), runs with
WORKER_STATEMENT_TIMEOUT (KLUIS_WORKER_STATEMENT_TIMEOUT, default 0: no limit; a migration
is never cut off). A web request is what Django's request_started/request_finished
signals bracket, so the worker needs nothing of its own: outside a request every
connection gets the worker's value. The value is set when a connection is opened or
borrowed from the pool, and again at a request's start on a connection kept open; each
connection remembers what it has, so a web process sets it once per connection, not once
per request.

The pool (KLUIS_DATABASE_POOL, kluis/settings_database.py): row-level security narrows
a connection for the rest of a request with a session setting (kluis/tenancy/rls.py);
`reset_connection` widens every connection given back, before anyone borrows it again,
however the request ended.
"""

from __future__ import annotations

import contextvars
import weakref
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

# The session setting row-level security reads (kluis/tenancy/rls.py takes it from here:
# this module is imported by the settings, for the pool's reset, before any app loads).
TENANT_SETTING = "kluis.tenant_id"

_in_web_request: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "kluis_in_web_request", default=False
)
# Per driver connection (pooled or kept open): the statement timeout it has, in ms.
_applied: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def reset_connection(raw: Any) -> None:
    """psycopg_pool's `reset`: a connection handed back to the pool serves no company any
    more (the next borrower may be another company's member, an unauthenticated request
    or the worker). Runs on every return, after the pool rolled back whatever transaction
    was left open; a failure here makes the pool discard the connection."""
    raw.execute("SELECT set_config(%s, '', false)", [TENANT_SETTING])
    if not raw.autocommit:  # the pool wants it idle: keep the widening, end the transaction
        raw.commit()


def wanted_timeout_ms() -> int:
    """The statement timeout for the current context: a web request's or the worker's."""
    seconds = (
        settings.DATABASE_STATEMENT_TIMEOUT
        if _in_web_request.get()
        else settings.WORKER_STATEMENT_TIMEOUT
    )
    return int(seconds) * 1000


def apply_statement_timeout(db: BaseDatabaseWrapper) -> None:
    """Give `db`'s open connection the current context's statement timeout, unless it has
    it already. Inside a transaction (a test's) the setting is made but not remembered:
    a rollback undoes it. On the driver's connection itself (already open: nothing to
    connect); one that fails here is closed, and the request opens a new one."""
    raw = db.connection
    if db.vendor != "postgresql" or raw is None:
        return
    wanted = wanted_timeout_ms()
    in_transaction = db.in_atomic_block or not db.autocommit
    if not in_transaction and _applied.get(raw) == wanted:
        return
    try:
        with db.wrap_database_errors:
            raw.execute("SELECT set_config('statement_timeout', %s, false)", [f"{wanted}ms"])
    except DatabaseError:
        _applied.pop(raw, None)
        db.close()
        return
    if in_transaction:
        _applied.pop(raw, None)
    else:
        _applied[raw] = wanted


def _on_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    apply_statement_timeout(connection)


def _on_request_started(**kwargs: Any) -> None:
    _in_web_request.set(True)
    # A connection kept open from an earlier request or from outside one (no pool).
    for db in connections.all(initialized_only=True):
        apply_statement_timeout(db)


def _on_request_finished(**kwargs: Any) -> None:
    _in_web_request.set(False)


def connect_signals() -> None:
    """From the operations app's ready()."""
    connection_created.connect(_on_connection, dispatch_uid="kluis-statement-timeout")
    request_started.connect(_on_request_started, dispatch_uid="kluis-web-request-started")
    request_finished.connect(_on_request_finished, dispatch_uid="kluis-web-request-finished")
