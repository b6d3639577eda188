"""The demo's people hang together: a first name, its gender and the e-mail addresses are
generated together, and nobody starts work before turning 18."""

from __future__ import annotations

import datetime as dt
import unicodedata

from kluis.people.demo import FEMALE_NAMES, LOGIN_TEAMS, MALE_NAMES, gender_of, mail_local
from kluis.people.models import Employee
from kluis.people.records import sealed_value

LOGIN_KEYS = set(LOGIN_TEAMS) | {"auditor"}


def _local(value: str) -> str:
    return value.split("@")[0]


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


def test_every_demo_person_is_of_a_piece(demo):
    people = list(Employee.objects.all().prefetch_related("employments"))
    assert len(people) > 80
    for person in people:
        first = person.first_name
        if person.gender == "male":
            assert first in MALE_NAMES, first
        if person.gender == "female":
            assert first in FEMALE_NAMES, first
        if first in MALE_NAMES - FEMALE_NAMES:
            assert person.gender in {"male", "", "non_binary"}, first
        if first in FEMALE_NAMES - MALE_NAMES:
            assert person.gender in {"female", "", "non_binary"}, first
        own = mail_local(first, person.last_name)
        assert own.startswith(_ascii(first).lower().split()[0]), (first, own)
        assert person.private_email == f"{own}@example.net"
        if _local(person.work_email) not in LOGIN_KEYS:
            assert _local(person.work_email) == own
        starts = [e.start_date for e in person.employments.all()]
        assert person.birth_date is not None
        assert min(starts) >= person.birth_date + dt.timedelta(days=18 * 365), person
        assert sealed_value(person, "iban")


def test_the_demo_logins_get_the_gender_of_their_name(demo):
    lotte = Employee.objects.get(work_email="member1@demo-bv.test")
    noah = Employee.objects.get(work_email="member2@demo-bv.test")
    assert (lotte.first_name, lotte.gender) == ("Lotte", "female")
    assert (noah.first_name, noah.gender) == ("Noah", "male")
    assert lotte.private_email == "lotte.maes@example.net"
    assert gender_of("Hendrik") == "male" and gender_of("Anouk") == "female"
