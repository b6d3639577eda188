"""Where a task is done: the Kluis page its `completion` names (the employee's own
profile pages for their tasks, the HR file for HR's), or a path HR gave."""

from __future__ import annotations

from django.urls import reverse

from kluis.checklists.models import ChecklistTask, Completion

OWN_PAGES = {
    Completion.MY_PROFILE: "people:my_profile_edit",
    Completion.BANK_ACCOUNT: "people:my_bank_account",
    Completion.EMERGENCY_CONTACT: "people:my_contacts_add",
}


def link_of(task: ChecklistTask) -> str:
    if task.completion in OWN_PAGES:
        return reverse(OWN_PAGES[Completion(task.completion)])
    if task.completion == Completion.HR_FILE:
        return reverse("people:edit", args=[task.checklist.employee_id])
    if task.completion == Completion.CONTRACT:
        return reverse("people:detail", args=[task.checklist.employee_id]) + "?tab=job"
    if task.completion == Completion.PATH:
        return task.completion_path
    return ""
