"""Registering a third-party OAuth app: the platform operator's act (a system actor),
validated before anything is written, logged as a platform event once it commits."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from oauth2_provider.models import Application

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.integrations.models import DomainEvent
from kluis.integrations.services import register_oauth_app
from tests.conftest import actor_for

REDIRECT = "https://app.example.com/callback"


def _counts() -> tuple[int, int, int]:
    return Application.objects.count(), AuditEvent.objects.count(), DomainEvent.objects.count()


def test_a_member_who_manages_integrations_cannot_register_an_app(demo):
    before = _counts()
    with pytest.raises(PermissionDenied):
        register_oauth_app(actor_for("owner@demo-bv.test"), "Planner", [REDIRECT])
    assert _counts() == before


@pytest.mark.parametrize(
    ("name", "uris", "field"),
    [
        ("", [REDIRECT], "name"),
        ("x" * 101, [REDIRECT], "name"),
        ("Planner", [], "redirect_uris"),
        ("Planner", ["http://app.example.com/callback"], "redirect_uris"),
        ("Planner", ["https:///no-host"], "redirect_uris"),
        ("Planner", ["https://app.example.com/cb#fragment"], "redirect_uris"),
        ("Planner", [f"{REDIRECT} https://evil.example.com/"], "redirect_uris"),
        ("Planner", [REDIRECT, "javascript:alert(1)"], "redirect_uris"),
    ],
)
def test_invalid_input_is_refused_and_writes_nothing(demo, caplog, name, uris, field):
    before = _counts()
    with (
        caplog.at_level(logging.INFO, logger="kluis.platform"),
        pytest.raises(ValidationError) as refused,
    ):
        register_oauth_app(Actor.system("tests"), name, uris)
    assert field in refused.value.message_dict
    assert _counts() == before
    assert not [r for r in caplog.records if r.name == "kluis.platform"]


def test_the_registration_is_logged_when_it_commits_without_the_secret(
    demo, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level(logging.INFO, logger="kluis.platform"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        application, secret = register_oauth_app(
            Actor.system("cli:oauthapp"), "  Planner ", [REDIRECT, REDIRECT]
        )
    assert len(callbacks) == 1
    assert application.name == "Planner"
    assert application.redirect_uris == REDIRECT
    assert application.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert application.client_secret != secret  # stored hashed
    lines = [r.getMessage() for r in caplog.records if r.name == "kluis.platform"]
    assert len(lines) == 1
    assert "oauth_app.registered" in lines[0] and str(application.client_id) in lines[0]
    assert "cli:oauthapp" in lines[0]
    assert secret not in lines[0]


def test_a_public_app_has_no_secret(demo):
    application, secret = register_oauth_app(
        Actor.system("tests"), "Phone app", [REDIRECT], public=True
    )
    assert secret == ""
    assert application.client_type == Application.CLIENT_PUBLIC


def test_the_command_registers_as_the_platform_and_prints_the_id_and_secret(demo):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "oauthapp_create", name="Planner", redirect_uris=[REDIRECT], stdout=out, stderr=err
    )
    client_id, secret = out.getvalue().split()
    application = Application.objects.get(client_id=client_id)
    assert application.name == "Planner"
    assert application.client_secret != secret


def test_the_command_reports_invalid_input_and_writes_nothing(demo):
    before = _counts()
    with pytest.raises(CommandError, match="redirect_uris"):
        call_command(
            "oauthapp_create",
            name="Planner",
            redirect_uris=["http://insecure.example.com/"],
            stdout=io.StringIO(),
        )
    assert _counts() == before
