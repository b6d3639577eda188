"""E-mail subscription with double opt-in: confirm, then mail for every update with an
unsubscribe link; rate-limited; the answer never tells whether an address is known."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from kluis.cli import main
from kluis.status.models import Incident, Subscriber
from tests.status.helpers import run_queued

pytestmark = pytest.mark.django_db
ADDRESS = "reader@example.test"


@pytest.fixture(autouse=True)
def _committed(monkeypatch):
    """The test's transaction never commits: what waits for the commit (queueing the mail
    tasks) runs at once."""
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def _subscribe(client: Client, address: str = ADDRESS) -> str:
    response = client.post("/status/subscribe", {"email": address})
    assert response.status_code == 200
    return response.content.decode()


def _link(message: mail.EmailMessage, kind: str) -> str:
    found = re.search(rf"https?://[^\s]+(/status/{kind}/[^\s]+)", message.body)
    assert found, message.body
    return found.group(1)


def test_double_opt_in_then_mail_for_each_update_then_unsubscribe(demo, client):
    page = _subscribe(client)
    assert "Check your mail" in page
    subscriber = Subscriber.objects.get(email=ADDRESS)
    assert subscriber.confirmed_at is None
    assert run_queued("send_confirmation") == 1
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    confirm = _link(mail.outbox[0], "confirm")

    # Not confirmed yet: an incident mails nobody.
    main(["status", "incident", "open", "--title", "Outage", "--message", "Down.",
          "--components", "web"])  # fmt: skip
    assert run_queued("mail_update") == 1
    assert len(mail.outbox) == 1

    assert client.get(confirm).status_code == 200  # asks; a mail scanner confirms nothing
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    assert "Subscribed" in client.post(confirm).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None

    incident = Incident.objects.get(title="Outage")
    main(["status", "incident", "resolve", str(incident.pk), "--message", "Back up."])
    assert run_queued("mail_update") == 1
    update = mail.outbox[-1]
    assert update.to == [ADDRESS]
    assert "Outage" in update.subject and "Back up." in update.body
    unsubscribe = _link(update, "unsubscribe")
    assert update.extra_headers["List-Unsubscribe"].endswith(unsubscribe + ">")
    assert update.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # One click (RFC 8058): a POST without a CSRF token.
    one_click = Client(enforce_csrf_checks=True)
    assert one_click.post(unsubscribe).status_code == 200
    assert not Subscriber.objects.filter(email=ADDRESS).exists()


def test_the_answer_is_the_same_for_a_known_address(demo, client):
    first = _subscribe(client)
    run_queued("send_confirmation")
    Subscriber.objects.filter(email=ADDRESS).update(confirmed_at="2026-01-01T00:00:00Z")
    second = _subscribe(client, ADDRESS.upper())
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", first) == strip.sub("", second)
    assert Subscriber.objects.filter(email=ADDRESS).count() == 1
    run_queued("send_confirmation")
    assert "subscribed already" in mail.outbox[-1].body  # told by mail, not on the page


def test_a_forged_or_changed_link_does_nothing(demo, client):
    _subscribe(client)
    run_queued("send_confirmation")
    confirm = _link(mail.outbox[0], "confirm")
    assert client.post(confirm[:-3] + "xyz").status_code == 400
    assert Subscriber.objects.get(email=ADDRESS).confirmed_at is None


def test_a_bad_address_is_refused_and_the_form_is_rate_limited(demo, settings):
    settings.STATUS_SUBSCRIBE_LIMIT = 3
    client = Client(REMOTE_ADDR="192.0.2.77")
    response = client.post("/status/subscribe", {"email": "not an address"})
    assert (
        response.status_code == 400 and "Enter a valid email address." in response.content.decode()
    )
    assert not Subscriber.objects.exists()
    for n in range(2):
        assert client.post("/status/subscribe", {"email": f"a{n}@example.test"}).status_code == 200
    refused = client.post("/status/subscribe", {"email": "a9@example.test"})
    assert refused.status_code == 429
    assert not Subscriber.objects.filter(email="a9@example.test").exists()
    # Another network is not limited by this one.
    other = Client(REMOTE_ADDR="192.0.2.78")
    assert other.post("/status/subscribe", {"email": "b@example.test"}).status_code == 200
