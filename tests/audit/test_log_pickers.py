"""The audit log's person and actor pickers: they search the reader's company as one types
(for auditors too, who do not hold `people.view`), the filter goes by the chosen id and
shows the chosen name after the page reloads; an id of another company gives no rows and
no error; the search endpoint answers only the log's readers, with their company's names."""

from __future__ import annotations

from kluis.people import services
from kluis.people.models import Employee
from tests.conftest import actor_for, member

AUDITOR = "auditor@demo-bv.test"
HR = "hr@demo-bv.test"


def _employee(email: str, slug: str = "demo-bv") -> Employee:
    return Employee.objects.get(membership=member(email, slug))


def _phone_changes(*people: Employee) -> None:
    for who in people:
        services.update_employee(
            actor_for(HR), who, {"work_phone": "+32470000001"}, expected_version=who.version
        )


def test_filter_by_person_id_shows_only_their_events_and_their_name(demo, login):
    bob, lotte = _employee("member1@demo-bv.test"), _employee("member2@demo-bv.test")
    _phone_changes(bob, lotte)
    response = login(AUDITOR).get("/audit/", {"person": bob.pk, "person_q": ""}, secure=True)
    assert response.status_code == 200
    events = list(response.context["events"])
    assert events
    assert {(e.object_type, e.object_id) for e in events if e.object_type == "people.employee"} == {
        ("people.employee", str(bob.pk))
    }
    html = response.content.decode()
    label = f"{bob.display_name} ({bob.employee_number})"
    assert f'value="{label}"' in html  # the chosen name is in the box again
    assert f'name="person" id="id_person_value" value="{bob.pk}"' in html


def test_an_id_of_another_company_gives_no_rows_and_no_error(demo, login):
    stranger = _employee("member1@other-nv.test", "other-nv")
    client = login(AUDITOR)
    for field in ("person", "actor"):
        response = client.get("/audit/", {field: stranger.pk}, secure=True)
        assert response.status_code == 200
        assert list(response.context["events"]) == []
        assert stranger.display_name not in response.content.decode()
    huge = client.get("/audit/", {"person": "9" * 40}, secure=True)
    assert huge.status_code == 200 and list(huge.context["events"]) == []


def test_filter_by_actor_id_shows_what_they_did(demo, login):
    hr, bob = _employee(HR), _employee("member1@demo-bv.test")
    _phone_changes(bob)
    response = login(AUDITOR).get("/audit/", {"actor": hr.pk}, secure=True)
    events = list(response.context["events"])
    assert events and {e.actor_user_id for e in events} == {hr.membership.user_id}
    assert f'value="{hr.display_name} ({hr.employee_number})"' in response.content.decode()


def test_typed_text_without_a_choice_still_searches_by_name(demo, login):
    bob = _employee("member1@demo-bv.test")
    _phone_changes(bob)
    response = login(AUDITOR).get("/audit/", {"person": "", "person_q": bob.last_name}, secure=True)
    about = {(e.object_type, e.object_id) for e in response.context["events"]}
    assert ("people.employee", str(bob.pk)) in about


def test_the_auditor_searches_their_own_company_only(demo, login):
    mine = _employee("member1@demo-bv.test")
    theirs = _employee("member1@other-nv.test", "other-nv")
    client = login(AUDITOR)
    query = {"field": "person", "box": "id_person"}
    found = client.get(
        "/audit/search/people/", {**query, "person_q": mine.last_name}, secure=True
    ).content.decode()
    assert f'data-testid="pick-{mine.pk}"' in found and mine.display_name in found
    other = client.get(
        "/audit/search/people/", {**query, "person_q": theirs.last_name}, secure=True
    ).content.decode()
    assert f"pick-{theirs.pk}" not in other and theirs.display_name not in other
    picked = client.get("/audit/search/people/pick/", {**query, "id": mine.pk}, secure=True)
    assert picked.status_code == 200
    assert f'value="{mine.pk}"' in picked.content.decode()
    assert (
        client.get(
            "/audit/search/people/pick/", {**query, "id": theirs.pk}, secure=True
        ).status_code
        == 404
    )
    bad_field = client.get("/audit/search/people/", {"field": "salary", "box": "x"}, secure=True)
    assert bad_field.status_code == 404


def test_only_the_log_s_readers_use_the_search(demo, login):
    mine = _employee("member1@demo-bv.test")
    query = {"field": "actor", "box": "id_actor", "actor_q": mine.last_name}
    assert login(HR).get("/audit/search/people/", query, secure=True).status_code == 200
    for email in ("manager@demo-bv.test", "employee@demo-bv.test"):
        client = login(email)
        assert client.get("/audit/search/people/", query, secure=True).status_code == 403
        pick = {"field": "actor", "box": "id_actor", "id": mine.pk}
        assert client.get("/audit/search/people/pick/", pick, secure=True).status_code == 403


def test_events_on_the_person_s_account_are_about_them_too(demo, login):
    from kluis.company.services import create_role, grant_role

    owner = actor_for("owner@demo-bv.test")
    role = create_role(owner, demo["demo-bv"], name="Payroll", grants={"people.view": "company"})
    bob, lotte = _employee("member1@demo-bv.test"), _employee("member2@demo-bv.test")
    grant_role(owner, bob.membership, role)
    grant_role(owner, lotte.membership, role)
    client = login(AUDITOR)
    response = client.get("/audit/", {"person": bob.pk, "kind": "roles"}, secure=True)
    grants = [e for e in response.context["events"] if e.action == "role.granted"]
    assert {e.object_id for e in grants} == {str(bob.membership_id)}
    assert any(e.changes == {"role": {"old": None, "new": "Payroll"}} for e in grants)
