"""Every write of the calendar's API, for each kind of client: the demo roles signed in as
an app (employee, manager, HR) and API keys of each scope. What each may do follows the
calendar's permissions (kluis/access/permissions.py); a refusal is a 403 problem and
changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from kluis.tenancy.models import Tenant
from kluis.timeoff.models import Absence, ClosingDay, LeaveRequest, LeaveType, MonthLock
from tests.api_client import Api
from tests.timeoff.api.helpers import MemberApi, ask, delete, probe_type
from tests.timeoff.api.test_absences_api import sick
from tests.timeoff.conftest import next_weekday

pytestmark = pytest.mark.django_db

# client -> (create a leave type, approve member1's request, lock a month, add a closing
# day, delete an absence, read the balances list, read absences)
EXPECTED: dict[str, tuple[int, ...]] = {
    "member1@demo-bv.test": (403, 403, 403, 403, 403, 200, 200),
    "manager@demo-bv.test": (403, 200, 403, 403, 403, 200, 200),
    "hr@demo-bv.test": (201, 200, 201, 201, 204, 200, 200),
    "key:timeoff:read": (403, 403, 403, 403, 403, 200, 200),
    # Writing without reading: the request is not one the key reaches (404).
    "key:timeoff:write": (201, 404, 201, 201, 204, 403, 403),
    "key:absence:read": (403, 403, 403, 403, 403, 403, 403),
}


def client_for(name: str, api: Callable[..., Api]) -> Api:
    if name.startswith("key:"):
        return api([name.removeprefix("key:")])
    return MemberApi(name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_client_may_do_what_its_permissions_give(
    name: str, api: Callable[..., Api], bv: Tenant
) -> None:
    client = client_for(name, api)
    request = ask(bv, "member1@demo-bv.test")
    absence = sick(bv)
    probe_type(bv)
    counts = (LeaveType.objects.count(), MonthLock.objects.count(), ClosingDay.objects.count())
    day = next_weekday(dt.date.today() + dt.timedelta(days=120), 2, tenant=bv)
    month = f"{dt.date.today().year - 1}-07"
    got: list[Any] = [
        client.post("/api/v1/leave-types/", {"code": "matrix", "name": "Matrix"}),
        client.post(f"/api/v1/leave-requests/{request.pk}/approve/", {}),
        client.post("/api/v1/month-locks/", {"month": month, "reason": "Payroll"}),
        client.post("/api/v1/closing-days/", {"date": str(day), "name": "Bridge"}),
        delete(client, f"/api/v1/absences/{absence.pk}/"),
        client.get("/api/v1/balances/"),
        client.get("/api/v1/absences/"),
    ]
    statuses = tuple(response.status_code for response in got)
    assert statuses == EXPECTED[name], [r.content[:200] for r in got]
    for response in got:
        if response.status_code == 403:
            assert response["Content-Type"] == "application/problem+json"
    if EXPECTED[name][0] == 403:  # refused: nothing changed
        assert counts == (
            LeaveType.objects.count(),
            MonthLock.objects.count(),
            ClosingDay.objects.count(),
        )
    if EXPECTED[name][1] != 200:
        assert LeaveRequest.objects.get(pk=request.pk).status == "pending"
    if EXPECTED[name][4] != 204:
        assert Absence.objects.filter(pk=absence.pk).exists()
