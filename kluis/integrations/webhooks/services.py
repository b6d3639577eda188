"""Every change to webhook subscriptions: authorised (integrations.manage_webhooks; an API
client with scope webhooks:write manages only the subscriptions it made), validated,
written in one transaction with its audit event and domain event.

A new subscription, or one whose URL changed, is not active until the target answered its
`ping` with 2xx (sent by the worker). Its secret is shown once and stored sealed under the
company's key; rotating it keeps the old one signing for a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import diff, record
from kluis.crypto import vault
from kluis.integrations.events import emit
from kluis.integrations.webhooks import catalogue, reach, signing
from kluis.integrations.webhooks.delivery import kick, owed
from kluis.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kluis.integrations.webhooks.owners import SECRET_PURPOSE, owner_of
from kluis.integrations.webhooks.transport import RefusedTarget, check_url, resolve
from kluis.tenancy.models import Tenant

MANAGE = "integrations.manage_webhooks"
PENDING = WebhookDelivery.Status.PENDING
# What the audit log and the domain events show of a subscription (never its secret).
SHOWN = ("url", "event_types", "description", "enabled", "full_objects")
REPLAY_LIMIT = 10_000


def _may_manage(actor: Actor, tenant: Tenant, subscription: WebhookSubscription | None) -> None:
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant.pk):
        raise PermissionDenied(_("Not a member of this company."))
    authorize(actor, MANAGE)
    if (
        subscription is not None
        and actor.kind == "api_client"
        and (
            subscription.created_by_client_id != actor.api_client_id
            or subscription.owner_id is not None  # a member took it over (a new URL)
        )
    ):
        raise PermissionDenied(_("An API client manages only the subscriptions it made."))


def visible_subscriptions(actor: Actor) -> Any:
    """The subscriptions an actor may see: all of the company's for a member with the
    permission, only its own for an API client (not one a member took over by pointing
    it at a new URL: its deliveries carry that member's reading)."""
    subscriptions = WebhookSubscription.objects.for_actor(actor)
    if actor.kind == "api_client":
        subscriptions = subscriptions.filter(
            created_by_client_id=actor.api_client_id, owner__isnull=True
        )
    return subscriptions


def clean(
    data: dict[str, Any], errors: dict[str, list[str]], owner: Actor | None = None
) -> dict[str, Any]:
    """Validated fields of a subscription (those given); event types the owner may not
    read are refused (`owner`: the actor the subscription belongs to)."""
    cleaned: dict[str, Any] = {}
    if "url" in data:
        url = str(data["url"] or "").strip()
        try:
            if len(url) > 2000:
                raise RefusedTarget(_("The URL is longer than 2000 characters."))
            _scheme, host, port = check_url(url)
            resolve(host, port)
        except RefusedTarget as refused:
            errors["url"] = [str(refused)]
        cleaned["url"] = url
    if "event_types" in data:
        types = data["event_types"]
        if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
            errors["event_types"] = [_('Give a list of event types, or ["*"] for every event.')]
        else:
            unknown = catalogue.unknown_names(types)
            unreadable = [
                name
                for name in types
                if name not in unknown
                and name != catalogue.WILDCARD
                and owner is not None
                and not reach.may_read(owner, catalogue.get(name))  # type: ignore[arg-type]
            ]
            if unknown:
                errors["event_types"] = [
                    _("Unknown event types: %(names)s.") % {"names": ", ".join(unknown)}
                ]
            elif unreadable:
                errors["event_types"] = [
                    _(
                        "Not readable with this credential, so not sent to it: %(names)s "
                        "(a webhook tells only what its owner may read through the API)."
                    )
                    % {"names": ", ".join(unreadable)}
                ]
            cleaned["event_types"] = sorted(set(types))
    if "description" in data:
        description = str(data["description"] or "").strip()
        if len(description) > 200:
            errors["description"] = [_("At most 200 characters.")]
        cleaned["description"] = description
    for flag in ("enabled", "full_objects"):
        if flag in data:
            if not isinstance(data[flag], bool):
                errors[flag] = [_("Give true or false.")]
            cleaned[flag] = data[flag]
    return cleaned


def _shown(subscription: WebhookSubscription) -> dict[str, Any]:
    return {name: getattr(subscription, name) for name in SHOWN}


def create_subscription(
    actor: Actor, tenant: Tenant, data: dict[str, Any], *, api_base: str = ""
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its secret (shown once); a ping is queued to its URL."""
    _may_manage(actor, tenant, None)
    errors: dict[str, list[str]] = {}
    for required in ("url", "event_types"):
        if required not in data:
            errors[required] = [_("This field is required.")]
    cleaned = clean(data, errors, owner=actor)
    if errors:
        raise ValidationError(errors)
    secret = signing.new_secret()
    with transaction.atomic(durable=True):
        subscription = WebhookSubscription(
            tenant=tenant,
            url=cleaned["url"],
            event_types=cleaned["event_types"],
            description=cleaned.get("description", ""),
            enabled=cleaned.get("enabled", True),
            disabled_reason=""
            if cleaned.get("enabled", True)
            else WebhookSubscription.Disabled.BY_MEMBER,
            full_objects=cleaned.get("full_objects", False),
            api_base=api_base[:300],
            created_by_user_id=actor.user_id if actor.kind == "user" else None,
            created_by_client_id=actor.api_client_id,
            created_by_label=actor.label[:254],
            secret_sealed=vault.seal(tenant.pk, SECRET_PURPOSE, secret) or "",
        )
        subscription.save()
        record(
            actor,
            "webhook.created",
            tenant=tenant,
            target=subscription,
            changes=diff({}, _shown(subscription)),
        )
        emit("webhook.created", tenant=tenant, target=subscription)
        _queue_ping(subscription)
    return subscription, secret


def update_subscription(
    actor: Actor, subscription: WebhookSubscription, data: dict[str, Any]
) -> WebhookSubscription:
    """Change what is given; a new URL is verified again by a ping before it gets events.
    Enabling a subscription that was turned off delivers what is pending, in order."""
    _may_manage(actor, subscription.tenant, subscription)
    errors: dict[str, list[str]] = {}
    takes_over = "url" in data and _takes_over(actor, subscription)
    owner = (actor if takes_over else owner_of(subscription)) if "event_types" in data else None
    cleaned = clean(data, errors, owner=owner)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        current = (
            WebhookSubscription.objects.for_tenant(subscription.tenant_id)
            .select_for_update()
            .get(pk=subscription.pk)
        )
        before = _shown(current)
        changed = [name for name, value in cleaned.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, cleaned[name])
        if "enabled" in changed:
            current.disabled_reason = (
                "" if current.enabled else WebhookSubscription.Disabled.BY_MEMBER
            )
            current.failing_since = None
            current.paused_until = None
        handed: dict[str, Any] = {}
        if "url" in changed:
            current.verified_at = None
            if _takes_over(actor, current):
                was = owner_of(current)
                handed = {"owner": {"old": was.label if was else None, "new": actor.label}}
                current.owner_id = actor.user_id
        current.save()
        changes = diff(before, _shown(current)) | handed
        record(
            actor,
            "webhook.updated",
            tenant=current.tenant,
            target=current,
            changes=changes,
        )
        emit("webhook.updated", tenant=current.tenant, target=current, payload={"fields": changed})
        if "url" in changed:
            _queue_ping(current)
        elif "enabled" in changed and current.enabled:
            pk = current.pk
            transaction.on_commit(lambda: kick([pk]))
    return current


def _takes_over(actor: Actor, subscription: WebhookSubscription) -> bool:
    """A member who points someone else's subscription (another member's, an API client's)
    at a new URL makes it theirs: from then on it tells what they may read, not what its
    maker may (else a member could have another's reading sent to a URL of their own)."""
    if actor.kind != "user" or actor.user_id is None:
        return False
    answers_to = subscription.owner_id or (
        None if subscription.created_by_client_id else subscription.created_by_user_id
    )
    return answers_to != actor.user_id


def delete_subscription(actor: Actor, subscription: WebhookSubscription) -> None:
    """Unsubscribe: nothing more is sent, pending deliveries go with it."""
    _may_manage(actor, subscription.tenant, subscription)
    with transaction.atomic(durable=True):
        record(
            actor,
            "webhook.deleted",
            tenant=subscription.tenant,
            target=subscription,
            changes=diff(_shown(subscription), {}),
        )
        emit("webhook.deleted", tenant=subscription.tenant, target=subscription)
        subscription.delete()


def rotate_secret(actor: Actor, subscription: WebhookSubscription) -> str:
    """A new secret (returned, shown once); the old one signs too for a day."""
    _may_manage(actor, subscription.tenant, subscription)
    secret = signing.new_secret()
    with transaction.atomic(durable=True):
        current = (
            WebhookSubscription.objects.for_tenant(subscription.tenant_id)
            .select_for_update()
            .get(pk=subscription.pk)
        )
        current.previous_secret_sealed = current.secret_sealed
        current.previous_secret_expires_at = timezone.now() + dt.timedelta(
            seconds=settings.WEBHOOK_SECRET_OVERLAP_SECONDS
        )
        current.secret_sealed = vault.seal(current.tenant_id, SECRET_PURPOSE, secret) or ""
        current.save(
            update_fields=["secret_sealed", "previous_secret_sealed", "previous_secret_expires_at"]
        )
        record(
            actor,
            "webhook.secret_rotated",
            tenant=current.tenant,
            target=current,
            changes={"secret": {"old": "••••••", "new": "••••••"}},
        )
        emit(
            "webhook.updated", tenant=current.tenant, target=current, payload={"fields": ["secret"]}
        )
    subscription.previous_secret_expires_at = current.previous_secret_expires_at
    return secret


def send_ping(actor: Actor, subscription: WebhookSubscription) -> WebhookDelivery:
    """Ping the target again (to verify it after fixing the receiver)."""
    _may_manage(actor, subscription.tenant, subscription)
    with transaction.atomic(durable=True):
        record(actor, "webhook.pinged", tenant=subscription.tenant, target=subscription)
        return _queue_ping(subscription)


def _queue_ping(subscription: WebhookSubscription) -> WebhookDelivery:
    ping = WebhookDelivery.objects.create(
        tenant_id=subscription.tenant_id,
        subscription=subscription,
        message_id=signing.new_message_id(),
        event_type="ping",
        ordering_key=f"ping:{subscription.pk}",
        next_attempt_at=timezone.now(),
    )
    pk = subscription.pk
    transaction.on_commit(lambda: kick([pk]))
    return ping


def replay_delivery(actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again, with the same id and payload (or rebuilt when purged)."""
    subscription = delivery.subscription
    _may_manage(actor, subscription.tenant, subscription)
    with transaction.atomic(durable=True):
        current = (
            WebhookDelivery.objects.for_tenant(delivery.tenant_id)
            .select_for_update()
            .get(pk=delivery.pk)
        )
        current.status = PENDING
        current.attempts = 0
        current.next_attempt_at = timezone.now()
        current.finished_at = None
        current.save(update_fields=["status", "attempts", "next_attempt_at", "finished_at"])
        record(
            actor,
            "webhook.replayed",
            tenant=subscription.tenant,
            target=subscription,
            changes={"delivery": {"old": None, "new": current.message_id}},
        )
    kick([subscription.pk])
    return current


def replay_since(actor: Actor, subscription: WebhookSubscription, since: dt.datetime) -> int:
    """Send again every event since an instant that the subscription wants: those that
    failed, and those it was not sent at all (while it was off). Returns how many."""
    from kluis.integrations.models import DomainEvent

    _may_manage(actor, subscription.tenant, subscription)
    now = timezone.now()
    with transaction.atomic(durable=True):
        again = WebhookDelivery.objects.for_tenant(subscription.tenant_id).filter(
            subscription=subscription,
            status=WebhookDelivery.Status.FAILED,
            created_at__gte=since,
            event__isnull=False,
        )
        count = again.update(status=PENDING, attempts=0, next_attempt_at=now, finished_at=None)
        sent = WebhookDelivery.objects.filter(subscription=subscription, event__isnull=False)
        missing = (
            DomainEvent.objects.for_tenant(subscription.tenant_id)
            .filter(occurred_at__gte=since)
            .exclude(pk__in=sent.values("event_id"))
            .order_by("pk")
        )
        if catalogue.WILDCARD not in subscription.event_types:
            missing = missing.filter(name__in=subscription.event_types)
        else:
            missing = missing.filter(name__in=[e.name for e in catalogue.event_types()])
        new = [
            owed(subscription.pk, event, now) for event in missing[: max(0, REPLAY_LIMIT - count)]
        ]
        WebhookDelivery.objects.bulk_create(new)
        record(
            actor,
            "webhook.replayed",
            tenant=subscription.tenant,
            target=subscription,
            changes={"since": {"old": None, "new": since.isoformat()}},
        )
    kick([subscription.pk])
    return count + len(new)


def turned_off_by_delivery(subscription: WebhookSubscription, reason: str) -> None:
    """The worker turns a subscription off (410 Gone, failing for days, owner gone); the
    company's webhook admins are told by e-mail and see a banner."""
    actor = Actor.system("webhook delivery", tenant=subscription.tenant)
    with transaction.atomic():
        changed = (
            WebhookSubscription.objects.for_tenant(subscription.tenant_id)
            .filter(pk=subscription.pk, enabled=True)
            .update(enabled=False, disabled_reason=reason, paused_until=None)
        )
        if not changed:
            return
        subscription.enabled = False
        subscription.disabled_reason = reason
        record(
            actor,
            "webhook.disabled",
            tenant=subscription.tenant,
            target=subscription,
            changes={"enabled": {"old": True, "new": False}, "reason": {"old": "", "new": reason}},
        )
        emit(
            "webhook.updated",
            tenant=subscription.tenant,
            target=subscription,
            payload={"fields": ["enabled"]},
        )
        pk = subscription.pk
        from kluis.integrations.webhooks.notices import tell_admins_turned_off

        transaction.on_commit(lambda: tell_admins_turned_off.enqueue(pk))
