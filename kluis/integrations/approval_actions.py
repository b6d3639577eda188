"""API credentials with a write scope under the two-person rule (kluis/approvals/).

When the company holds `api_credentials.write`, creating an API key, an HTTP Basic client
or an OAuth client whose scopes include any `…:write` scope is stored as a request (the
kind, name, scopes and expiry; no secret exists yet). A second person approves; applying
creates the credential through the same service as the approver (stamped with the
approval, and recorded as made for the requester) and hands its secret to the REQUESTER:
the secret is sealed into the request (vault) and shown once on
/integrations/credentials/<request id>/ to the requester only, then erased. The approver
never sees it. A request whose requester may no longer grant those scopes is stale."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.access.permissions import API_SCOPES
from kluis.approvals import registry
from kluis.approvals.models import ApprovalRequest, Status
from kluis.approvals.selectors import of_action
from kluis.approvals.services import PURPOSE, gate, sealed_part
from kluis.audit.services import record
from kluis.crypto import vault
from kluis.tenancy.models import Tenant

KEY = "api_credentials.write"
KINDS = {"api_key", "api_client", "oauth_client"}


def creator_label(actor: Actor) -> str:
    """Whom a credential is made for: the requester when applied after approval (the
    offboarding of the requester then finds it), else the actor."""
    stamp = actor.approval
    label = stamp.requested_by if stamp is not None and stamp.action == KEY else actor.label
    return label[:254]


def _grantable(actor: Actor, scopes: list[str]) -> list[str]:
    return sorted(s for s in scopes if all(can_for(actor, p) for p in API_SCOPES.get(s, ())))


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()


def hold_credentials(
    actor: Actor,
    tenant: Tenant,
    *,
    kind: str,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None = None,
) -> None:
    """Raise HeldForApproval for a credential with a write scope when the company holds
    them (never for the platform itself: the CLI, the tests' keys)."""
    if actor.is_system or not any(scope.endswith(":write") for scope in scopes):
        return
    gate(
        actor,
        KEY,
        tenant=tenant,
        target_label=name,
        payload={
            "kind": kind,
            "name": name,
            "scopes": scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        changes=[
            {"field": "kind", "label": _("Credential"), "old": None, "new": _kind_label(kind)},
            {"field": "name", "label": _("Name"), "old": None, "new": name},
            {"field": "scopes", "label": _("Scopes"), "old": None, "new": ", ".join(scopes)},
            {
                "field": "expires_at",
                "label": _("Expires"),
                "old": None,
                "new": expires_at.isoformat() if expires_at else _("never"),
            },
        ],
        fingerprint=_digest(_grantable(actor, scopes)),
    )


def _kind_label(kind: str) -> str:
    return {
        "api_key": _("API key"),
        "api_client": _("API client (HTTP Basic)"),
        "oauth_client": _("OAuth client"),
    }[kind]


def fingerprint(request: ApprovalRequest) -> str:
    membership = request.requested_by
    if membership is None or not membership.is_active:
        return ""
    return _digest(_grantable(Actor.for_member(membership), list(request.payload["scopes"])))


def apply(actor: Actor, request: ApprovalRequest) -> dict[str, Any]:
    """Create the credential as the approver (stamped) and seal its secret for the
    requester; the approver's answer names the credential, never its secret."""
    from kluis.integrations import services

    payload = request.payload
    kind, name, scopes = payload["kind"], payload["name"], list(payload["scopes"])
    if kind == "api_key":
        expires = payload.get("expires_at")
        key, plaintext = services.create_api_key(
            actor,
            request.tenant,
            name,
            scopes,
            expires_at=dt.datetime.fromisoformat(expires) if expires else None,
        )
        handover = {"key": plaintext}
        shown = {"prefix": key.prefix}
    elif kind == "api_client":
        client, secret = services.create_api_client(actor, request.tenant, name, scopes)
        handover = {"client_id": str(client.client_id), "secret": secret}
        shown = {"client_id": str(client.client_id)}
    else:
        client, client_id, secret = services.create_oauth_client(
            actor, request.tenant, name, scopes
        )
        handover = {"client_id": client_id, "secret": secret}
        shown = {"client_id": client_id}
    _seal_handover(request, {"kind": kind, **handover})
    return {"url": reverse("integrations:credential_secret", args=[request.pk]), **shown}


def _seal_handover(request: ApprovalRequest, handover: dict[str, Any] | None) -> None:
    """Keep (or, with None, erase) the secret in the request's sealed part."""
    secret = sealed_part(request)
    if handover is None:
        secret.pop("handover", None)
    else:
        secret["handover"] = handover
    token = vault.seal(request.tenant_id, PURPOSE, json.dumps(secret)) or ""
    ApprovalRequest.objects.for_tenant(request.tenant_id).filter(pk=request.pk).update(sealed=token)
    request.sealed = token


def approved_request(actor: Actor, pk: int) -> ApprovalRequest:
    """The request `pk` of this action in the actor's company (404 otherwise)."""
    return of_action(actor, pk, KEY)


def waiting_secret(actor: Actor, request: ApprovalRequest) -> bool:
    """Whether a secret waits for this actor (the requester) on this request."""
    return (
        actor.user_id is not None
        and actor.user_id == request.requested_by_user_id
        and request.status == Status.APPROVED
        and "handover" in sealed_part(request)
    )


def take_secret(actor: Actor, request: ApprovalRequest) -> dict[str, Any]:
    """Hand the secret to the requester once: returned, erased from the request, audited."""
    if actor.user_id is None or actor.user_id != request.requested_by_user_id:
        raise PermissionDenied(_("Only the person who asked for this credential sees it."))
    with transaction.atomic():
        current = (
            ApprovalRequest.objects.for_tenant(request.tenant_id)
            .select_for_update()
            .select_related("tenant")
            .get(pk=request.pk)
        )
        handover = sealed_part(current).get("handover")
        if current.status != Status.APPROVED or handover is None:
            raise PermissionDenied(_("This secret was shown already; it is not kept."))
        _seal_handover(current, None)
        record(
            actor,
            "api_credential.secret_handed_over",
            tenant=current.tenant,
            target=current,
            object_repr=str(current.payload.get("name", ""))[:200],
            changes={"kind": handover["kind"], "request": current.pk},
        )
    return dict(handover)


def register() -> None:
    from kluis.audit import sentences

    sentences.register_all(
        "integrations",
        {
            "api_credential.secret_handed_over": gettext_lazy(
                "%(actor)s received the secret of the approved credential %(object)s"
            ),
        },
    )
    registry.register(
        registry.ApprovalAction(
            key=KEY,
            label=gettext_lazy("Create API credentials with a write scope"),
            description=gettext_lazy(
                "API keys, API clients and OAuth clients that may change data; once "
                "approved, the person who asked sees the secret once."
            ),
            approve_permission="integrations.manage",
            apply=apply,
            fingerprint=fingerprint,
        )
    )
