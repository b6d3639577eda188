from django.apps import AppConfig


class CompanyConfig(AppConfig):
    """Running a company: its members and their roles, creating companies, the demo ones.

    It builds on tenancy, access, audit, the API pipeline and the outbox (they know nothing
    of it), which is why these pages, resources and services are not in tenancy or access."""

    name = "kluis.company"
    label = "company"
    verbose_name = "Company administration"

    def ready(self) -> None:
        from kluis.access import visibility

        # Deactivation: the new state and how many sessions and tokens it ended.
        visibility.register(
            "tenancy.membership",
            {
                "is_active": visibility.PLAIN,
                "sessions_ended": visibility.PLAIN,
                "oauth_tokens_revoked": visibility.PLAIN,
            },
        )
