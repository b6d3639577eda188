"""Notices that lower apps announce by registration, put in the inbox here: a sign-in from
a new browser (in the person's inbox of every company they belong to; the e-mail is
identity's own, sent once to the account: kluis/identity/signins.py) and a webhook turned
off (in its company's webhook admins' inboxes; integrations e-mails them). Their kinds are
always e-mailed, by those apps, so they are never e-mailed from here."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kluis.company.notices import notify
from kluis.identity.devices import describe_agent
from kluis.identity.models import User
from kluis.integrations.webhooks.models import WebhookSubscription
from kluis.tenancy.models import Membership
from kluis.tenancy.rls import unnarrowed
from kluis.tenancy.selectors import memberships_of_user


def new_device_seen(user: User, ip: str, agent: str, at: dt.datetime) -> None:
    def compose() -> tuple[str, str]:
        title = _("A sign-in from a new browser")
        body = _(
            "When: %(at)s. Address: %(ip)s. Browser: %(agent)s. If this was not you, "
            "change your password now and sign out the other sessions."
        ) % {
            "at": date_format(timezone.localtime(at), "DATETIME_FORMAT"),
            "ip": ip or "?",
            "agent": describe_agent(agent) or "?",
        }
        return title, body

    with unnarrowed():  # the person's every company, before any is chosen
        members = list(memberships_of_user(user.pk).select_related("user"))
        notify(
            members,
            topic="security.new_device",
            compose=compose,
            url=reverse("usersessions_list"),
            mail=False,
        )


def webhook_turned_off(subscription: WebhookSubscription, members: list[Membership]) -> None:
    def compose() -> tuple[str, str]:
        title = _("A webhook was turned off: %(url)s") % {"url": subscription.url}
        body = _(
            "Its events are kept: fix the receiver, then turn the webhook on again to "
            "deliver what is pending."
        )
        return title, body

    notify(
        members,
        topic="webhooks.turned_off",
        compose=compose,
        url=reverse("integrations:webhook", args=[subscription.pk]),
        mail=False,
    )
