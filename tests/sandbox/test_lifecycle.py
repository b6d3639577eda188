"""Who may make and delete sandboxes, the limit, the labels, expiry and the CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection
from django.utils import timezone

from kluis.access import visibility
from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent, OperatorEvent
from kluis.audit.platform import verify_platform
from kluis.audit.services import verify_tenant
from kluis.cli import main
from kluis.operations.mailing import on_behalf_of, wrap
from kluis.sandbox import services
from kluis.sandbox.models import Sandbox
from kluis.tenancy import rls
from kluis.tenancy.models import Tenant
from tests.api_client import Api
from tests.conftest import actor_for

pytestmark = pytest.mark.django_db
LOCMEM = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


def _rows(tenant: Tenant) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with rls.unnarrowed(), connection.cursor() as cursor:
        for table, column in rls.tenant_tables():
            cursor.execute(
                f"SELECT count(*) FROM {quote(table)} WHERE {quote(column)} = %s", [tenant.pk]
            )
            counts[table] = cursor.fetchone()[0]
    return counts


def test_the_owner_page_makes_lists_and_deletes_and_others_get_404(made, login):
    client = login("owner@demo-bv.test", "demo-bv")
    page = client.get("/settings/sandboxes/", secure=True)
    assert page.status_code == 200
    assert made.company.name in page.content.decode()
    url = f"/settings/sandboxes/{made.pk}/delete/"
    hr = login("hr@demo-bv.test", "demo-bv")
    assert hr.get("/settings/sandboxes/", secure=True).status_code == 404
    assert hr.post(url, secure=True).status_code == 404
    elsewhere = login("owner@other-nv.test", "other-nv")
    assert (
        made.company.name not in elsewhere.get("/settings/sandboxes/", secure=True).content.decode()
    )
    assert elsewhere.post(url, secure=True).status_code == 404
    assert Sandbox.objects.filter(pk=made.pk).exists()


def test_only_an_owner_of_the_source_makes_one(demo):
    source = demo["demo-bv"]
    before = Sandbox.objects.count()
    for email, slug in (("hr@demo-bv.test", "demo-bv"), ("owner@other-nv.test", "other-nv")):
        with pytest.raises(PermissionDenied):
            services.create_sandbox(actor_for(email, slug), source)
    assert Sandbox.objects.count() == before


def test_a_company_has_at_most_the_limit(demo, settings):
    settings.SANDBOX_MAX_PER_COMPANY = 0
    with pytest.raises(ValidationError, match="at most 0"):
        services.create_sandbox(actor_for("owner@demo-bv.test", "demo-bv"), demo["demo-bv"])
    settings.SANDBOX_MAX_PER_COMPANY = 3
    with pytest.raises(ValidationError, match="1 to 90"):
        services.create_sandbox(
            actor_for("owner@demo-bv.test", "demo-bv"), demo["demo-bv"], lifetime_days=91
        )


def test_a_page_of_the_sandbox_has_the_banner_and_the_sources_has_not(made, login):
    client = login("owner@demo-bv.test", made.company.slug)
    assert (
        'data-testid="sandbox-banner"' in client.get("/", secure=True, follow=True).content.decode()
    )
    client = login("owner@demo-bv.test", "demo-bv")
    assert (
        'data-testid="sandbox-banner"'
        not in client.get("/", secure=True, follow=True).content.decode()
    )


def test_mail_on_behalf_of_a_sandbox_says_so(made, settings):
    settings.MAILERS = {"default": wrap(LOCMEM)}
    mail.outbox = []
    with on_behalf_of(made.company_id):
        send_mail("Your leave", "Approved.", None, ["owner@demo-bv.test"])
    with on_behalf_of(made.source_id):
        send_mail("Your leave", "Approved.", None, ["owner@demo-bv.test"])
    sandboxed, real = mail.outbox
    assert sandboxed.subject == "[Sandbox] Your leave"
    assert "sandbox" in sandboxed.body.splitlines()[0] and sandboxed.body.endswith("Approved.")
    assert real.subject == "Your leave"


def test_api_responses_to_a_sandboxs_credentials_carry_the_header(made, client):
    from kluis.integrations.services import create_api_key

    _key, plaintext = create_api_key(
        Actor.system("tests", made.company), made.company, "sandbox key", ["employees:read"]
    )
    _key, theirs = create_api_key(
        Actor.system("tests", made.source), made.source, "real key", ["employees:read"]
    )
    ours = Api(client, plaintext).get("/api/v1/employees/")
    assert ours.status_code == 200 and ours["Kluis-Sandbox"] == "true"
    real = Api(client, theirs).get("/api/v1/employees/")
    assert real.status_code == 200 and "Kluis-Sandbox" not in real


def test_expiry_deletes_all_of_the_sandbox_and_nothing_of_the_source(made):
    source, company = made.source, made.company
    before = _rows(source)
    assert sum(_rows(company).values()) > 500
    assert services.expire_sandboxes(timezone.now()) == 0
    assert services.expire_sandboxes(made.expires_at + dt.timedelta(seconds=1)) == 1
    assert not Tenant.objects.filter(pk=company.pk).exists()
    assert sum(_rows(company).values()) == 0
    after = _rows(source)
    grown = {t: after[t] - before[t] for t in after if after[t] != before[t]}
    assert set(grown) <= {"audit_auditevent", "integrations_domainevent"}, grown
    actions = list(
        AuditEvent.objects.for_tenant(source)
        .filter(action__startswith="sandbox.")
        .values_list("action", flat=True)
    )
    assert sorted(actions) == ["sandbox.created", "sandbox.deleted"]
    # The source's audit readers see every field of them (deny by default hides the rest).
    for event in AuditEvent.objects.for_tenant(source).filter(action__startswith="sandbox."):
        for field in event.changes:
            assert visibility.permission_for(event.object_type, field), (event.action, field)
    assert verify_tenant(source).ok
    logged = OperatorEvent.objects.filter(object_id=str(company.pk)).values_list(
        "action", flat=True
    )
    assert sorted(logged) == ["sandbox.created", "sandbox.deleted"]
    assert verify_platform()[1] == ""


def test_a_real_company_is_never_purged(demo):
    with pytest.raises(ValidationError):
        services.delete_sandbox(Actor.system("tests"), Sandbox(pk=999999))


def test_the_cli_makes_lists_and_deletes(demo, capsys):
    assert main(["sandbox", "create", "--from", "other-nv", "--lifetime-days", "2"]) == 0
    slug = capsys.readouterr().out.split("\t")[0]
    assert slug.startswith("sandbox-other-nv-")
    assert main(["sandbox", "list"]) == 0
    assert slug in capsys.readouterr().out
    assert main(["sandbox", "delete", "other-nv"]) == 1
    assert "not a sandbox" in capsys.readouterr().err
    assert main(["sandbox", "delete", slug]) == 0
    assert not Tenant.objects.filter(slug=slug).exists()
