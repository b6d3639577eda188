"""A webhook's page shows what was sent to a real receiver on loopback: the state (waiting,
active, failing, turned off), each delivery with its attempts, replays; the watcher
redraws only on change; the banner tells the company's webhook admins of trouble."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from kluis.integrations.views_webhooks import WATCH_POLLS
from kluis.integrations.webhooks.delivery import drain
from kluis.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kluis.integrations.webhooks.services import (
    create_subscription,
    send_ping,
    turned_off_by_delivery,
)
from kluis.people.models import Employee
from kluis.people.services import update_employee
from tests.conftest import actor_for

pytestmark = pytest.mark.django_db
LIST = "/integrations/webhooks/"


def subscribe(demo: Any, receiver: Any, description: str = "Payroll") -> WebhookSubscription:
    subscription, _secret = create_subscription(
        actor_for("hr@demo-bv.test"),
        demo["demo-bv"],
        {"url": receiver.url, "event_types": ["employee.updated"], "description": description},
        api_base="https://kluis.test",
    )
    return subscription


def change_an_employee(demo: Any, name: str = "Chiefina") -> Employee:
    employee = Employee.objects.for_tenant(demo["demo-bv"]).order_by("pk").first()
    assert employee is not None
    update_employee(
        actor_for("hr@demo-bv.test"),
        employee,
        {"first_name": name},
        expected_version=employee.version,
    )
    return employee


def state(html: str) -> str:
    found = re.search(r'data-testid="webhook-state" data-state="(\w+)">([^<]*)<', html)
    assert found is not None, html
    return f"{found.group(1)}: {found.group(2).strip()}"


def test_the_ping_makes_it_active_and_a_change_shows_with_its_attempt(demo, login, receiver):
    subscription = subscribe(demo, receiver)
    client = login("hr@demo-bv.test")
    page = f"{LIST}{subscription.pk}/"
    assert state(client.get(page).content.decode()) == "waiting: Waiting for ping"
    drain(subscription.pk)
    html = client.get(page).content.decode()
    assert state(html) == "active: Active"
    assert state(client.get(LIST).content.decode()) == "active: Active"

    change_an_employee(demo)
    drain(subscription.pk)
    [got] = receiver.wait_for(1)
    html = client.get(page).content.decode()
    rows = re.findall(
        r'data-testid="delivery" data-event-type="([\w.]+)" data-message-id="(\w+)"', html
    )
    assert rows == [("employee.updated", got.headers["webhook-id"]), ("ping", rows[1][1])]
    assert "1 attempt<" in html and "HTTP 200" in html and "ok</pre>" in html


def test_replaying_a_delivery_sends_it_again_with_the_same_id(demo, login, receiver):
    subscription = subscribe(demo, receiver)
    drain(subscription.pk)
    change_an_employee(demo)
    drain(subscription.pk)
    [first] = receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get(message_id=first.headers["webhook-id"])
    client = login("hr@demo-bv.test")
    response = client.post(f"{LIST}{subscription.pk}/deliveries/{delivery.pk}/replay/", follow=True)
    assert "is sent again, with the same webhook-id" in response.content.decode()
    drain(subscription.pk)
    _first, second = receiver.wait_for(2)
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert second.body == first.body
    html = client.get(f"{LIST}{subscription.pk}/").content.decode()
    assert "2 attempts<" in html


def test_a_failing_receiver_shows_failing_since_and_the_error(demo, login, receiver):
    subscription = subscribe(demo, receiver)
    drain(subscription.pk)
    receiver.answer = lambda r: (500, {}, b"database is down")
    change_an_employee(demo)
    drain(subscription.pk)
    client = login("hr@demo-bv.test")
    html = client.get(f"{LIST}{subscription.pk}/").content.decode()
    assert state(html).startswith("failing: Failing since")
    assert "HTTP 500" in html and "database is down</pre>" in html
    assert "tried again later" in html and "next attempt at" in html


def test_replay_since_sends_the_failed_again(demo, login, receiver):
    subscription = subscribe(demo, receiver)
    drain(subscription.pk)
    receiver.answer = lambda r: (400, {}, b"no")  # final: failed at once
    change_an_employee(demo)
    drain(subscription.pk)
    receiver.answer = lambda r: (200, {}, b"ok")
    client = login("hr@demo-bv.test")
    since = timezone.localtime() - dt.timedelta(minutes=5)
    response = client.post(
        f"{LIST}{subscription.pk}/replay/",
        {"since": since.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    assert "1 event is sent again." in response.content.decode()
    drain(subscription.pk)
    assert (
        WebhookDelivery.objects.get(subscription=subscription, event_type="employee.updated").status
        == "delivered"
    )


def test_replay_since_refuses_a_moment_in_the_future_and_sends_nothing(demo, login, receiver):
    subscription = subscribe(demo, receiver)
    client = login("hr@demo-bv.test")
    later = timezone.localtime() + dt.timedelta(days=1)
    response = client.post(
        f"{LIST}{subscription.pk}/replay/", {"since": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 200
    assert "Choose a moment in the past." in response.content.decode()
    assert subscription.deliveries.count() == 1  # its ping only


def test_the_watcher_redraws_only_when_something_changed_and_stops(demo, login, receiver):
    subscription = subscribe(demo, receiver)
    client = login("hr@demo-bv.test")
    page = client.get(f"{LIST}{subscription.pk}/")
    seen = page.context["fingerprint"]
    watch = f"{LIST}{subscription.pk}/watch/"
    quiet = client.get(watch, {"seen": seen, "polls": 1}, HTTP_HX_REQUEST="true")
    assert quiet.status_code == 200
    assert "hx-swap-oob" not in quiet.content.decode()
    assert "polls=2" in quiet.content.decode()
    drain(subscription.pk)  # the ping is answered
    news = client.get(watch, {"seen": seen, "polls": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert news.count('hx-swap-oob="true"') == 2
    assert state(news) == "active: Active" and "HTTP 200" in news
    done = client.get(watch, {"seen": seen, "polls": WATCH_POLLS}).content.decode()
    assert "hx-trigger" not in done and "Updating stopped" in done


def test_the_banner_tells_webhook_admins_of_a_webhook_turned_off(demo, login, receiver):
    subscription = subscribe(demo, receiver, description="IT provisioning")
    hr = login("hr@demo-bv.test")
    assert 'data-testid="webhook-banner"' not in hr.get("/").content.decode()
    turned_off_by_delivery(subscription, WebhookSubscription.Disabled.GONE)
    html = hr.get("/").content.decode()
    assert 'data-testid="webhook-banner"' in html
    assert "IT provisioning” was turned off: the receiver answered 410 Gone" in html
    assert "Turned off (the receiver answered 410 Gone)" in hr.get(LIST).content.decode()
    for email in ("manager@demo-bv.test", "owner@other-nv.test"):
        assert 'data-testid="webhook-banner"' not in login(email).get("/").content.decode()
    # Turned on again: the banner is gone.
    hr = login("hr@demo-bv.test")
    hr.post(f"{LIST}{subscription.pk}/turn/", {"enabled": "on"})
    assert 'data-testid="webhook-banner"' not in hr.get("/").content.decode()


def test_the_banner_names_a_webhook_failing_for_over_an_hour(demo, login, receiver):
    subscription = subscribe(demo, receiver)
    drain(subscription.pk)
    receiver.answer = lambda r: (503, {}, b"")
    change_an_employee(demo)
    drain(subscription.pk)
    hr = login("hr@demo-bv.test")
    assert 'data-testid="webhook-banner"' not in hr.get("/").content.decode()  # just now
    an_hour_ago = timezone.now() - dt.timedelta(hours=1, minutes=1)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=an_hour_ago)
    assert "“Payroll” has been failing since" in hr.get("/").content.decode()


def test_older_deliveries_are_a_page_further(demo, login, receiver):
    subscription = subscribe(demo, receiver)
    hr = actor_for("hr@demo-bv.test")
    for _ in range(26):
        send_ping(hr, subscription)
    client = login("hr@demo-bv.test")
    first = client.get(f"{LIST}{subscription.pk}/")
    assert len(first.context["deliveries"]) == 25
    older = first.context["older"]
    assert f'href="?before={older}"' in first.content.decode()
    rest = client.get(f"{LIST}{subscription.pk}/", {"before": older})
    assert len(rest.context["deliveries"]) == 2
    assert rest.context["older"] is None
    shown = [d.pk for d in first.context["deliveries"]] + [d.pk for d in rest.context["deliveries"]]
    assert shown == list(subscription.deliveries.order_by("-pk").values_list("pk", flat=True))
