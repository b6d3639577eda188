"""The checklists' panel on an employee's HR profile (registered with
kluis.people.profile_panels): each checklist the viewer may see, with its progress and
tasks; and, for HR, the offer to start the matching onboarding (right after a hire) or
offboarding (once the contract has an end date) when none is open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.checklists import selectors
from kluis.checklists.links import link_of
from kluis.checklists.models import ChecklistTask, Kind, Status
from kluis.people.models import Employee

RECENT_DAYS = 60


def _offers(actor: Actor, employee: Employee, running: set[str]) -> list[dict[str, Any]]:
    if not can_for(actor, selectors.MANAGE):
        return []
    offers = []
    today = timezone.localdate()
    for kind in Kind:
        if kind in running:
            continue
        anchor = selectors.default_anchor(employee, kind)
        if anchor is None or anchor < today - dt.timedelta(days=RECENT_DAYS):
            # Offered around a start or a last working day (ending the contract sets one),
            # not for long-serving staff nor for someone who left long ago.
            continue
        template = selectors.matching_template(employee.tenant_id, kind, employee)
        if template is not None:
            offers.append({"kind": kind, "template": template, "anchor": anchor})
    return offers


def panel(request: Any, actor: Actor, employee: Employee) -> str:
    checklists = selectors.checklists_of(actor, employee)
    running = {c.kind for c in checklists if c.status != Status.CANCELLED}
    offers = _offers(actor, employee, running)
    if not checklists and not offers:
        return ""
    today = timezone.localdate()
    tasks: dict[int, list[ChecklistTask]] = {}
    for task in (
        ChecklistTask.objects.for_actor(actor)
        .filter(checklist__in=[c.pk for c in checklists])
        .select_related("assignee__user", "checklist")
        .order_by("due_date", "position", "pk")
    ):
        tasks.setdefault(task.checklist_id, []).append(task)
    shown = [
        {
            "checklist": checklist,
            "progress": selectors.progress(checklist, today),
            "tasks": [
                {"task": t, "overdue": selectors.is_overdue(t, today), "link": link_of(t)}
                for t in tasks.get(checklist.pk, [])
            ],
        }
        for checklist in checklists[:3]
    ]
    return render_to_string(
        "checklists/profile_panel.html",
        {"employee": employee, "shown": shown, "offers": offers},
        request=request,
    )
