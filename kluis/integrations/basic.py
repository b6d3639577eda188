"""HTTP Basic's lookup in one statement: the API client an id names, with its company, and
how the id and the address stand with the brute-force counts (kluis/identity/brute_force.py).

A Basic request used to cost five statements before its page (the address's count, the
id's block, the client, and clearing the id's count in a transaction of its own). Here one
statement, compiled by the ORM once per process and connection, reads the client, its
company and the two counts (as subqueries: there may be none); the rules stay those of
`brute_force` (`Standing`), and anything that is not the plain "known client, nothing
counted against it" takes brute_force's own checks, which say precisely why.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Subquery

from kluis.identity import brute_force
from kluis.identity.models import AddressFailures, SignInFailures
from kluis.integrations.keys import CLIENT_ID_PREFIX, digest_of
from kluis.integrations.models import ApiClient
from kluis.operations.sql import Prepared, fetch_prepared, prepare
from kluis.tenancy.models import Tenant
from kluis.tenancy.rls import narrowing_column

# Values the statement is compiled with; each request's values take their places.
_MARKERS = {"client_id": "\x00client-id\x00", "account": "\x00account\x00", "ip": "192.0.2.1"}
_CLIENT_COLUMNS = tuple(field.attname for field in ApiClient._meta.concrete_fields)
_TENANT_COLUMNS = tuple(field.attname for field in Tenant._meta.concrete_fields)
_STANDING_COLUMNS = (
    "account_failures",
    "account_blocked_at",
    "account_last_failure_at",
    "address_failures",
    "address_window_started_at",
    "address_last_failure_at",
)
_IP_FIELD = AddressFailures._meta.get_field("ip")


def _narrowing(sql: str, connection: BaseDatabaseWrapper) -> str:
    """On PostgreSQL the lookup also narrows the connection to the client's company
    (row-level security) in the same statement, as an API key's lookup does: a column
    after the others (the subqueries in the select list have FROMs of their own, so it is
    put before the outer one, found from the end)."""
    if connection.vendor != "postgresql":
        return sql
    quote = connection.ops.quote_name
    tenant_id = f"{quote(Tenant._meta.db_table)}.{quote('id')}"
    outer = sql.rindex(f" FROM {quote(ApiClient._meta.db_table)}")
    return f"{sql[:outer]}, {narrowing_column(tenant_id)}{sql[outer:]}"


_lookups: dict[str, Prepared] = {}


def _compile(connection: BaseDatabaseWrapper) -> Prepared:
    cached = _lookups.get(connection.alias)
    if cached is not None:
        return cached
    alias = connection.alias
    account = SignInFailures.objects.using(alias).filter(
        account=_MARKERS["account"], ip=_MARKERS["ip"]
    )
    address = AddressFailures.objects.using(alias).filter(ip=_MARKERS["ip"])
    queryset = (
        ApiClient.objects.using(alias)
        .filter(client_id=_MARKERS["client_id"])
        .exclude(secret_digest="")
        .order_by()
        .annotate(
            account_failures=Subquery(account.values("failures")[:1]),
            account_blocked_at=Subquery(account.values("blocked_at")[:1]),
            account_last_failure_at=Subquery(account.values("last_failure_at")[:1]),
            address_failures=Subquery(address.values("failures")[:1]),
            address_window_started_at=Subquery(address.values("window_started_at")[:1]),
            address_last_failure_at=Subquery(address.values("last_failure_at")[:1]),
        )
        .values_list(
            *_CLIENT_COLUMNS, *(f"tenant__{name}" for name in _TENANT_COLUMNS), *_STANDING_COLUMNS
        )
    )
    markers = {
        "client_id": _MARKERS["client_id"],
        "account": _MARKERS["account"],
        "ip": _IP_FIELD.get_db_prep_value(_MARKERS["ip"], connection),
    }
    lookup = prepare(queryset, connection, markers, rewrite=lambda sql: _narrowing(sql, connection))
    _lookups[connection.alias] = lookup
    return lookup


@dataclass(frozen=True)
class Found:
    """The client an id names (None for an id no client has) and the id's standing."""

    client: ApiClient | None
    standing: brute_force.Standing
    narrowed_connection: bool


def find(client_id: str, attempt: str, ip: str | None) -> Found:
    """The client `client_id` names with its company, and the standing of the attempt key
    `attempt` and of the address `ip` (one statement; on PostgreSQL it also narrows the
    connection to the client's company)."""
    if not client_id.startswith(CLIENT_ID_PREFIX) or len(client_id) > 40:
        return Found(None, brute_force.Standing.unknown(), False)
    connection = connections[DEFAULT_DB_ALIAS]
    columns = fetch_prepared(
        connection,
        _compile(connection),
        {
            "client_id": client_id,
            "account": brute_force.account_key(attempt),
            # (as counted: an IPv6 address by its /64, kluis/identity/brute_force.py)
            "ip": _IP_FIELD.get_db_prep_value(
                brute_force.counted_address(ip) or "0.0.0.0",  # noqa: S104
                connection,
            ),
        },
    )
    if columns is None:
        return Found(None, brute_force.Standing.unknown(), False)
    client_values = columns[: len(_CLIENT_COLUMNS)]
    tenant_values = columns[len(_CLIENT_COLUMNS) : len(_CLIENT_COLUMNS) + len(_TENANT_COLUMNS)]
    standing = columns[len(_CLIENT_COLUMNS) + len(_TENANT_COLUMNS) :]
    client = ApiClient.from_db(connection.alias, _CLIENT_COLUMNS, client_values)
    client.tenant = Tenant.from_db(connection.alias, _TENANT_COLUMNS, tenant_values)
    return Found(
        client,
        brute_force.Standing(*standing) if ip else brute_force.Standing.unknown(),
        connection.vendor == "postgresql",
    )


def secret_matches(client: ApiClient | None, secret: str) -> bool:
    """`secret`'s digest against the client's in constant time (against a dummy when there
    is no client, so the answer takes as long either way)."""
    stored = client.secret_digest if client is not None else None
    return hmac.compare_digest(stored or "0" * 64, digest_of(secret))
