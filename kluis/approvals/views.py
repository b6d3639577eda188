"""The two-person rule's pages: the requests waiting for me, mine and all of them; one
request with its exact change and the decision; the company's choice (Settings).

Thin: who sees and decides what is kluis.approvals.selectors' and services' rule."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.approvals import registry, selectors, services
from kluis.approvals.forms import PolicyForm, RejectForm
from kluis.approvals.models import ApprovalRequest, Status
from kluis.identity.stepup import needs_step_up, step_up_redirect

SHOWS = ("waiting", "mine", "all")


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _request_in(actor: Actor, pk: int) -> ApprovalRequest:
    """The request, when this actor may see it; a 404 otherwise (another company's, or
    one they are neither the requester, a decider nor an audit reader of)."""
    found = ApprovalRequest.objects.for_actor(actor).filter(pk=pk).first()
    if found is None or not selectors.may_view(actor, found):
        raise Http404
    return found


def _error_text(error: ValidationError | PermissionDenied) -> str:
    return "; ".join(getattr(error, "messages", None) or [str(error)])


@member_required()
def request_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    reads_all = selectors.reads_all(actor)
    show = request.GET.get("show", "waiting")
    if show not in SHOWS or (show == "all" and not reads_all and not _decides_any(actor)):
        show = "waiting"
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    if show == "waiting":
        rows = selectors.waiting_for(actor)
    elif show == "mine":
        rows = selectors.requested_by(actor, status)
    else:
        rows = selectors.visible(actor, status)
    return render(
        request,
        "approvals/list.html",
        {
            "rows": [(row, _label(row)) for row in rows],
            "show": show,
            "status": status,
            "statuses": Status.choices,
            "may_see_all": reads_all or _decides_any(actor),
            "can_manage": can_for(actor, "approvals.manage"),
        },
    )


def _decides_any(actor: Actor) -> bool:
    return any(
        all(can_for(actor, permission) for permission in action.approve_permissions)
        for action in registry.all_actions()
    )


def _label(row: ApprovalRequest) -> str:
    return str(registry.get(row.action).label) if registry.is_registered(row.action) else row.action


@member_required()
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    row = _request_in(actor, pk)
    return _render_detail(request, actor, row)


def _render_detail(
    request: HttpRequest, actor: Actor, row: ApprovalRequest, reject_form: RejectForm | None = None
) -> HttpResponse:
    action = registry.get(row.action)
    pending = row.status == Status.PENDING
    is_requester = actor.user_id is not None and actor.user_id == row.requested_by_user_id
    may_decide = pending and services.may_decide(actor, row)
    return render(
        request,
        "approvals/detail.html",
        {
            "req": row,
            "action": action,
            "changes": services.changes_for(row, actor),
            "pending": pending,
            "is_requester": is_requester,
            "may_decide": may_decide,
            "reject_form": reject_form or RejectForm(),
            "result_url": (row.result or {}).get("url", ""),
        },
        status=400 if reject_form is not None else 200,
    )


@member_required()
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    row = _request_in(actor, pk)
    if not services.may_decide(actor, row):
        raise PermissionDenied(_("You cannot decide on this request: a second person must."))
    detail = reverse("approvals:detail", args=[row.pk])
    if needs_step_up(request):  # a sensitive action: a recent password or second factor
        return step_up_redirect(request, detail)
    page = confirm_first(
        request,
        title=_("Approve this request?"),
        message=_("%(action)s: %(target)s, asked by %(who)s. It is applied at once, in your name.")
        % {
            "action": registry.get(row.action).label,
            "target": row.target_label,
            "who": row.requested_by_label,
        },
        button=_("Approve and apply"),
        cancel=detail,
    )
    if page is not None:
        return page
    try:
        services.approve(actor, row)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Approved: the change is applied."))
    return redirect(detail)


@member_required()
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    row = _request_in(actor, pk)
    if not services.may_decide(actor, row):
        raise PermissionDenied(_("You cannot decide on this request: a second person must."))
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, actor, row, form)
    try:
        services.reject(actor, row, form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Rejected: nothing was changed."))
    return redirect("approvals:detail", pk=row.pk)


@member_required()
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    row = _request_in(actor, pk)
    detail = reverse("approvals:detail", args=[row.pk])
    page = confirm_first(
        request,
        title=_("Withdraw this request?"),
        message=_("Nothing of it will be applied; ask again to do it later."),
        button=_("Withdraw"),
        cancel=detail,
    )
    if page is not None:
        return page
    try:
        services.withdraw(actor, row)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Withdrawn: nothing was changed."))
    return redirect(detail)


@member_required("approvals.manage")
def policy_settings(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    tenant = request.tenant  # type: ignore[attr-defined]
    policy = services.policy_for(tenant)
    initial = {
        "actions": list(policy.actions),
        "wage_change_percent": policy.wage_change_percent,
        "expiry_hours": policy.expiry_hours,
    }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_policy(actor, tenant, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The two-person rule is saved."))
            return redirect("approvals:settings")
    return render(
        request,
        "approvals/settings.html",
        {
            "form": form,
            "actions": registry.optional_actions(),
            "owners": services.owners(tenant),
        },
        status=400 if form.errors else 200,
    )
