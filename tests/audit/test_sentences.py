"""The audit log reads as sentences in the reader's language: who did what to whom, the
changed fields by their translated names, never a value."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from kluis.access.actor import Actor
from kluis.audit import sentences
from kluis.audit.models import AuditEvent
from kluis.audit.services import record
from kluis.people import services
from kluis.people.models import Employee
from tests.conftest import actor_for, member

AUDITOR = "auditor@demo-bv.test"
HR = "hr@demo-bv.test"


def _employee(email: str) -> Employee:
    return Employee.objects.get(membership=member(email))


def _change_bank_and_private_mail(who: Employee) -> AuditEvent:
    services.update_employee(
        actor_for(HR),
        who,
        {"iban": "BE68 5390 0754 7034", "private_email": "bob.private@example.org"},
        expected_version=who.version,
    )
    return AuditEvent.objects.filter(action="employee.updated").order_by("-sequence").first()


def _translated(msgid: str, language: str) -> bool:
    with translation.override(language):
        return gettext(msgid) != msgid


def test_hr_changing_a_bank_account_reads_as_a_sentence_without_values(demo, login):
    bob, hr = _employee("member1@demo-bv.test"), _employee(HR)
    event = _change_bank_and_private_mail(bob)
    page = login(AUDITOR).get("/audit/", secure=True).content.decode()
    expected = (
        f"{hr.display_name} changed bank account (IBAN) and private e-mail of {bob.display_name}"
    )
    assert expected in page
    assert "BE68" not in page and "bob.private@example.org" not in page
    detail = login(AUDITOR).get(f"/audit/{event.pk}/", secure=True).content.decode()
    assert expected in detail and "BE68" not in detail


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "{hr} changed bank account (IBAN) and private e-mail of {bob}"),
        ("nl", "{hr} wijzigde rekeningnummer (IBAN) en privé-e-mailadres van {bob}"),
        ("fr", "{hr} a modifié compte bancaire (IBAN) et e-mail privé de {bob}"),
    ],
)
def test_sentences_in_each_language(demo, language, expected):
    if language != "en" and not _translated("%(actor)s changed %(fields)s of %(object)s", language):
        pytest.skip("the auditorg translations are not merged into the catalogue yet")
    bob, hr = _employee("member1@demo-bv.test"), _employee(HR)
    event = _change_bank_and_private_mail(bob)
    with translation.override(language):
        text = sentences.sentence(event, actor=hr.display_name, object_label=bob.display_name)
    assert text == expected.format(hr=hr.display_name, bob=bob.display_name)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Anna hired Bob"),
        ("nl", "Anna nam Bob in dienst"),
        ("fr", "Anna a engagé Bob"),
    ],
)
def test_a_sentence_without_fields_in_each_language(demo, language, expected):
    if language != "en" and not _translated("%(actor)s hired %(object)s", language):
        pytest.skip("the auditorg translations are not merged into the catalogue yet")
    event = AuditEvent(action="employee.hired", object_type="people.employee", changes={})
    with translation.override(language):
        assert sentences.sentence(event, actor="Anna", object_label="Bob") == expected


def test_many_fields_are_counted_not_listed(demo):
    changes = {
        name: {"old": "a", "new": "b"}
        for name in ("first_name", "last_name", "work_phone", "job_title", "birth_date")
    }
    event = AuditEvent(action="employee.updated", object_type="people.employee", changes=changes)
    text = sentences.sentence(event, actor="Anna", object_label="Bob")
    assert text == "Anna changed first name, last name, work phone and 2 other fields of Bob"
    one_more = {**dict(list(changes.items())[:4])}
    event.changes = one_more
    assert sentences.sentence(event, actor="Anna", object_label="Bob").endswith(
        "and 1 other field of Bob"
    )


def test_a_label_the_reader_may_not_see_reads_someone(demo, login):
    bob = _employee("member1@demo-bv.test")
    services.add_emergency_contact(
        actor_for(HR), bob, {"name": "Carla Secret", "phone": "+32470123456"}
    )
    page = login(AUDITOR).get("/audit/", {"kind": "people"}, secure=True).content.decode()
    assert "added an emergency contact: someone" in page
    assert "Carla Secret" not in page


def test_an_action_without_a_sentence_still_reads(demo, login):
    tenant = member(AUDITOR).tenant
    with transaction.atomic():
        record(Actor.system("robot", tenant), "test.unknown", tenant=tenant, object_repr="X")
    page = login(AUDITOR).get("/audit/", secure=True).content.decode()
    assert "robot: test.unknown on X" in page


def test_sentences_refuse_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown kind"):
        sentences.register("test.thing", "no-such-kind", "%(actor)s did")
    with pytest.raises(ValueError, match="already registered"):
        sentences.register("employee.hired", "pay", "%(actor)s hired %(object)s")
