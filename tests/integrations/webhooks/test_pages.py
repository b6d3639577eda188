"""Settings > Webhooks through Django's test client on the real database: making a webhook
(its secret shown once), bad input shown and nothing changed, who may see the pages, and
another company's webhook is a 404 behind every URL."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.urls import reverse

from kluis.audit.models import AuditEvent
from kluis.integrations.webhooks.models import WebhookSubscription
from kluis.integrations.webhooks.owners import secrets_of
from kluis.integrations.webhooks.services import create_subscription
from tests.conftest import actor_for

pytestmark = pytest.mark.django_db
LIST = "/integrations/webhooks/"
NEW = "/integrations/webhooks/new/"


def once(client: Any, path: str = NEW) -> str:
    """The one-time token of a create form, as a browser gets it."""
    token: str = client.get(path).context["once"]
    return token


def new_form(client: Any, url: str, **extra: Any) -> dict[str, Any]:
    return {
        "url": url,
        "description": "Payroll sync",
        "event_types": ["employee.updated", "employee.created"],
        "once": once(client),
        **extra,
    }


def make(demo: Any, url: str) -> WebhookSubscription:
    subscription, _secret = create_subscription(
        actor_for("owner@demo-bv.test"),
        demo["demo-bv"],
        {"url": url, "event_types": ["*"], "description": "Made by the owner"},
        api_base="https://kluis.test",
    )
    return subscription


def test_hr_admin_makes_a_webhook_and_its_secret_is_shown_once(demo, login, receiver):
    client = login("hr@demo-bv.test")
    form = new_form(client, receiver.url, full_objects="on")
    response = client.post(NEW, form)
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get(description="Payroll sync")
    assert subscription.tenant == demo["demo-bv"]
    assert subscription.event_types == ["employee.created", "employee.updated"]
    assert subscription.full_objects is True
    html = response.content.decode()
    shown = re.search(r'data-testid="webhook-secret">(whsec_[^<]+)<', html)
    assert shown is not None, html
    secret = shown.group(1)
    assert secrets_of(subscription) == [secret]
    assert "Waiting for ping" in html and "shown only once" in html

    detail = client.get(f"{LIST}{subscription.pk}/").content.decode()
    listing = client.get(LIST).content.decode()
    assert secret not in detail and secret not in listing
    assert receiver.url in listing and "Waiting for ping" in listing

    # The browser's reload sends the used form again: nothing new is made or shown.
    again = client.post(NEW, form, follow=True)
    assert "sent already" in again.content.decode()
    assert secret not in again.content.decode()
    assert WebhookSubscription.objects.filter(description="Payroll sync").count() == 1


def test_all_events_subscribes_to_every_event(demo, login, receiver):
    client = login("owner@demo-bv.test")
    response = client.post(NEW, new_form(client, receiver.url, event_types=[], all_events="on"))
    assert response.status_code == 200
    assert WebhookSubscription.objects.get(description="Payroll sync").event_types == ["*"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"url": "ftp://hooks.example.com/x"}, "url", "https://"),
        ({"event_types": []}, "event_types", "Choose at least one event"),
        ({"event_types": ["employee.exploded"]}, "event_types", "valid choice"),
        ({"description": "x" * 201}, "description", "at most 200"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_made(
    demo, login, receiver, changes, field, message
):
    client = login("hr@demo-bv.test")
    events = AuditEvent.objects.count()
    response = client.post(NEW, {**new_form(client, receiver.url), **changes})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field], form.errors
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert "Nothing was saved" in response.content.decode()
    assert not WebhookSubscription.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_loopback_url_is_refused_when_private_targets_are_off(demo, login, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    client = login("hr@demo-bv.test")
    response = client.post(NEW, new_form(client, "http://127.0.0.1:8000/hook"))
    assert list(response.context["form"].errors) == ["url"]
    assert "Nothing was saved" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_an_edit_with_a_refused_url_changes_nothing(demo, login, receiver, settings):
    subscription = make(demo, receiver.url)
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    client = login("hr@demo-bv.test")
    response = client.post(
        f"{LIST}{subscription.pk}/edit/",
        {"url": "http://10.0.0.5/hook", "description": "Changed", "all_events": "on"},
    )
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    subscription.refresh_from_db()
    assert subscription.url == receiver.url
    assert subscription.description == "Made by the owner"


def test_an_edit_saves_and_a_new_url_waits_for_its_ping(demo, login, receiver):
    subscription = make(demo, receiver.url.replace("/hooks/kluis", "/old"))
    client = login("hr@demo-bv.test")
    edit = client.get(f"{LIST}{subscription.pk}/edit/")
    assert edit.context["form"].initial["all_events"] is True
    response = client.post(
        f"{LIST}{subscription.pk}/edit/",
        {"url": receiver.url, "description": "Payroll", "event_types": ["team.created"]},
        follow=True,
    )
    html = response.content.decode()
    assert "A ping was sent to the new URL" in html and "Waiting for ping" in html
    subscription.refresh_from_db()
    assert (subscription.url, subscription.description) == (receiver.url, "Payroll")
    assert subscription.event_types == ["team.created"]
    assert subscription.deliveries.filter(event_type="ping").count() == 2


def test_a_manager_and_an_employee_get_403_and_no_menu_entry(demo, login, receiver):
    subscription = make(demo, receiver.url)
    for email in ("manager@demo-bv.test", "member1@demo-bv.test"):
        client = login(email)
        for path in (LIST, NEW, f"{LIST}{subscription.pk}/", f"{LIST}{subscription.pk}/edit/"):
            assert client.get(path).status_code == 403, (email, path)
        assert client.post(f"{LIST}{subscription.pk}/turn/", {"enabled": "off"}).status_code == 403
        assert f'href="{LIST}"' not in client.get("/").content.decode()
    subscription.refresh_from_db()
    assert subscription.enabled
    hr = login("hr@demo-bv.test")
    assert f'href="{LIST}"' in hr.get("/").content.decode()


def test_another_companys_webhook_is_a_404_behind_every_url(demo, login, receiver):
    subscription = make(demo, receiver.url)
    delivery = subscription.deliveries.get()  # its ping
    base = f"{LIST}{subscription.pk}"
    client = login("owner@other-nv.test")
    for path in (f"{base}/", f"{base}/watch/", f"{base}/edit/", f"{base}/delete/"):
        assert client.get(path).status_code == 404, path
    posts = {
        f"{base}/edit/": {"url": "https://evil.example.com/", "all_events": "on"},
        f"{base}/turn/": {"enabled": "off"},
        f"{base}/ping/": {},
        f"{base}/rotate/": {"once": once(client), "confirmed": "1"},
        f"{base}/delete/": {},
        f"{base}/replay/": {"since": "2020-01-01T00:00"},
        f"{base}/deliveries/{delivery.pk}/replay/": {},
    }
    for path, data in posts.items():
        assert client.post(path, data).status_code == 404, path
    assert subscription.pk not in [s.pk for s in client.get(LIST).context["subscriptions"]]
    after = WebhookSubscription.objects.get(pk=subscription.pk)
    assert (after.url, after.enabled, after.secret_sealed) == (
        subscription.url,
        True,
        subscription.secret_sealed,
    )
    assert subscription.deliveries.count() == 1


def test_turning_off_and_on_shows_the_state(demo, login, receiver):
    subscription = make(demo, receiver.url)
    client = login("hr@demo-bv.test")
    off = client.post(f"{LIST}{subscription.pk}/turn/", {"enabled": "off"}, follow=True)
    assert "Turned off (by a member)" in off.content.decode()
    assert not WebhookSubscription.objects.get(pk=subscription.pk).enabled
    on = client.post(f"{LIST}{subscription.pk}/turn/", {"enabled": "on"}, follow=True)
    assert "Waiting for ping" in on.content.decode()
    assert WebhookSubscription.objects.get(pk=subscription.pk).enabled


def test_rotating_shows_the_new_secret_once_and_says_the_old_one_lasts_a_day(demo, login, receiver):
    subscription = make(demo, receiver.url)
    old = secrets_of(subscription)
    client = login("hr@demo-bv.test")
    token = once(client, f"{LIST}{subscription.pk}/")
    # First the question: nothing changes until it is confirmed.
    asked = client.post(f"{LIST}{subscription.pk}/rotate/", {"once": token})
    assert asked.status_code == 200 and "Rotate the signing secret" in asked.content.decode()
    assert 'name="confirmed" value="1"' in asked.content.decode()
    subscription.refresh_from_db()
    assert secrets_of(subscription) == old
    response = client.post(f"{LIST}{subscription.pk}/rotate/", {"once": token, "confirmed": "1"})
    html = response.content.decode()
    shown = re.search(r'data-testid="webhook-secret">(whsec_[^<]+)<', html)
    assert shown is not None
    assert "stays valid for 24 hours" in html
    subscription.refresh_from_db()
    assert secrets_of(subscription) == [shown.group(1), *old]
    # Sent again (reload): refused, no third secret.
    again = client.post(
        f"{LIST}{subscription.pk}/rotate/", {"once": token, "confirmed": "1"}, follow=True
    )
    assert "sent already" in again.content.decode()
    subscription.refresh_from_db()
    assert secrets_of(subscription) == [shown.group(1), *old]


def test_deleting_asks_first_then_deletes(demo, login, receiver):
    subscription = make(demo, receiver.url)
    client = login("hr@demo-bv.test")
    confirm = client.get(f"{LIST}{subscription.pk}/delete/")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists()
    done = client.post(f"{LIST}{subscription.pk}/delete/", follow=True)
    assert "was deleted" in done.content.decode()
    assert not WebhookSubscription.objects.filter(pk=subscription.pk).exists()


def test_making_a_webhook_asks_for_the_password_again_after_ten_minutes(demo, login, receiver):
    client = login("hr@demo-bv.test")
    form = new_form(client, receiver.url)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": time.time() - 3600}
        for record in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()
    response = client.post(NEW, form)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not WebhookSubscription.objects.exists()
