"""/operator/flags/: operators only; lists every flag; adds and removes rules."""

from __future__ import annotations

from flags.models import FlagState

from kluis.audit.models import AuditEvent, OperatorEvent
from tests.conftest import member

URL = "/operator/flags/"


def test_anonymous_is_sent_to_sign_in(client, demo):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_company_owner_finds_no_such_page(demo, login):
    assert login("owner@demo-bv.test", "demo-bv").get(URL).status_code == 404
    assert login("owner@demo-bv.test", "demo-bv").post(URL, {}).status_code == 404


def test_the_operator_sees_every_flag_with_owner_expiry_and_rules(client, demo, operator):
    client.force_login(operator)
    client.post(URL, {"flag": "sandboxes", "state": "on", "kind": "company", "value": "demo-bv"})
    page = client.get(URL).content.decode()
    assert 'data-testid="flag-sandboxes"' in page
    assert "Owners may create sandbox companies" in page
    assert "operations" in page
    assert "2027-06-30" in page
    assert "company demo-bv" in page


def test_the_operator_adds_and_removes_a_rule(client, demo, operator):
    client.force_login(operator)
    response = client.post(
        URL, {"flag": "sandboxes", "state": "off", "kind": "role", "value": "employee"}
    )
    assert response.status_code == 302
    rule = FlagState.objects.get(name="sandboxes")
    assert (rule.condition, rule.value, rule.required) == ("kluis not role", "employee", True)
    event = OperatorEvent.objects.get(action="flag.changed")
    assert event.actor_label == "operator operator@kluis.test"
    assert event.actor_user_id == operator.pk

    removal = {"flag": "sandboxes", "state": "clear", "kind": "role", "value": "employee"}
    asked = client.post(URL, removal)
    assert asked.status_code == 200 and "Remove this rule" in asked.content.decode()
    assert FlagState.objects.count() == 1  # asking removed nothing
    assert OperatorEvent.objects.filter(action="flag.changed").count() == 1
    response = client.post(URL, {**removal, "confirmed": "1"})
    assert response.status_code == 302
    assert not FlagState.objects.exists()
    assert OperatorEvent.objects.filter(action="flag.changed").count() == 2


def test_a_company_rule_from_the_page_lands_in_the_company_log(client, demo, operator):
    client.force_login(operator)
    client.post(URL, {"flag": "sandboxes", "state": "on", "kind": "percent", "value": "40"})
    client.post(URL, {"flag": "sandboxes", "state": "on", "kind": "company", "value": "other-nv"})
    event = AuditEvent.objects.for_tenant(demo["other-nv"]).get(action="flag.changed")
    assert event.actor_user_id == operator.pk
    assert not AuditEvent.objects.for_tenant(demo["demo-bv"]).filter(action="flag.changed")


def test_bad_input_is_told_and_changes_nothing(client, demo, operator):
    client.force_login(operator)
    for data, message in (
        ({"flag": "sandboxes", "state": "on", "kind": "company", "value": "ghost"}, "ghost"),
        ({"flag": "sandboxes", "state": "on", "kind": "percent", "value": "101"}, "0 to 100"),
        ({"flag": "sandboxes", "state": "on", "kind": "user", "value": ""}, "Say which"),
        ({"flag": "nope", "state": "on", "kind": "everyone", "value": ""}, "nope"),
    ):
        response = client.post(URL, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not FlagState.objects.exists()
    assert not OperatorEvent.objects.filter(action="flag.changed").exists()


def test_an_operator_with_a_company_open_may_name_another_company(demo, login):
    """Row-level security narrows a member's requests to their company; the flag service
    looks up and audits the company the operator names, whichever is open."""
    client = login("owner@demo-bv.test", "demo-bv")
    owner = member("owner@demo-bv.test", "demo-bv").user
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    response = client.post(
        URL, {"flag": "sandboxes", "state": "on", "kind": "company", "value": "other-nv"}
    )
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert "company other-nv" in page
    assert AuditEvent.objects.for_tenant(demo["other-nv"]).filter(action="flag.changed").exists()
