"""Creating and revoking API keys. Each authorises, writes in one transaction, records an
audit event (name, scopes and prefix, never the key) and emits a domain event. A
credential with a write scope may wait for a second approver first (the two-person rule,
kluis/integrations/approval_actions.py)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize, can_for
from kluis.access.permissions import API_SCOPES
from kluis.audit.services import diff, record
from kluis.integrations.approval_actions import KEY as CREDENTIALS_KEY
from kluis.integrations.approval_actions import creator_label, hold_credentials
from kluis.integrations.events import emit
from kluis.integrations.keys import (
    PREFIX_LENGTH,
    digest_of,
    new_client_id,
    new_client_secret,
    new_key,
)
from kluis.integrations.models import ApiClient, ApiKey, IdempotencyRecord, OAuthConnection
from kluis.tenancy.models import Tenant

# Platform-level events (no company to chain them to): the operator's log.
platform_log = logging.getLogger("kluis.platform")


def _same_company(actor: Actor, tenant: Tenant) -> None:
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant.pk):
        raise PermissionDenied(_("Not a member of this company."))


def _made_by(actor: Actor) -> dict[str, int | None]:
    """Who made a client and answers for it: the member acting (none for a machine), or
    the requester when it is made on a second person's approval."""
    user_id = actor.user_id if actor.kind == "user" else None
    stamp = actor.approval
    if stamp is not None and stamp.action == CREDENTIALS_KEY:
        user_id = stamp.requested_by_user_id
    return {"created_by_id": user_id, "owner_id": user_id}


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


def _clean_name_and_scopes(
    actor: Actor, name: str, scopes: list[str], errors: dict[str, list[str]]
) -> tuple[str, list[str]]:
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 100:
        errors["name"] = [_("Use at most %(n)d characters.") % {"n": 100}]
    try:
        scopes = clean_scopes(actor, scopes)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return name, scopes


def create_api_client(
    actor: Actor, tenant: Tenant, name: str, scopes: list[str]
) -> tuple[ApiClient, str]:
    """A client that authenticates with HTTP Basic (client id + secret). The plaintext
    secret is returned once; only its peppered digest is stored."""
    _same_company(actor, tenant)
    authorize(actor, "integrations.manage")
    errors: dict[str, list[str]] = {}
    name, scopes = _clean_name_and_scopes(actor, name, scopes, errors)
    if errors:
        raise ValidationError(errors)
    hold_credentials(actor, tenant, kind="api_client", name=name, scopes=scopes)
    secret = new_client_secret()
    for _attempt in range(5):
        try:
            with transaction.atomic(durable=True):
                client = ApiClient.objects.create(
                    tenant=tenant,
                    name=name,
                    scopes=scopes,
                    created_by_label=creator_label(actor),
                    **_made_by(actor),
                    client_id=new_client_id(),
                    secret_digest=digest_of(secret),
                )
                _record_client(actor, client, "api_client.created")
            return client, secret
        except IntegrityError:  # the random id was taken: draw again
            continue
    raise RuntimeError("could not make a unique client id")


