"""Self-service: My profile, bank account, emergency contacts; the manager's team; the org chart."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.people import selectors, services
from kluis.people.models import EmergencyContact, Employee, EmployeeVersion
from kluis.people.services import organisation
from tests.conftest import actor_for

NEW_ADDRESS = {
    "address_street": "Veldstraat",
    "address_number": "12",
    "address_postal_code": "9000",
    "address_city": "Gent",
    "address_country": "BE",
}
NEW_IBAN = "BE71 0961 2345 6769"


def employee(email: str) -> Employee:
    return Employee.objects.select_related("tenant").get(work_email=email)


def field_text(html: str, name: str) -> str:
    """The text of the element marked data-field=<name> on My profile."""
    match = re.search(rf'data-field="{name}">(.*?)</dd>', html, re.S)
    assert match, f"no field {name} on the page"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


def profile_form(me: Employee, **changes: str) -> dict[str, str | int]:
    """What the edit form posts: the current values with `changes` applied."""
    actor = Actor.system("test", me.tenant)
    values = selectors.profile(actor, me, reveal=True)
    address = values.get("address") or {}
    data: dict[str, str | int] = {
        "version": me.version,
        "preferred_name": me.preferred_name,
        "private_email": me.private_email,
        "private_phone": me.private_phone,
        **{
            f"address_{part}": address.get(part, "")
            for part in ("street", "number", "postal_code", "city", "country")
        },
    }
    data.update(changes)
    return data


# --- My profile ------------------------------------------------------------------------------


def test_employee_sees_own_data_including_national_number(demo, login):
    me = employee("member1@demo-bv.test")
    national_id = selectors.profile(Actor.system("test", me.tenant), me)["national_id"]
    response = login("member1@demo-bv.test").get("/people/me/")
    assert response.status_code == 200
    html = response.content.decode()
    assert me.display_name in html
    assert re.sub(r"\D", "", field_text(html, "national_id")) == national_id
    assert field_text(html, "iban")
    assert 'data-testid="section-contract"' in html
    assert 'data-testid="section-wages"' in html


def test_member_without_an_employee_file_gets_a_friendly_page(demo, login):
    response = login("auditor@demo-bv.test").get("/people/me/")
    assert response.status_code == 200
    assert b'data-testid="no-employee-file"' in response.content


def test_employee_edits_own_address_and_hr_sees_the_new_version(demo, login):
    me = employee("member1@demo-bv.test")
    versions = EmployeeVersion.objects.filter(employee=me).count()
    response = login("member1@demo-bv.test").post(
        "/people/me/edit/", profile_form(me, **NEW_ADDRESS)
    )
    assert response.status_code == 302
    me.refresh_from_db()
    latest = EmployeeVersion.objects.filter(employee=me).order_by("-pk").first()
    assert EmployeeVersion.objects.filter(employee=me).count() == versions + 1
    assert latest is not None and latest.changed_fields == ["address"]
    assert latest.actor_label == "member1@demo-bv.test"
    event = AuditEvent.objects.filter(action="employee.updated", object_id=str(me.pk)).last()
    assert event is not None and event.actor_label == "member1@demo-bv.test"
    assert "Veldstraat" not in str(event.changes)  # the address is masked in the audit log
    hr_view = selectors.profile(actor_for("hr@demo-bv.test"), me)
    assert hr_view["address"]["street"] == "Veldstraat"
    assert hr_view["address"]["city"] == "Gent"


def test_employee_cannot_edit_a_field_the_company_did_not_allow(demo, login):
    client = login("hr@demo-bv.test")
    allowed = [f for f in services.self_editable(demo["demo-bv"]) if f != "private_phone"]
    assert client.post("/people/settings/", {"self_editable_fields": allowed}).status_code == 302
    me = employee("member1@demo-bv.test")
    before = me.private_phone
    client = login("member1@demo-bv.test")
    form_page = client.get("/people/me/edit/").content.decode()
    assert 'name="private_phone"' not in form_page
    assert 'name="address_street"' in form_page
    client.post("/people/me/edit/", profile_form(me, private_phone="+32470999999"))
    me.refresh_from_db()
    assert me.private_phone == before


def test_a_save_over_someone_elses_change_is_refused(demo, login):
    me = employee("member1@demo-bv.test")
    loaded = me.version
    services.update_employee(
        actor_for("hr@demo-bv.test"), me, {"preferred_name": "Lo"}, expected_version=loaded
    )
    response = login("member1@demo-bv.test").post(
        "/people/me/edit/", {**profile_form(me, **NEW_ADDRESS), "version": loaded}
    )
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()
    me.refresh_from_db()
    assert me.version == loaded + 1
    assert selectors.profile(Actor.system("test", me.tenant), me)["address"].get("city") != "Gent"


def test_invalid_values_show_field_errors_and_change_nothing(demo, login):
    me = employee("member1@demo-bv.test")
    response = login("member1@demo-bv.test").post(
        "/people/me/edit/",
        profile_form(me, private_phone="12", address_street="", address_city="Gent"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "private_phone" in form.errors
    assert "address_street" in form.errors
    me.refresh_from_db()
    assert me.version == response.context["form"].initial["version"]


# --- bank account --------------------------------------------------------------------------


def test_bank_account_change_with_a_wrong_password_changes_nothing(demo, login):
    me = employee("member1@demo-bv.test")
    before = (me.iban_sealed, me.version)
    response = login("member1@demo-bv.test").post(
        "/people/me/bank-account/",
        {"iban": NEW_IBAN, "password": "not-my-password", "version": me.version},
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    me.refresh_from_db()
    assert (me.iban_sealed, me.version) == before


def test_bank_account_change_with_the_password_changes_it_and_tells_hr(
    demo, login, django_capture_on_commit_callbacks
):
    me = employee("member1@demo-bv.test")
    old_iban = selectors.profile(Actor.system("test", me.tenant), me)["iban"]
    queued = DBTaskResult.objects.filter(task_path__endswith="send_bank_change_notice").count()
    with django_capture_on_commit_callbacks(execute=True):
        response = login("member1@demo-bv.test").post(
            "/people/me/bank-account/",
            {"iban": NEW_IBAN, "password": settings.DEMO_PASSWORD, "version": me.version},
        )
    assert response.status_code == 302
    me.refresh_from_db()
    assert selectors.profile(Actor.system("test", me.tenant), me)["iban"] == "BE71096123456769"
    notices = DBTaskResult.objects.filter(task_path__endswith="send_bank_change_notice")
    assert notices.count() == queued + 1
    notice = notices.order_by("-enqueued_at").first()
    assert notice is not None and notice.args_kwargs["args"] == [me.pk]
    # What the worker does with the queued row (the db worker itself would close the test's
    # database connection on PostgreSQL).
    notice.task.call(*notice.args_kwargs["args"], **notice.args_kwargs["kwargs"])
    recipients = [address for message in mail.outbox for address in message.to]
    assert all(len(message.to) == 1 for message in mail.outbox)  # each in their language
    assert "hr@demo-bv.test" in recipients
    assert "member1@demo-bv.test" not in recipients
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}".replace(" ", "")
        for iban in ("BE71096123456769", old_iban):
            assert iban not in text
            assert iban[-4:] not in text


def test_bank_account_page_is_closed_when_the_company_does_not_allow_it(demo, login):
    hr = actor_for("hr@demo-bv.test")
    organisation.update_people_settings(hr, hr.tenant, self_editable_fields=["address"])  # type: ignore[arg-type]
    me = employee("member1@demo-bv.test")
    response = login("member1@demo-bv.test").post(
        "/people/me/bank-account/",
        {"iban": NEW_IBAN, "password": settings.DEMO_PASSWORD, "version": me.version},
    )
    assert response.status_code == 403
    me.refresh_from_db()
    assert selectors.profile(Actor.system("test", me.tenant), me)["iban"] != "BE71096123456769"


# --- emergency contacts ----------------------------------------------------------------------


def test_employee_adds_and_removes_an_emergency_contact(demo, login):
    me = employee("member2@demo-bv.test")
    client = login("member2@demo-bv.test")
    response = client.post(
        "/people/me/contacts/new/",
        {"name": "Jan Claes", "relationship": "partner", "phone": "0470 11 22 33"},
    )
    assert response.status_code == 302
    contact = EmergencyContact.objects.get(employee=me, name="Jan Claes")
    assert contact.phone == "+32470112233"
    assert "Jan Claes" in client.get("/people/me/").content.decode()
    asked = client.post(f"/people/me/contacts/{contact.pk}/remove/")
    assert b"Remove Jan Claes from your emergency contacts?" in asked.content
    assert EmergencyContact.objects.filter(pk=contact.pk).exists()
    removed = client.post(f"/people/me/contacts/{contact.pk}/remove/", {"confirmed": "1"})
    assert removed.status_code == 302
    assert not EmergencyContact.objects.filter(pk=contact.pk).exists()


def test_an_invalid_emergency_contact_shows_errors_and_is_not_saved(demo, login):
    response = login("member2@demo-bv.test").post(
        "/people/me/contacts/new/", {"name": "Jan Claes", "phone": "12"}
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not EmergencyContact.objects.filter(name="Jan Claes").exists()


def test_another_companys_contact_cannot_be_removed(demo, login):
    demo_employee = employee("member1@demo-bv.test")
    contact = services.add_emergency_contact(
        Actor.system("test", demo_employee.tenant),
        demo_employee,
        {"name": "Els Maes", "phone": "+32470123456"},
    )
    response = login("member1@other-nv.test").post(f"/people/me/contacts/{contact.pk}/remove/")
    assert response.status_code == 404
    assert EmergencyContact.objects.filter(pk=contact.pk).exists()


def test_a_colleagues_contact_cannot_be_removed(demo, login):
    colleague = employee("member1@demo-bv.test")
    contact = services.add_emergency_contact(
        Actor.system("test", colleague.tenant), colleague, {"name": "Els", "phone": "+32470123456"}
    )
    response = login("member2@demo-bv.test").post(f"/people/me/contacts/{contact.pk}/remove/")
    assert response.status_code == 404
    assert EmergencyContact.objects.filter(pk=contact.pk).exists()


# --- My team -----------------------------------------------------------------------------------


def test_manager_sees_their_team_without_wages_or_sensitive_data(demo, login):
    manager = employee("manager@demo-bv.test")
    response = login("manager@demo-bv.test").get("/people/team/")
    assert response.status_code == 200
    html = response.content.decode()
    listed = {int(pk) for pk in re.findall(r'<li data-employee="(\d+)"', html)}
    expected = set(
        Employee.objects.filter(manager=manager).exclude(status="left").values_list("pk", flat=True)
    )
    assert listed == expected
    members = {employee(f"member{n}@demo-bv.test").pk for n in (1, 2, 3)}
    assert members <= listed
    assert not listed & {employee("hr@demo-bv.test").pk, manager.pk}
    hr = Actor.system("test", manager.tenant)
    for pk in members:
        person = Employee.objects.get(pk=pk)
        secrets = selectors.profile(hr, person)
        for secret in (secrets["national_id"], secrets["iban"], secrets["address"]["street"]):
            assert secret and secret not in html
        for wage in selectors.wages(hr, person) or []:
            assert f"{wage.amount:.2f}" not in html
    for name in ("national_id", "iban", "address", "private_phone", "birth_date"):
        assert f'data-field="{name}"' not in html


def test_employee_gets_403_on_my_team(demo, login):
    assert login("member1@demo-bv.test").get("/people/team/").status_code == 403


# --- org chart ---------------------------------------------------------------------------------


class _Tree(HTMLParser):
    """Which org-chart entry each <li data-employee> sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[int | None] = []
        self.parent: dict[int, int | None] = {}
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "ul" and values.get("data-testid") == "org-chart":
            self.inside = True
        if not self.inside or tag != "li":
            return
        pk = int(values["data-employee"] or 0) if values.get("data-employee") else None
        if pk is not None:
            self.parent[pk] = next((p for p in reversed(self.stack) if p), None)
        self.stack.append(pk)

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag == "li":
            self.stack.pop()


