"""Sessions end after an idle hour and, however active, after the absolute lifetime."""

from __future__ import annotations

import time

from django.conf import settings

from kluis.identity.middleware import SIGNED_IN_AT


def test_session_idle_timeout_is_at_most_an_hour_and_renewed_on_every_request():
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_session_older_than_the_absolute_lifetime_is_signed_out(demo, login):
    client = login("owner@demo-bv.test")
    assert client.get("/", secure=True).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_MAX_AGE_SECONDS - 1
    session.save()
    response = client.get("/", secure=True)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/", secure=True).status_code == 302


def test_session_within_the_absolute_lifetime_stays_signed_in(demo, login):
    client = login("owner@demo-bv.test")
    client.get("/", secure=True)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_MAX_AGE_SECONDS + 60
    session.save()
    assert client.get("/", secure=True).status_code == 200


def test_signing_in_rotates_the_session_key(demo):
    from django.test import Client

    client = Client()
    client.get("/accounts/login/", secure=True)
    client.session.save()
    before = client.cookies.get("kluis_session")
    response = client.post(
        "/accounts/login/",
        {"login": "owner@demo-bv.test", "password": settings.DEMO_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    after = client.cookies["kluis_session"].value
    assert before is None or before.value != after


def test_signing_out_ends_the_session_on_the_server(demo):
    from django.contrib.sessions.models import Session
    from django.test import Client

    client = Client()
    client.post(
        "/accounts/login/",
        {"login": "owner@demo-bv.test", "password": settings.DEMO_PASSWORD},
        secure=True,
    )
    key = client.cookies["kluis_session"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/", secure=True)
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/", secure=True).status_code == 302
