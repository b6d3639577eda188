from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from kluis.identity.models import User
    from kluis.tenancy.models import Tenant


class CompanyConfig(AppConfig):
    """Running a company: its members and their roles, creating companies, the demo ones.

    It builds on tenancy, access, audit, the API pipeline and the outbox (they know nothing
    of it), which is why these pages, resources and services are not in tenancy or access."""

    name = "kluis.company"
    label = "company"
    verbose_name = "Company administration"

    def ready(self) -> None:
        _register_audit_sentences()  # helper auditorg
        from kluis.company import events

        events.register_all()
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
        from kluis.identity.sso import provisioning

        provisioning.register(_add_member_from_sso)
        _inbox()
        from kluis.company import approval_actions, notices_approvals

        approval_actions.register()  # the two-person rule: privileged role grants
        approval_actions.register_mfa_reset()  # and resetting someone's MFA
        notices_approvals.register()


def _inbox() -> None:
    """The inbox's own kinds (security), its daily digest job, its quiet outbox event."""
    from django.utils.translation import gettext_lazy as _

    from kluis.access import visibility
    from kluis.company.models import Delivery
    from kluis.company.notices_kinds import PREFERENCE_OBJECT, register_kind
    from kluis.company.notices_preferences import DIGEST_HOUR_KEY, EVENT
    from kluis.integrations.webhooks.catalogue import keep_quiet
    from kluis.operations import schedule

    keep_quiet(EVENT)
    # The hour of one's daily digest shows in the audit log like the kinds' choices.
    visibility.register(PREFERENCE_OBJECT, {DIGEST_HOUR_KEY: visibility.PLAIN})
    # Hourly: each member's digest once a day, at their hour (notices_delivery.py).
    schedule.register(
        "company.notice-digest", 3600, "kluis.company.notices_delivery.send_daily_digest"
    )
    security = _("Security")
    register_kind(
        "security.mfa_reset",
        _("Your two-factor authentication was reset"),
        _("An administrator removed your authenticator app, passkeys and recovery codes."),
        default_delivery=Delivery.EMAIL,
        email_always=True,
        group=security,
    )
    register_kind(
        "security.new_device",
        _("A sign-in from a new browser"),
        _("Your account was signed in to from a browser it had not seen before."),
        default_delivery=Delivery.EMAIL,
        email_always=True,
        group=security,
    )
    register_kind(
        "webhooks.turned_off",
        _("A webhook was turned off"),
        _("A webhook of the company stopped delivering (failing, gone, or its owner left)."),
        default_delivery=Delivery.EMAIL,
        email_always=True,
        group=_("Integrations"),
        audience=("integrations.manage_webhooks", "integrations.manage"),
    )
    from kluis.company.notices_security import new_device_seen, webhook_turned_off
    from kluis.identity.signins import on_new_device
    from kluis.integrations.webhooks.notices import on_turned_off

    on_new_device(new_device_seen)
    on_turned_off(webhook_turned_off)


def _add_member_from_sso(tenant: Tenant, email: str, first_name: str, last_name: str) -> User:
    """Just-in-time creation at a first single sign-on (when the company allows it): a
    member with no role, added by the system on the company's behalf."""
    from kluis.access.actor import Actor
    from kluis.company.services.members import add_member

    membership = add_member(
        Actor.system("single sign-on", tenant),
        tenant,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    user: User = membership.user
    return user


# --- audit sentences (helper auditorg) ---------------------------------------------------
def _register_audit_sentences() -> None:
    """The audit log's sentences for members, roles and companies (kluis.audit.sentences)."""
    from django.utils.translation import gettext_lazy as _

    from kluis.access.permissions import CATALOGUE
    from kluis.audit import sentences

    sentences.register_all(
        "members",
        {
            "membership.created": _("%(actor)s gave %(object)s access to the company"),
            "membership.deactivated": _("%(actor)s deactivated the access of %(object)s"),
            "membership.reactivated": _("%(actor)s reactivated the access of %(object)s"),
            "mfa.reset": _("%(actor)s reset the two-factor authentication of %(object)s"),
        },
    )
    sentences.register_all(
        "roles",
        {
            "role.created": _("%(actor)s created the role %(object)s"),
            "role.updated": (
                _("%(actor)s changed the role %(object)s"),
                _("%(actor)s changed %(fields)s of the role %(object)s"),
            ),
            "role.deleted": _("%(actor)s deleted the role %(object)s"),
            "role.granted": _("%(actor)s gave %(object)s a role"),
            "role.revoked": _("%(actor)s took a role from %(object)s"),
        },
    )
    sentences.register("tenant.created", "company", _("%(actor)s created the company %(object)s"))
    sentences.register(
        "notice_preferences.changed", "members", _("%(actor)s chose how they are told of news")
    )
    sentences.field_labels(
        "access.role",
        {"name": _("Name"), "description": _("Description"), "permissions": _("Permissions")}
        | {code: code for code in CATALOGUE},
    )


# --- end of audit sentences (helper auditorg) ---------------------------------------------
