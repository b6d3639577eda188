"""Removing every row of one company: the one place Kluis purges a company's data, used
only for a sandbox (kluis.sandbox.services.delete_sandbox checks that it is one).

A sandbox is thousands of rows behind PROTECT foreign keys and an append-only audit log
whose models refuse deletes, so this deletes table by table in SQL, inside the caller's
transaction: Django's foreign keys are checked at commit, so the order does not matter,
and the database's append-only trigger refuses UPDATEs only. First the rows that point at
a company's rows without a company column of their own (many-to-many tables), then every
table's rows of the company, then the company. The synthetic people's logins (users with
no other company) go last, through the ORM, with what hangs off them."""

from __future__ import annotations

from functools import partial

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import ForeignKey, Model

from kluis.crypto import vault
from kluis.people.models import Employee
from kluis.tenancy import rls
from kluis.tenancy.models import Membership, Tenant


def _company_columns(model: type[Model]) -> list[str]:
    return [
        str(f.column)
        for f in model._meta.concrete_fields
        if isinstance(f, ForeignKey) and f.related_model is Tenant
    ]


def _tables() -> list[type[Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m is not Tenant
    ]


def purge_company(tenant: Tenant, *, users_of: list[int]) -> int:
    """Delete the company and all its rows (and the users in `users_of`); rows deleted."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("purge_company outside a transaction")
    quote = connection.ops.quote_name
    deleted = 0
    photos = [
        name
        for name in Employee.objects.for_tenant(tenant)
        .exclude(photo="")
        .values_list("photo", flat=True)
        if name
    ]
    with rls.unnarrowed(), connection.cursor() as cursor:
        owned = {m: _company_columns(m) for m in _tables()}
        for model, columns in owned.items():
            if columns:
                continue
            for f in model._meta.concrete_fields:
                target = f.related_model if isinstance(f, ForeignKey) else None
                if target is None or target is Tenant or not owned.get(target):
                    continue
                columns_of_target: list[str] = owned[target]
                where = " OR ".join(f"{quote(c)} = %s" for c in columns_of_target)
                table, column = quote(model._meta.db_table), quote(str(f.column))
                key, parent = quote(str(target._meta.pk.column)), quote(target._meta.db_table)
                cursor.execute(  # names from the models, the id a parameter
                    f"DELETE FROM {table} WHERE {column} IN "  # noqa: S608
                    f"(SELECT {key} FROM {parent} WHERE {where})",
                    [tenant.pk] * len(columns_of_target),
                )
                deleted += max(cursor.rowcount, 0)
        for model, columns in owned.items():
            for column in columns:
                cursor.execute(  # names from the models, the id a parameter
                    f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} = %s",  # noqa: S608
                    [tenant.pk],
                )
                deleted += max(cursor.rowcount, 0)
        table, key = quote(Tenant._meta.db_table), quote(str(Tenant._meta.pk.column))
        cursor.execute(f"DELETE FROM {table} WHERE {key} = %s", [tenant.pk])  # noqa: S608
        deleted += max(cursor.rowcount, 0)
        if users_of:
            # Only logins that now belong to no company at all.
            elsewhere = set(
                Membership.objects.filter(user_id__in=users_of).values_list("user_id", flat=True)
            )
            gone = [pk for pk in users_of if pk not in elsewhere]
            deleted += get_user_model().objects.filter(pk__in=gone).delete()[0]
    transaction.on_commit(partial(vault.forget_keys, tenant.pk))
    # The company's data keys went with its rows, so its stored files no longer open
    # (kluis/crypto/stored_files.py); deleting them is tidying: a storage that cannot be
    # reached leaves unreadable objects behind, never fails the committed purge.
    for name in photos:
        transaction.on_commit(partial(default_storage.delete, name), robust=True)
    return deleted
