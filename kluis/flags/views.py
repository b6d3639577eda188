"""The operators' page of feature flags: every flag, its rules, and a form to change them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kluis.access.confirm import confirm_first
from kluis.access.operators import operator_actor, operator_required
from kluis.flags import services
from kluis.flags.forms import RuleForm
from kluis.flags.selectors import overview


@require_http_methods(["GET", "POST"])
@operator_required
def operator_flags(request: HttpRequest) -> HttpResponse:
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = operator_actor(request)
        name, state = form.cleaned_data["flag"], form.cleaned_data["state"]
        if state == "clear" and (
            page := confirm_first(
                request,
                title=_("Remove this rule of the flag %(name)s?") % {"name": name},
                message=_(
                    "Whoever the rule reached gets what the flag's other rules, or its "
                    "default, give them from now on."
                ),
                button=_("Remove rule"),
                cancel=reverse("operator-flags"),
            )
        ):
            return page
        try:
            if state == "clear":
                changed = services.clear_rules(actor, name, form.target) > 0
            else:
                changed = services.set_rule(actor, name, form.target, on=state == "on")
        except services.FlagRuleError as exc:
            form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(request, _("Flag %(name)s changed.") % {"name": name})
            else:
                messages.info(request, _("Flag %(name)s was already so.") % {"name": name})
            return redirect("operator-flags")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "flags/operator_flags.html",
        {"flags": overview(), "form": form},
        status=status,
    )