def org_parents(html: str) -> dict[int, int | None]:
    tree = _Tree()
    tree.feed(html)
    return tree.parent


def test_org_chart_nests_people_under_their_managers_for_hr(demo, login):
    response = login("hr@demo-bv.test").get("/people/org-chart/")
    assert response.status_code == 200
    parents = org_parents(response.content.decode())
    owner, hr, manager = (employee(f"{k}@demo-bv.test") for k in ("owner", "hr", "manager"))
    assert parents[owner.pk] is None
    assert parents[hr.pk] == owner.pk
    assert parents[manager.pk] == owner.pk
    for n in (1, 2, 3):
        assert parents[employee(f"member{n}@demo-bv.test").pk] == manager.pk
    assert parents[employee("employee@demo-bv.test").pk] == hr.pk
    company = Employee.objects.filter(tenant=demo["demo-bv"]).exclude(status="left")
    assert set(parents) == set(company.values_list("pk", flat=True))


def test_org_chart_of_a_manager_shows_only_their_team(demo, login):
    response = login("manager@demo-bv.test").get("/people/org-chart/")
    assert response.status_code == 200
    parents = org_parents(response.content.decode())
    manager = employee("manager@demo-bv.test")
    assert parents[manager.pk] is None
    team = Employee.objects.filter(manager=manager).exclude(status="left")
    assert set(parents) == {manager.pk, *team.values_list("pk", flat=True)}
    assert all(parents[pk] == manager.pk for pk in parents if pk != manager.pk)


def test_org_chart_queries_do_not_grow_with_the_company(demo, login):
    client = login("hr@demo-bv.test")
    client.get("/people/org-chart/")  # warm caches (session, translations)
    with CaptureQueriesContext(connection) as before:
        client.get("/people/org-chart/")
    hr = actor_for("hr@demo-bv.test")
    boss = employee("manager@demo-bv.test")
    for n in range(5):
        services.hire_employee(
            hr,
            hr.tenant,  # type: ignore[arg-type]
            {
                "first_name": f"Extra{n}",
                "last_name": "Person",
                "employment": {
                    "start_date": "2025-01-06",
                    "job_title": "Tester",
                    "manager": boss.pk,
                },
            },
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get("/people/org-chart/")
    assert response.content.decode().count("Extra") >= 5
    assert len(after.captured_queries) == len(before.captured_queries)
