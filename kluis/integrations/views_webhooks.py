"""Settings > Webhooks: the company's subscriptions, a new one (its secret shown once), a
subscription's page (edit, turn on or off, ping, rotate the secret, delete) with its
recent deliveries and their attempts (replay one, or everything since a moment).

The subscription's page watches for news while it is open: a small htmx element asks
every few seconds whether anything changed (a fingerprint of the deliveries and the
state) and redraws the state and the deliveries only when it did, so what a person
opened stays open. It stops after WATCH_POLLS requests (a page left open must not keep a
session alive forever) and offers a button to watch again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.access.forms import add_service_errors, service_error_text
from kluis.identity.stepup import needs_step_up, step_up_redirect
from kluis.integrations import selectors_webhooks as selectors
from kluis.integrations.forms_webhooks import ReplaySinceForm, SubscriptionForm
from kluis.integrations.views import _issue_once, _use_once
from kluis.integrations.webhooks import services
from kluis.integrations.webhooks.models import WebhookSubscription

MANAGE = "integrations.manage_webhooks"
WATCH_SECONDS = 3
WATCH_POLLS = 40  # two minutes
Refusal = (ValidationError, PermissionDenied)


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _detail(pk: int) -> str:
    return reverse("integrations:webhook", args=[pk])


@require_GET
@member_required(MANAGE)
def webhook_list(request: HttpRequest) -> HttpResponse:
    subscriptions = list(selectors.subscriptions_for(_actor(request)))
    for subscription in subscriptions:
        subscription.state = selectors.state_of(subscription)  # type: ignore[attr-defined]
    return render(request, "integrations/webhooks/list.html", {"subscriptions": subscriptions})


@require_http_methods(["GET", "POST"])
@member_required(MANAGE)
def webhook_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if needs_step_up(request):
            return step_up_redirect(request, reverse("integrations:webhook_new"))
        if not _use_once(request):
            return redirect("integrations:webhooks")
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            try:
                subscription, secret = services.create_subscription(
                    _actor(request),
                    request.tenant,  # type: ignore[attr-defined]
                    form.service_data(),
                    api_base=request.build_absolute_uri("/").rstrip("/"),
                )
            except Refusal as error:
                add_service_errors(form, error)
            else:
                # Shown in this answer only: the secret is stored sealed and never again
                # readable (a reload sends the used form again and is refused).
                return _detail_page(request, subscription, new_secret=secret, created=True)
    else:
        form = SubscriptionForm()
    return render(
        request,
        "integrations/webhooks/form.html",
        {"form": form, "once": _issue_once(request), "subscription": None},
    )


@member_required(MANAGE)
def webhook_detail(request: HttpRequest, webhook_pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(_actor(request), webhook_pk)
    if request.method not in ("GET", "HEAD"):  # after the lookup: not yours is a 404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        before = int(request.GET["before"]) if "before" in request.GET else None
    except ValueError:
        before = None
    return _detail_page(request, subscription, before=before)


def _detail_context(
    request: HttpRequest, subscription: WebhookSubscription, *, before: int | None = None
) -> dict[str, Any]:
    deliveries, older = selectors.recent_deliveries(subscription, before=before)
    return {
        "subscription": subscription,
        "state": selectors.state_of(subscription),
        "deliveries": deliveries,
        "older": older,
        "paged": before is not None,
        "fingerprint": selectors.fingerprint(subscription),
        "watch_seconds": WATCH_SECONDS,
    }


def _detail_page(
    request: HttpRequest,
    subscription: WebhookSubscription,
    *,
    before: int | None = None,
    **extra: Any,
) -> HttpResponse:
    context = _detail_context(request, subscription, before=before)
    context.update(
        {
            "event_names": subscription.event_types,
            "once": _issue_once(request),
            "replay_form": extra.pop("replay_form", None) or ReplaySinceForm(),
            "polls": 0,
            **extra,
        }
    )
    return render(request, "integrations/webhooks/detail.html", context)


@member_required(MANAGE)
def webhook_watch(request: HttpRequest, webhook_pk: int) -> HttpResponse:
    """The page's watcher: a new watcher, with the state and deliveries redrawn (out of
    band) when they changed since the fingerprint the page has."""
    subscription = selectors.subscription_for(_actor(request), webhook_pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        polls = max(0, int(request.GET.get("polls", "0")))
    except ValueError:
        polls = 0
    context = _detail_context(request, subscription)
    context.update(
        {
            "polls": polls + 1,
            "changed": request.GET.get("seen") != context["fingerprint"],
            "watching": polls + 1 < WATCH_POLLS,
        }
    )
    response = render(request, "integrations/webhooks/watch.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@member_required(MANAGE)
def webhook_edit(request: HttpRequest, webhook_pk: int) -> HttpResponse:
    actor = _actor(request)
    subscription = selectors.subscription_for(actor, webhook_pk)
    if request.method == "POST":
        if needs_step_up(request):
            return step_up_redirect(
                request, reverse("integrations:webhook_edit", args=[webhook_pk])
            )
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            old_url = subscription.url
            try:
                saved = services.update_subscription(actor, subscription, form.service_data())
            except Refusal as error:
                add_service_errors(form, error)
            else:
                if saved.url != old_url:
                    messages.success(
                        request,
                        _(
                            "Saved. A ping was sent to the new URL: events wait until it "
                            "answers with 2xx."
                        ),
                    )
                else:
                    messages.success(request, _("Saved."))
                return redirect(_detail(webhook_pk))
    else:
        form = SubscriptionForm.for_subscription(subscription)
    return render(
        request,
        "integrations/webhooks/form.html",
        {"form": form, "subscription": subscription},
    )


@require_POST
@member_required(MANAGE)
def webhook_toggle(request: HttpRequest, webhook_pk: int) -> HttpResponse:
    actor = _actor(request)
    subscription = selectors.subscription_for(actor, webhook_pk)
    enable = request.POST.get("enabled") == "on"
    try:
        services.update_subscription(actor, subscription, {"enabled": enable})
    except Refusal as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(
            request,
            _("The webhook is on: what is pending is delivered, in order.")
            if enable
            else _("The webhook is off: events are not sent to it until you turn it on."),
        )
    return redirect(_detail(webhook_pk))


@require_POST
@member_required(MANAGE)
def webhook_ping(request: HttpRequest, webhook_pk: int) -> HttpResponse:
    actor = _actor(request)
    subscription = selectors.subscription_for(actor, webhook_pk)
    try:
        services.send_ping(actor, subscription)
    except Refusal as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, _("A ping is on its way; it shows below when it was sent."))
    return redirect(_detail(webhook_pk))


@require_POST
@member_required(MANAGE)
def webhook_rotate(request: HttpRequest, webhook_pk: int) -> HttpResponse:
    actor = _actor(request)
    subscription = selectors.subscription_for(actor, webhook_pk)
    if needs_step_up(request):
        return step_up_redirect(request, _detail(webhook_pk))
    page = confirm_first(
        request,
        title=_("Rotate the signing secret of %(url)s?") % {"url": subscription.url},
        message=_(
            "A new secret is made and shown once. The current one keeps working for 24 "
            "hours: update the receiver before then."
        ),
        button=_("Rotate secret"),
        cancel=_detail(webhook_pk),
    )
    if page is not None:
        return page
    if not _use_once(request):
        return redirect(_detail(webhook_pk))
    try:
        secret = services.rotate_secret(actor, subscription)
    except Refusal as error:
        messages.error(request, service_error_text(error))
        return redirect(_detail(webhook_pk))
    subscription.refresh_from_db()
    return _detail_page(request, subscription, new_secret=secret, rotated=True)


@require_http_methods(["GET", "POST"])
@member_required(MANAGE)
def webhook_delete(request: HttpRequest, webhook_pk: int) -> HttpResponse:
    actor = _actor(request)
    subscription = selectors.subscription_for(actor, webhook_pk)
    if request.method == "POST":
        try:
            services.delete_subscription(actor, subscription)
        except Refusal as error:
            messages.error(request, service_error_text(error))
            return redirect(_detail(webhook_pk))
        messages.success(
            request, _("The webhook to %(url)s was deleted.") % {"url": subscription.url}
        )
        return redirect("integrations:webhooks")
    return render(request, "integrations/webhooks/delete.html", {"subscription": subscription})


@require_POST
@member_required(MANAGE)
def delivery_replay(request: HttpRequest, webhook_pk: int, delivery_pk: int) -> HttpResponse:
    actor = _actor(request)
    subscription = selectors.subscription_for(actor, webhook_pk)
    delivery = selectors.delivery_for(subscription, delivery_pk)
    try:
        services.replay_delivery(actor, delivery)
    except Refusal as error:
        messages.error(request, service_error_text(error))
    else:
        said = (
            _("%(type)s %(id)s is sent again, with the same webhook-id.")
            if subscription.enabled
            else _(
                "%(type)s %(id)s will be sent again, with the same webhook-id, when the "
                "webhook is turned on."
            )
        )
        messages.success(request, said % {"type": delivery.event_type, "id": delivery.message_id})
    return redirect(_detail(webhook_pk))


@require_POST
@member_required(MANAGE)
def webhook_replay_since(request: HttpRequest, webhook_pk: int) -> HttpResponse:
    actor = _actor(request)
    subscription = selectors.subscription_for(actor, webhook_pk)
    form = ReplaySinceForm(request.POST)
    if form.is_valid():
        try:
            count = services.replay_since(actor, subscription, form.cleaned_data["since"])
        except Refusal as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Nothing to send again: every event since then was delivered.")
                if count == 0
                else ngettext(
                    "%(count)d event is sent again.",
                    "%(count)d events are sent again.",
                    count,
                )
                % {"count": count},
            )
            return redirect(_detail(webhook_pk))
    return _detail_page(request, subscription, replay_form=form)
