"""Creating and revoking API keys. Each authorises, writes in one transaction, records an
audit event (name, scopes and prefix, never the key) and emits a domain event."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize, can_for
from kluis.access.permissions import API_SCOPES
from kluis.audit.services import diff, record
from kluis.integrations.events import emit
from kluis.integrations.keys import PREFIX_LENGTH, digest_of, new_key
from kluis.integrations.models import ApiClient, ApiKey, IdempotencyRecord
from kluis.tenancy.models import Tenant


def _same_company(actor: Actor, tenant: Tenant) -> None:
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant.pk):
        raise PermissionDenied(_("Not a member of this company."))


def clean_scopes(actor: Actor, scopes: list[str]) -> list[str]:
    """Known scopes only, and only those whose permissions the creator holds company-wide:
    nobody hands a machine more than they may do themselves."""
    scopes = sorted({s.strip() for s in scopes if s.strip()})
    if not scopes:
        raise ValidationError({"scopes": [_("Choose at least one scope.")]})
    unknown = [s for s in scopes if s not in API_SCOPES]
    if unknown:
        raise ValidationError(
            {"scopes": [_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}]}
        )
    beyond = [s for s in scopes if not all(can_for(actor, p) for p in API_SCOPES[s])]
    if beyond:
        raise ValidationError(
            {
                "scopes": [
                    _("You cannot grant what you may not do yourself: %(scopes)s.")
                    % {"scopes": ", ".join(beyond)}
                ]
            }
        )
    return scopes


def create_api_key(
    actor: Actor,
    tenant: Tenant,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new client with one key. The plaintext key is returned once and never stored."""
    _same_company(actor, tenant)
    authorize(actor, "integrations.manage")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 100:
        errors["name"] = [_("Use at most %(n)d characters.") % {"n": 100}]
    try:
        scopes = clean_scopes(actor, scopes)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    for _attempt in range(5):
        plaintext = new_key()
        try:
            with transaction.atomic():
                client = ApiClient.objects.create(
                    tenant=tenant, name=name, scopes=scopes, created_by_label=actor.label[:254]
                )
                key = ApiKey.objects.create(
                    tenant=tenant,
                    client=client,
                    prefix=plaintext[:PREFIX_LENGTH],
                    digest=digest_of(plaintext),
                    expires_at=expires_at,
                )
                record(
                    actor,
                    "api_key.created",
                    tenant=tenant,
                    target=key,
                    object_repr=f"{name} ({key.prefix}…)",
                    changes=diff(
                        {},
                        {
                            "name": name,
                            "scopes": scopes,
                            "prefix": key.prefix,
                            "expires_at": expires_at.isoformat() if expires_at else None,
                        },
                    ),
                )
                emit(
                    "api_key.created",
                    tenant=tenant,
                    target=key,
                    payload={"client": client.pk, "prefix": key.prefix, "scopes": scopes},
                )
            return key, plaintext
        except IntegrityError:  # the random prefix was taken: draw again
            continue
    raise RuntimeError("could not make a unique API key prefix")


def revoke_api_key(actor: Actor, key: ApiKey) -> ApiKey:
    """Revoke a key (and its client): the next request with it answers 401."""
    _same_company(actor, key.client.tenant)
    authorize(actor, "integrations.manage")
    if key.revoked_at is not None:
        return key
    with transaction.atomic():
        now = timezone.now()
        key.revoked_at = now
        key.save(update_fields=["revoked_at"])
        ApiClient.objects.filter(pk=key.client_id, revoked_at__isnull=True).update(revoked_at=now)
        record(
            actor,
            "api_key.revoked",
            tenant=key.client.tenant,
            target=key,
            object_repr=f"{key.client.name} ({key.prefix}…)",
            changes={"revoked_at": {"old": None, "new": now.isoformat()}},
        )
        emit(
            "api_key.revoked",
            tenant=key.client.tenant,
            target=key,
            payload={"client": key.client_id, "prefix": key.prefix},
        )
    return key


def purge_idempotency_records(older_than: dt.timedelta = dt.timedelta(hours=24)) -> int:
    """Forget stored POST responses past their replay window (for the worker's schedule)."""
    deleted, _rows = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
