"""DELETE with If-Match on the calendar's API (absences, closing days): the service checks
the tag on the row it has locked, so a stale tag is a 412 that removes nothing, and the
tag the client read removes the row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.timeoff import services
from kluis.timeoff.models import Absence, ClosingDay
from tests.api_client import assert_problem
from tests.timeoff.api.helpers import body, delete
from tests.timeoff.conftest import employee_of, next_weekday

pytestmark = pytest.mark.django_db
WRITE = ["timeoff:read", "timeoff:write", "absence:read"]


def sick_period(tenant) -> Absence:
    day = next_weekday(dt.date.today() - dt.timedelta(weeks=3), 0)
    return services.register_absence(
        Actor.system("tests", tenant),
        employee_of("member1@demo-bv.test"),
        {"start_date": day, "end_date": day + dt.timedelta(days=1), "reason": "Migraine"},
    )


def closing_day(tenant) -> ClosingDay:
    day = next_weekday(dt.date.today() + dt.timedelta(days=100), 4, tenant=tenant)
    return services.add_closing_day(
        Actor.system("tests", tenant), tenant, {"date": day, "name": "Bridge day"}
    )


def deleted(action: str, pk: int) -> bool:
    return AuditEvent.objects.filter(action=action, object_id=str(pk)).exists()


def test_deleting_an_absence_with_a_stale_if_match_is_refused_and_keeps_it(api, bv, hr):
    absence = sick_period(bv)
    client = api(WRITE)
    item = f"/api/v1/absences/{absence.pk}/"
    read = client.get(item)
    assert read.status_code == 200, read.content
    tag = read["ETag"]
    # Someone changes it after the client read it: the tag read is stale now.
    services.update_absence(hr, absence, {"end_date": absence.start_date + dt.timedelta(days=3)})

    assert_problem(delete(client, item, {"If-Match": tag}), 412)
    assert Absence.objects.filter(pk=absence.pk).exists()
    assert not deleted("absence.deleted", absence.pk)

    fresh = client.get(item)["ETag"]
    assert fresh != tag
    assert delete(client, item, {"If-Match": fresh}).status_code == 204
    assert not Absence.objects.filter(pk=absence.pk).exists()
    assert deleted("absence.deleted", absence.pk)


def test_an_absence_service_checks_the_precondition_on_the_row_it_locked(bv, hr):
    absence = sick_period(bv)
    read_before = Absence.objects.get(pk=absence.pk)  # what a caller read (version 1)
    services.update_absence(hr, absence, {"end_date": absence.start_date + dt.timedelta(days=2)})

    def unchanged_since_read(row: Absence) -> None:
        if row.version != read_before.version:
            raise PermissionDenied("changed since read")

    with pytest.raises(PermissionDenied):
        services.delete_absence(hr, read_before, precondition=unchanged_since_read)
    assert Absence.objects.filter(pk=absence.pk).exists()


def test_deleting_a_closing_day_with_a_stale_if_match_is_refused_and_keeps_it(api, bv):
    closing = closing_day(bv)
    client = api(WRITE)
    item = f"/api/v1/closing-days/{closing.pk}/"
    read = client.get(item)
    assert read.status_code == 200, read.content
    assert body(read)["name"] == "Bridge day"

    assert_problem(delete(client, item, {"If-Match": 'W/"not-what-you-read"'}), 412)
    assert ClosingDay.objects.filter(pk=closing.pk).exists()
    assert not deleted("closing_day.deleted", closing.pk)

    assert delete(client, item, {"If-Match": read["ETag"]}).status_code == 204
    assert not ClosingDay.objects.filter(pk=closing.pk).exists()
    assert deleted("closing_day.deleted", closing.pk)


def test_a_closing_day_service_checks_the_precondition_on_the_row_it_locked(bv, hr):
    closing = closing_day(bv)
    seen: list[ClosingDay] = []

    def refuse(row: ClosingDay) -> None:
        seen.append(row)
        raise PermissionDenied("stale")

    with pytest.raises(PermissionDenied):
        services.remove_closing_day(hr, closing, precondition=refuse)
    assert ClosingDay.objects.filter(pk=closing.pk).exists()
    assert seen and seen[0] is not closing and seen[0].pk == closing.pk  # the locked row
    services.remove_closing_day(hr, closing, precondition=lambda row: None)
    assert not ClosingDay.objects.filter(pk=closing.pk).exists()


def test_a_delete_without_if_match_still_works(api, bv):
    absence = sick_period(bv)
    closing = closing_day(bv)
    client = api(WRITE)
    assert delete(client, f"/api/v1/absences/{absence.pk}/").status_code == 204
    assert delete(client, f"/api/v1/closing-days/{closing.pk}/").status_code == 204
    assert not Absence.objects.filter(pk=absence.pk).exists()
    assert not ClosingDay.objects.filter(pk=closing.pk).exists()
