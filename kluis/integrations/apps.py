from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "kluis.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        """Declare what a viewer may see of API clients and keys (kluis.access.visibility):
        names, scopes, dates and ids, never a secret or token (none is ever recorded)."""
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
