from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "kluis.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        """Declare what a viewer may see of API clients and keys (kluis.access.visibility):
        names, scopes, dates and ids, never a secret or token (none is ever recorded)."""
        _register_audit_sentences()  # helper auditorg
        from kluis.integrations import approval_actions

        approval_actions.register()  # the two-person rule: credentials with a write scope
        from kluis.access import visibility

        fields = {
            "name": visibility.PLAIN,
            "scopes": visibility.PLAIN,
            "client_id": visibility.PLAIN,
            "prefix": visibility.PLAIN,
            "expires_at": visibility.PLAIN,
            "revoked_at": visibility.PLAIN,
            "app": visibility.PLAIN,
            # what a connection to a third-party app connected: its kind and redirect URIs
            "client_type": visibility.PLAIN,
            "redirect_uris": visibility.PLAIN,
            # OAuth token events: the grant, the token rows' ids and expiry, never a token
            "grant_type": visibility.PLAIN,
            "access_token": visibility.PLAIN,
            "refresh_token": visibility.PLAIN,
            "expires": visibility.PLAIN,
        }
        visibility.register("integrations.apiclient", fields)
        visibility.register("integrations.apikey", fields)
        visibility.register(
            "integrations.webhooksubscription",
            {
                name: visibility.PLAIN
                for name in ("url", "event_types", "description", "enabled", "full_objects")
            }
            | {
                "secret": visibility.PLAIN,
                "delivery": visibility.PLAIN,
                "since": visibility.PLAIN,
                "reason": visibility.PLAIN,
            },
        )
        self._schedule()
        from kluis.integrations import event_types

        event_types.register_all()
        from kluis.integrations import approval_events

        approval_events.register_all()

    def _schedule(self) -> None:
        """The worker's scheduled work: webhooks due and nobody sends, subscriptions failing
        for days, payloads past retention; stored POST answers past their replay window."""
        from django.conf import settings

        from kluis.operations import schedule

        schedule.register(
            "webhooks.sweep",
            settings.WEBHOOK_SWEEP_SECONDS,
            "kluis.integrations.webhooks.maintenance.sweep_webhooks",
        )
        schedule.register(
            "api.idempotency_purge", 3600, "kluis.integrations.tasks.purge_idempotency"
        )


# --- audit sentences (helper auditorg) ---------------------------------------------------
def _register_audit_sentences() -> None:
    """The audit log's sentences for API clients, keys, connected apps and webhooks."""
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences

    sentences.register_all(
        "integrations",
        {
            "api_key.created": _("%(actor)s created the API key %(object)s"),
            "api_key.revoked": _("%(actor)s revoked the API key %(object)s"),
            "api_client.created": _("%(actor)s created the API client %(object)s"),
            "api_client.revoked": _("%(actor)s revoked the API client %(object)s"),
            "api_client.secret_blocked": _(
                "%(actor)s blocked the API client %(object)s after wrong secrets"
            ),
            "api_client.secret_unblocked": _("%(actor)s unblocked the API client %(object)s"),
            "oauth_client.created": _("%(actor)s registered the app %(object)s"),
            "oauth_connection.created": _("%(actor)s connected the app %(object)s"),
            "oauth_connection.updated": _("%(actor)s changed the connection of %(object)s"),
            "oauth_connection.revoked": _("%(actor)s disconnected the app %(object)s"),
            "oauth_token.issued": _("%(object)s received an access token"),
            "oauth_token.refreshed": _("%(object)s refreshed its access token"),
            "oauth_token.revoked": _("%(actor)s revoked a token of %(object)s"),
            "webhook.created": _("%(actor)s created the webhook %(object)s"),
            "webhook.updated": (
                _("%(actor)s changed the webhook %(object)s"),
                _("%(actor)s changed %(fields)s of the webhook %(object)s"),
            ),
            "webhook.deleted": _("%(actor)s deleted the webhook %(object)s"),
            "webhook.disabled": _("%(actor)s turned off the webhook %(object)s"),
            "webhook.pinged": _("%(actor)s sent a test delivery to %(object)s"),
            "webhook.replayed": _("%(actor)s sent deliveries to %(object)s again"),
            "webhook.secret_rotated": _("%(actor)s replaced the secret of the webhook %(object)s"),
        },
    )
    sentences.field_labels(
        "integrations.webhooksubscription",
        {
            "url": _("Address"),
            "event_types": _("Events"),
            "description": _("Description"),
            "enabled": _("Enabled"),
            "full_objects": _("Full objects"),
        },
    )


# --- end of audit sentences (helper auditorg) ---------------------------------------------
