"""Rotating keys without downtime: re-wrapping data keys under a new master key, retiring
old master keys, and the status report. Used by `kluis keys rotate` and `kluis keys status`.

Order of a master key rotation (docs/decisions/0004-envelope-encryption.md):
1. the new key is added to the keyring file and made active at once, so data keys made
   from now on (by any process: they re-read a changed file before wrapping) use it;
2. each company's data keys are re-wrapped, one transaction per company, audited;
3. with --retire-old: a last sweep under a table lock waits for transactions still
   inserting data keys and re-wraps what they left, then the old keys leave the file.
Running processes keep their unwrapped data keys; one that meets an unknown master key
id reloads the keyring file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection, transaction

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.crypto import keyring, platform_seal, vault
from kluis.crypto.keyring import Keyring, KeyringError, MasterKey
from kluis.crypto.models import TenantKey
from kluis.tenancy.models import Tenant

ACTOR_LABEL = "cli:keys rotate"
Say = Callable[[str], None]


def rewrap_company(tenant: Tenant, ring: Keyring, *, actor_label: str = ACTOR_LABEL) -> int:
    """Re-wrap every data key of one company that the active master key does not wrap,
    in one transaction, each recorded in the company's audit log. Returns how many."""
    with transaction.atomic():
        rows = list(
            TenantKey.objects.for_tenant(tenant)
            .select_for_update()
            .exclude(master_key_id=ring.active_id)
            .order_by("version")
        )
        for row in rows:
            old = ring.get(row.master_key_id)
            if old is None:
                raise KeyringError(
                    f"{tenant.slug}: data key v{row.version} is wrapped by master key "
                    f"{row.master_key_id}, which is not in the keyring ({ring.source})"
                )
            secret = vault.unwrap_data_key(old, row)
            row.wrapped_key = vault.wrap_data_key(ring.active, row.tenant_id, row.version, secret)
            row.master_key_id = ring.active_id
            row.save(update_fields=["wrapped_key", "master_key_id"])
            record(
                Actor.system(actor_label, tenant),
                "crypto.key_rewrapped",
                tenant=tenant,
                target=row,
                changes={"master_key_id": {"old": old.id, "new": ring.active_id}},
            )
    return len(rows)


def rewrap_all(ring: Keyring, say: Say) -> int:
    total = 0
    for tenant in Tenant.objects.order_by("slug"):
        count = rewrap_company(tenant, ring)
        total += count
        say(f"{tenant.slug}: re-wrapped {count} data key{'s' if count != 1 else ''}")
    for name, count in platform_seal.reseal_all(ring.active_id).items():
        say(f"{name}: re-sealed {count}")
    return total


