"""The transactional outbox: domain events written in the same transaction as the change.

Webhook delivery (a later issue) reads from here in the worker, so no change can exist
without its event and no event without its change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

# Kept by the API pipeline (kluis.api); importable from here as before.
from kluis.api.models import IdempotencyRecord as IdempotencyRecord
from kluis.tenancy.models import Tenant
from kluis.tenancy.querysets import TenantManager


class DomainEvent(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    # Thin payloads: identifiers and field names, never sensitive values.
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(auto_now_add=True)
    # The event's public id in webhooks (evt_...): random, so it tells nothing of how many
    # events other companies had.
    uid = models.CharField(max_length=40, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["tenant", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.name} {self.object_type}:{self.object_id}"


class ApiClient(models.Model):
    """A machine that calls the API for one company, with the scopes it was given."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list)
    created_by_label = models.CharField(max_length=254, blank=True)
    # The member who made it, and the member who answers for it now: its maker, or whom it
    # was handed to when its maker left the company (kluis/offboarding). Clients made
    # before these were kept name their maker by label only.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # HTTP Basic: a public id and a peppered HMAC digest of the secret (shown once).
    client_id = models.CharField(max_length=40, unique=True, null=True, blank=True)
    secret_digest = models.CharField(max_length=64, blank=True)
    # OAuth 2.0: the django-oauth-toolkit application that acts as this client.
    oauth_application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_client",
    )
    objects = TenantManager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["tenant", "created_at"])]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """A bearer key of a client. Only a peppered HMAC digest is stored; the prefix (the
    first 12 characters) identifies the key in lists and finds it on each request."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}…"


class OAuthConnection(models.Model):
    """A third-party app (an authorization-code OAuth application) that a member with
    `integrations.manage` connected for their company. The app then acts as `api_client`
    (the consented scopes, audited as that client) with the tokens issued to that member.
    One active connection per app and member, so a token always names one company."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    api_client = models.OneToOneField(
        ApiClient, on_delete=models.CASCADE, related_name="connection"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="oauth_connection_one_active_per_app_and_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.api_client.name} ({self.tenant_id})"


# Webhooks keep their tables in their own module, registered with this app.
from kluis.integrations.webhooks.models import (  # noqa: E402
    WebhookAttempt as WebhookAttempt,
)
from kluis.integrations.webhooks.models import (  # noqa: E402
    WebhookDelivery as WebhookDelivery,
)
from kluis.integrations.webhooks.models import (  # noqa: E402
    WebhookSubscription as WebhookSubscription,
)