def create_oauth_client(
    actor: Actor, tenant: Tenant, name: str, scopes: list[str]
) -> tuple[ApiClient, str, str]:
    """An OAuth 2.0 client-credentials client: a django-oauth-toolkit application linked to
    a new API client of the company. Returns (client, client_id, secret); the secret is
    shown once and stored hashed by django-oauth-toolkit."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import get_application_model

    _same_company(actor, tenant)
    authorize(actor, "integrations.manage")
    errors: dict[str, list[str]] = {}
    name, scopes = _clean_name_and_scopes(actor, name, scopes, errors)
    if errors:
        raise ValidationError(errors)
    hold_credentials(actor, tenant, kind="oauth_client", name=name, scopes=scopes)
    application_model = get_application_model()
    secret = generate_client_secret()
    with transaction.atomic(durable=True):
        application = application_model.objects.create(
            name=f"{tenant.slug}: {name}"[:255],
            client_type=application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
            redirect_uris="",
        )
        client = ApiClient.objects.create(
            tenant=tenant,
            name=name,
            scopes=scopes,
            created_by_label=creator_label(actor),
            **_made_by(actor),
            oauth_application=application,
        )
        _record_client(actor, client, "oauth_client.created")
    return client, str(application.client_id), secret


def _record_client(actor: Actor, client: ApiClient, action: str) -> None:
    client_id = client.client_id or (
        client.oauth_application.client_id if client.oauth_application else ""
    )
    record(
        actor,
        action,
        tenant=client.tenant,
        target=client,
        object_repr=f"{client.name} ({client_id})",
        changes=diff({}, {"name": client.name, "scopes": client.scopes, "client_id": client_id}),
    )
    emit(
        action,
        tenant=client.tenant,
        target=client,
        payload={"client": client.pk, "client_id": client_id, "scopes": client.scopes},
    )


def revoke_api_client(actor: Actor, client: ApiClient) -> ApiClient:
    """Revoke a client: its keys, its secret and every OAuth token it holds stop working.
    The row is locked and re-read first, so two revokes at once record one event."""
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    _same_company(actor, client.tenant)
    authorize(actor, "integrations.manage")
    with transaction.atomic(durable=True):
        locked = (
            ApiClient.objects.for_tenant(client.tenant_id).select_for_update().get(pk=client.pk)
        )
        if locked.revoked_at is not None:
            client.revoked_at = locked.revoked_at
            return client
        now = timezone.now()
        client.revoked_at = now
        client.save(update_fields=["revoked_at"])
        ApiKey.objects.filter(client=client, revoked_at__isnull=True).update(revoked_at=now)
        if client.oauth_application_id is not None:
            get_refresh_token_model().objects.filter(
                application_id=client.oauth_application_id, revoked__isnull=True
            ).update(revoked=now)
            get_access_token_model().objects.filter(
                application_id=client.oauth_application_id
            ).delete()
        record(
            actor,
            "api_client.revoked",
            tenant=client.tenant,
            target=client,
            object_repr=client.name,
            changes={"revoked_at": {"old": None, "new": now.isoformat()}},
        )
        emit(
            "api_client.revoked", tenant=client.tenant, target=client, payload={"client": client.pk}
        )
    return client


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
    name, scopes = _clean_name_and_scopes(actor, name, scopes, errors)
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    hold_credentials(actor, tenant, kind="api_key", name=name, scopes=scopes, expires_at=expires_at)
    for _attempt in range(5):
        plaintext = new_key()
        try:
            with transaction.atomic(durable=True):
                client = ApiClient.objects.create(
                    tenant=tenant,
                    name=name,
                    scopes=scopes,
                    created_by_label=creator_label(actor),
                    **_made_by(actor),
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
    """Revoke a key (and its client): the next request with it answers 401. The row is
    locked and re-read first, so two revokes at once record one event."""
    _same_company(actor, key.client.tenant)
    authorize(actor, "integrations.manage")
    with transaction.atomic(durable=True):
        # The client first, then the key: the order revoke_api_client locks them in.
        ApiClient.objects.select_for_update().filter(pk=key.client_id).first()
        locked = ApiKey.objects.for_tenant(key.tenant_id).select_for_update().get(pk=key.pk)
        if locked.revoked_at is not None:
            key.revoked_at = locked.revoked_at
            return key
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


def _clean_redirect_uris(redirect_uris: list[str], errors: dict[str, list[str]]) -> list[str]:
    """Absolute https:// URIs with a host, no fragment and no whitespace (DOT stores them
    space-separated), each once."""
    cleaned: list[str] = []
    for uri in redirect_uris:
        uri = (uri or "").strip()
        parts = urlsplit(uri) if uri.isprintable() and " " not in uri else None
        if parts is None or parts.scheme != "https" or not parts.hostname or parts.fragment:
            errors["redirect_uris"] = [_("Give one or more https:// redirect URIs.")]
            return []
        if uri not in cleaned:
            cleaned.append(uri)
    if not cleaned:
        errors["redirect_uris"] = [_("Give one or more https:// redirect URIs.")]
    return cleaned


def register_oauth_app(
    actor: Actor, name: str, redirect_uris: list[str], *, public: bool = False
) -> tuple[Any, str]:
    """A third-party app for the authorization code flow (with PKCE), registered by the
    platform operator; companies then connect it. Returns (application, secret); the secret
    is shown once (empty for a public app) and stored hashed.

    The app belongs to no company, so there is no company chain to audit it in: the
    registration is logged (on commit) as a platform event, and each company's chain records
    the app's facts when a member connects it (`connect_app`)."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import get_application_model

    if not actor.is_system:
        raise PermissionDenied(_("Third-party apps are registered by the platform operator."))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Use 1 to 100 characters.")]
    uris = _clean_redirect_uris(redirect_uris, errors)
    if errors:
        raise ValidationError(errors)
    model = get_application_model()
    secret = "" if public else generate_client_secret()
    with transaction.atomic(durable=True):
        application = model(
            name=name,
            client_type=model.CLIENT_PUBLIC if public else model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=model.GRANT_AUTHORIZATION_CODE,
            client_secret=secret,
            hash_client_secret=True,
            redirect_uris=" ".join(uris),
            skip_authorization=False,
        )
        application.full_clean(exclude=["client_id", "client_secret", "user"])
        application.save()
        facts = {
            "actor": actor.label,
            "app": application.pk,
            "client_id": str(application.client_id),
            "client_type": application.client_type,
            "redirect_uris": uris,
        }
        transaction.on_commit(lambda: platform_log.info("oauth_app.registered %s", facts))
    return application, secret


