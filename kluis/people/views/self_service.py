"""Self-service: My profile, the bank account and emergency contacts. Views parse input
and call the People services and selectors, which authorise, validate and audit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.identity.stepup import require_recent_factor
from kluis.people import selectors, services
from kluis.people.fields import EMPLOYEE_FIELDS
from kluis.people.forms.self_service import (
    PROFILE_FIELDS,
    BankAccountForm,
    EmergencyContactForm,
    MyProfileForm,
    add_errors,
)
from kluis.people.models import (
    CustomFieldDefinition,
    Employee,
    Employment,
    WagePeriod,
)
from kluis.people.permissions import actor_employee_id, can_on
from kluis.people.read_audit import one_read_event
from kluis.people.records import sealed_value
from kluis.people.views.display import format_address, shown

# My profile, section by section (a field the actor may not see is left out).
PROFILE_SECTIONS: list[tuple[str, Any, list[str]]] = [
    (
        "basic",
        gettext_lazy("About you"),
        [
            "first_name",
            "last_name",
            "preferred_name",
            "employee_number",
            "status",
            "work_email",
            "work_phone",
        ],
    ),
    ("job", gettext_lazy("Job"), ["job_title", "department", "team", "manager"]),
    (
        "personal",
        gettext_lazy("Private details"),
        ["private_email", "private_phone", "birth_date", "nationality", "gender", "address"],
    ),
    ("sensitive", gettext_lazy("Identity and bank account"), ["national_id", "iban"]),
]


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def _own_employee(request: HttpRequest) -> Employee | None:
    """The signed-in person's own file in the current company, if HR has made one."""
    pk = actor_employee_id(_actor(request))
    if pk is None:
        return None
    return (
        Employee.objects.for_actor(_actor(request))
        .select_related("tenant", "department", "team", "manager")
        .filter(pk=pk)
        .first()
    )


def _no_file(request: HttpRequest) -> HttpResponse:
    return render(request, "people/self/no_file.html")


def _not_allowed(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "people/self/not_allowed.html", {"message": message}, status=403)


def _profile_sections(values: dict[str, Any]) -> list[dict[str, Any]]:
    sections = []
    for key, title, names in PROFILE_SECTIONS:
        rows = []
        for name in names:
            if name not in values:
                continue
            value = values[name]
            rows.append(
                {
                    "name": name,
                    "label": EMPLOYEE_FIELDS[name].label,
                    "value": shown(name, value),
                    "lines": format_address(value) if name == "address" else None,
                }
            )
        if rows:
            sections.append({"key": key, "title": title, "rows": rows})
    return sections


def _current_contract(employee: Employee) -> Employment | None:
    today = timezone.localdate()
    contracts = list(employee.employments.all())
    for contract in contracts:
        if contract.start_date <= today and (
            contract.end_date is None or contract.end_date >= today
        ):
            return contract
    return contracts[0] if contracts else None


def _custom_values(actor: Actor, employee: Employee) -> list[dict[str, Any]]:
    rows = []
    for definition in CustomFieldDefinition.objects.for_actor(actor).filter(is_active=True):
        value = employee.custom_fields.get(definition.key)
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        rows.append({"label": definition.label, "value": "" if value is None else value})
    return rows


def _period_label(period: str) -> str:
    return str(WagePeriod(period).label) if period in WagePeriod.values else period


# --- My profile ------------------------------------------------------------------------------