def final_sweep(ring: Keyring) -> int:
    """Wait for transactions that are inserting data keys (a table lock on PostgreSQL; on
    SQLite the immediate transaction takes the write lock), then re-wrap what they left
    under old keys. Inserts that waited re-read the changed keyring and re-wrap too."""
    total = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(TenantKey._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        stale = TenantKey.objects.exclude(master_key_id=ring.active_id).values("tenant_id")
        for tenant in Tenant.objects.filter(pk__in=stale).order_by("slug"):
            total += rewrap_company(tenant, ring)
    return total


@dataclass
class RotationResult:
    new_key_id: str
    rewrapped: int
    retired: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def rotate_master_key(*, new_key_file: Path | None, retire_old: bool, say: Say) -> RotationResult:
    source = keyring.configured_source()
    if source.env_value:
        return _rotate_env_keys(new_key_file=new_key_file, retire_old=retire_old, say=say)
    path = source.path
    if not path.exists():
        keyring.current()  # makes the development keyring, or names what is missing
    try:
        with keyring.locked(path):
            return _rotate_file_keys(
                path, new_key_file=new_key_file, retire_old=retire_old, say=say
            )
    except OSError as exc:
        raise CommandError(
            f"cannot change the keyring file {path}: {exc.strerror} (rotation writes a new "
            "keyring next to it; a read-only key file cannot be rotated in place)",
            returncode=1,
        ) from None
    finally:
        keyring.forget()
        vault.forget_keys()


def _rotate_file_keys(
    path: Path, *, new_key_file: Path | None, retire_old: bool, say: Say
) -> RotationResult:
    ring = keyring.read_keyring_file(path)
    new_key = _new_key(new_key_file)
    if new_key.id == ring.active_id:
        say(f"Master key {new_key.id} is already the active one in {path}.")
    else:
        ring = ring.with_active(new_key)
        keyring.write_keyring_file(path, ring)
        keyring.forget()
        say(f"Added master key {new_key.id} to {path} and made it active.")
    total = rewrap_all(ring, say)
    old = [key_id for key_id in ring.keys if key_id != ring.active_id]
    result = RotationResult(new_key.id, total)
    if not retire_old:
        result.kept = old
        if old:
            say(
                f"Kept the previous master key(s) {', '.join(old)} in the keyring; "
                "`kluis keys rotate --retire-old` removes them once nothing needs them."
            )
        return result
    result.rewrapped += final_sweep(ring)
    if old:
        keyring.write_keyring_file(path, ring.without(set(old)))
        keyring.forget()
        say(f"Retired master key(s) {', '.join(old)}: {path} now holds {ring.active_id} only.")
    result.retired = old
    return result


def _rotate_env_keys(*, new_key_file: Path | None, retire_old: bool, say: Say) -> RotationResult:
    """KLUIS_MASTER_KEY cannot be changed from here: the operator puts the new key first
    (the old one after it) on every process; this re-wraps everything under it."""
    if new_key_file is not None:
        raise CommandError(
            "the master keys come from KLUIS_MASTER_KEY, which Kluis cannot change: put the "
            "new key first in it (comma-separated, the old one after it) on every process, "
            "then run `kluis keys rotate` to re-wrap",
            returncode=1,
        )
    ring = keyring.current()
    say(f"Active master key (first in KLUIS_MASTER_KEY): {ring.active_id}.")
    total = rewrap_all(ring, say)
    result = RotationResult(ring.active_id, total)
    old = [key_id for key_id in ring.keys if key_id != ring.active_id]
    if retire_old:
        result.rewrapped += final_sweep(ring)
        if old:
            say(f"Nothing needs {', '.join(old)} any more: remove it from KLUIS_MASTER_KEY.")
        result.retired = old
    else:
        result.kept = old
    return result


def _new_key(new_key_file: Path | None) -> MasterKey:
    if new_key_file is None:
        return keyring.new_master_key()
    try:
        text = new_key_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(
            f"cannot read the new key file {new_key_file}: {exc.strerror}", returncode=1
        ) from None
    secret = keyring.decode_key(text, f"the new key file {new_key_file}")
    return MasterKey(keyring.key_id(secret), secret)


# --- Status ------------------------------------------------------------------------------
@dataclass
class CompanyKeys:
    tenant: Tenant
    lines: list[str]
    problems: list[str]


def company_status(tenant: Tenant, ring: Keyring) -> CompanyKeys:
    rows = list(TenantKey.objects.for_tenant(tenant).order_by("version"))
    lines: list[str] = []
    problems: list[str] = []
    for row in rows:
        state = " (active)" if row.is_active else ""
        master = ring.get(row.master_key_id)
        if master is None:
            problems.append(f"v{row.version}: master key {row.master_key_id} is not in the keyring")
            continue
        try:
            vault.unwrap_data_key(master, row)
        except vault.TamperedError:
            problems.append(f"v{row.version}: does not unwrap with {row.master_key_id} (altered)")
            continue
        lines.append(f"v{row.version}{state} wrapped by {row.master_key_id}")
    return CompanyKeys(tenant, lines, problems)