def connect_app(
    actor: Actor, tenant: Tenant, user: Any, application: Any, scopes: list[str]
) -> OAuthConnection:
    """Connect a third-party app for the company with the scopes the member consented to
    (only scopes the member holds company-wide). Replaces the member's earlier connection of
    the same app for the same company; refuses one for another company. The member's
    active connection is locked and re-read in the transaction, so two consents at once
    make one connection (the loser of a race on a new one retries and updates it)."""
    _same_company(actor, tenant)
    authorize(actor, "integrations.manage")
    scopes = clean_scopes(actor, scopes)
    for attempt in range(2):
        try:
            return _connect_app(actor, tenant, user, application, scopes)
        except IntegrityError:  # a concurrent consent made the connection first
            if attempt:
                raise
    raise AssertionError("unreachable")


def _connect_app(
    actor: Actor, tenant: Tenant, user: Any, application: Any, scopes: list[str]
) -> OAuthConnection:
    with transaction.atomic(durable=True):
        existing = (
            OAuthConnection.objects.select_for_update()
            .filter(application=application, user=user, revoked_at__isnull=True)
            .first()
        )
        if existing is not None and existing.tenant_id != tenant.pk:
            raise ValidationError(
                _("You connected this app for another company; disconnect it there first.")
            )
        if existing is not None:
            client = ApiClient.objects.select_for_update().get(pk=existing.api_client_id)
            before = {"app": application.name, "scopes": client.scopes}
            client.scopes = scopes
            client.save(update_fields=["scopes"])
            connection = existing
            action = "oauth_connection.updated"
        else:
            before = {}
            client = ApiClient.objects.create(
                tenant=tenant,
                name=str(application.name)[:100],
                scopes=scopes,
                created_by_label=creator_label(actor),
            )
            connection = OAuthConnection.objects.create(
                tenant=tenant, application=application, user=user, api_client=client
            )
            action = "oauth_connection.created"
        after = {"app": application.name, "scopes": scopes}
        if action == "oauth_connection.created":
            # A platform-registered app has no audit trail of its own: the company's chain
            # records what it connected (the redirect URIs the codes go to, the app kind).
            after |= {
                "client_id": str(application.client_id),
                "client_type": application.client_type,
                "redirect_uris": str(application.redirect_uris).split(),
            }
        record(
            actor,
            action,
            tenant=tenant,
            target=client,
            object_repr=f"{application.name} ({application.client_id})",
            changes=diff(before, after),
        )
        emit(
            action,
            tenant=tenant,
            target=client,
            payload={"client": client.pk, "scopes": scopes}
            | ({"fields": ["scopes"]} if existing is not None else {}),
        )
    connection.api_client = client
    return connection


def revoke_connection(actor: Actor, connection: OAuthConnection) -> OAuthConnection:
    """Disconnect an app: every token it holds for that member stops working. The row is
    locked and re-read first, so two disconnects at once record one event."""
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    _same_company(actor, connection.tenant)
    authorize(actor, "integrations.manage")
    with transaction.atomic(durable=True):
        locked = (
            OAuthConnection.objects.for_tenant(connection.tenant_id)
            .select_for_update()
            .get(pk=connection.pk)
        )
        if locked.revoked_at is not None:
            connection.revoked_at = locked.revoked_at
            return connection
        now = timezone.now()
        connection.revoked_at = now
        connection.save(update_fields=["revoked_at"])
        ApiClient.objects.filter(pk=connection.api_client_id).update(revoked_at=now)
        lookup = {"application_id": connection.application_id, "user_id": connection.user_id}
        get_refresh_token_model().objects.filter(revoked__isnull=True, **lookup).update(revoked=now)
        get_access_token_model().objects.filter(**lookup).delete()
        _delete_grants(lookup)
        record(
            actor,
            "oauth_connection.revoked",
            tenant=connection.tenant,
            target=connection.api_client,
            object_repr=connection.api_client.name,
            changes={"revoked_at": {"old": None, "new": now.isoformat()}},
        )
        emit(
            "oauth_connection.revoked",
            tenant=connection.tenant,
            target=connection.api_client,
            payload={"client": connection.api_client_id},
        )
    return connection


def _delete_grants(lookup: dict[str, Any]) -> None:
    """Delete outstanding authorization codes of an app for a member."""
    from oauth2_provider.models import get_grant_model

    get_grant_model().objects.filter(**lookup).delete()