@member_required()
def my_profile(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    me = _own_employee(request)
    if me is None:
        return _no_file(request)
    with one_read_event():  # one visit, one audit event (docs/security.md)
        values = selectors.profile(actor, me, reveal=True)
        wages = selectors.wages(actor, me)
        components = selectors.wage_components(actor, me)
    editable = services.editable_fields(actor, me)
    may_see_job = can_on(actor, "people.view", me)
    context = {
        "employee": me,
        "sections": _profile_sections(values),
        "contract": _current_contract(me) if may_see_job else None,
        "custom_values": _custom_values(actor, me) if may_see_job else [],
        "wages": [{"row": w, "period": _period_label(w.period)} for w in wages]
        if wages is not None
        else None,
        "components": [
            {"component": c, "amount": amount, "period": _period_label(c.period)}
            for c, amount in components
        ]
        if components
        else [],
        "contacts": list(me.emergency_contacts.all())
        if can_on(actor, "people.view_personal", me)
        else None,
        "can_edit_profile": bool(MyProfileForm(editable=editable).editable),
        "can_change_bank": "iban" in editable,
        "can_edit_contacts": _may_edit_contacts(editable),
        "can_change_photo": "photo" in editable,
    }
    return render(request, "people/self/my_profile.html", context)


def _may_edit_contacts(editable: set[str]) -> bool:
    return "emergency_contacts" in editable or editable >= services.HIRE_FIELDS


def _profile_initial(actor: Actor, me: Employee, editable: set[str]) -> dict[str, Any]:
    """Current values of the fields on the form. Only the address is sealed among them, and
    it is personal data the employee may read (not an audited sensitive read)."""
    values: dict[str, Any] = {
        name: getattr(me, name) for name in PROFILE_FIELDS if name in editable and name != "address"
    }
    if "address" in editable and can_on(actor, EMPLOYEE_FIELDS["address"].permission, me):
        values["address"] = sealed_value(me, "address")
    return MyProfileForm.initial_from(values, me.version)


@member_required()
def my_profile_edit(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    me = _own_employee(request)
    if me is None:
        return _no_file(request)
    editable = services.editable_fields(actor, me)
    form = MyProfileForm(
        request.POST if request.method == "POST" else None,
        editable=editable,
        initial=_profile_initial(actor, me, editable),
    )
    if not form.editable:
        return _not_allowed(
            request, _("Your company does not let employees change these details; ask HR.")
        )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_employee(
                actor, me, form.changes(), expected_version=form.cleaned_data["version"]
            )
        except services.StaleVersionError as error:
            form.add_error(None, str(error))
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            if saved.version == form.cleaned_data["version"]:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(request, _("Your details were saved."))
            return redirect("people:my_profile")
    return render(request, "people/self/my_profile_edit.html", {"form": form, "employee": me})


@member_required()
@require_recent_factor
def my_bank_account(request: HttpRequest) -> HttpResponse:
    """Changing where one's pay goes asks for the password again and tells HR."""
    actor = _actor(request)
    me = _own_employee(request)
    if me is None:
        return _no_file(request)
    if "iban" not in services.editable_fields(actor, me):
        return _not_allowed(
            request, _("Your company does not let employees change their bank account; ask HR.")
        )
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # member_required: signed in
    form = BankAccountForm(
        request.POST if request.method == "POST" else None, initial={"version": me.version}
    )
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("That is not your current password."))
        else:
            actor.reauthenticated = True  # type: ignore[attr-defined]
            try:
                services.update_employee(
                    actor,
                    me,
                    {"iban": form.cleaned_data["iban"]},
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleVersionError as error:
                form.add_error(None, str(error))
            except (ValidationError, PermissionDenied) as error:
                add_errors(form, error)
            else:
                messages.success(
                    request, _("Your bank account was changed. HR has been told about it.")
                )
                return redirect("people:my_profile")
            finally:
                actor.reauthenticated = False  # type: ignore[attr-defined]
    context = {
        "form": form,
        "employee": me,
        "has_password": user.has_usable_password(),
    }
    return render(request, "people/self/my_bank_account.html", context)


@member_required()
def my_contacts_add(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    me = _own_employee(request)
    if me is None:
        return _no_file(request)
    if not _may_edit_contacts(services.editable_fields(actor, me)):
        return _not_allowed(
            request, _("Your company does not let employees change their emergency contacts.")
        )
    form = EmergencyContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.add_emergency_contact(actor, me, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s was added as emergency contact.") % {"name": contact.name}
            )
            return redirect("people:my_profile")
    return render(request, "people/self/contact_form.html", {"form": form, "employee": me})


@require_POST
@member_required()
def my_contacts_remove(request: HttpRequest, contact_pk: int) -> HttpResponse:
    actor = _actor(request)
    me = _own_employee(request)
    if me is None:
        raise Http404("No such contact")
    contact = me.emergency_contacts.select_related("employee__tenant").access_by_id(
        actor, contact_pk, not_found="No such contact"
    )
    page = confirm_first(
        request,
        title=_("Remove %(name)s from your emergency contacts?") % {"name": contact.name},
        message=_("Nobody will call %(name)s in an emergency any more.") % {"name": contact.name},
        button=_("Remove contact"),
        cancel=reverse("people:my_profile"),
    )
    if page is not None:
        return page
    try:
        services.remove_emergency_contact(actor, contact)
    except PermissionDenied:
        messages.error(
            request, _("Your company does not let employees change their emergency contacts.")
        )
    else:
        messages.success(request, _("The emergency contact was removed."))
    return redirect("people:my_profile")
