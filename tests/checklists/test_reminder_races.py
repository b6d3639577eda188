"""Two workers running the reminders job at once on PostgreSQL send each reminder once:
each claims a task's reminder with one conditional UPDATE, and the second waits for the
first's row lock and then finds it claimed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from kluis.checklists.models import ChecklistTask
from kluis.checklists.services import create_template, send_reminders, start_checklist
from kluis.company.models import Notice
from kluis.integrations.models import DomainEvent
from kluis.people.models import Employee
from tests.conftest import actor_for

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.date(2027, 3, 1)


def test_two_workers_at_once_send_each_reminder_once(demo):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    hr = actor_for("hr@demo-bv.test", "demo-bv")
    tasks = [{"title": f"Task {n}", "owner_role": "hr", "due_offset_days": -n} for n in range(12)]
    template = create_template(
        hr, demo["demo-bv"], {"kind": "onboarding", "name": "Race", "tasks": tasks}
    )
    person = Employee.objects.get(work_email="member1@demo-bv.test")
    checklist = start_checklist(hr, person, template, anchor_date=START)
    mine = ChecklistTask.objects.filter(checklist=checklist)
    ready = threading.Barrier(2)
    sent: list[dict[str, int]] = []

    def worker() -> None:
        try:
            ready.wait(timeout=10)
            sent.append(send_reminders(START + dt.timedelta(days=1)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(sent) == 2
    for task in mine:
        assert DomainEvent.objects.filter(name="task.overdue", object_id=str(task.pk)).count() == 1
    hr_notices = Notice.objects.filter(
        topic="checklist_task.overdue",
        membership__user__email="hr@demo-bv.test",
        title__contains="Task ",
    )
    assert hr_notices.count() == 12  # one per overdue task, whoever sent it
