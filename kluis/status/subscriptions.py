"""E-mail subscription to incidents, with double opt-in.

Asking to subscribe never tells whether the address is subscribed already: the answer is
the same, and the address gets a mail (a confirmation link, or, when it is confirmed
already, a note with its unsubscribe link). Links carry a signature of the subscriber and
address (no token is stored); confirming takes a POST (a mail scanner following the link
confirms nothing); every mail carries an unsubscribe link (and List-Unsubscribe headers)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.identity.languages import supported
from kluis.status.incidents import status_label
from kluis.status.models import IncidentUpdate, Subscriber

CONFIRM_SALT = "kluis.status.confirm"
UNSUBSCRIBE_SALT = "kluis.status.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def site_url(base_url: str = "") -> str:
    """Where links in mail point: KLUIS_PUBLIC_URL, else the address the request came
    through, else the first allowed host."""
    if settings.PUBLIC_URL:
        return str(settings.PUBLIC_URL)
    if base_url:
        return base_url.rstrip("/")
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"]
    return f"https://{hosts[0] if hosts else 'localhost'}"


def _token(subscriber: Subscriber, salt: str) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=salt)


def subscriber_for(token: str, salt: str, max_age: int | None = None) -> Subscriber | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    return Subscriber.objects.filter(pk=data["s"], email=str(data.get("e", ""))).first()


def _audit(action: str, subscriber: Subscriber) -> None:
    from kluis.audit.platform import record_operator

    # The subscriber's number only: an address is personal data, kept out of the log.
    record_operator(
        Actor.system("status page"),
        action,
        object_type="status.subscriber",
        object_id=str(subscriber.pk),
    )


def request_subscription(email: str, language: str, base_url: str) -> None:
    """Someone asked for incident mail for `email`: mail it a confirmation link (or, if it
    is confirmed already, its unsubscribe link). Raises ValidationError for a malformed
    address only."""
    email = (email or "").strip().lower()
    validate_email(email)
    if len(email) > 254:
        raise ValidationError(_("Enter a valid email address."))
    language = supported(language) or settings.LANGUAGE_CODE
    from kluis.status.tasks import send_confirmation

    with transaction.atomic():
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, language=language)
            except IntegrityError:  # the same address asked twice at once
                subscriber = Subscriber.objects.get(email=email)
            else:
                _audit("status.subscription_requested", subscriber)
        pk = subscriber.pk
        transaction.on_commit(lambda: send_confirmation.enqueue(pk, site_url(base_url)))


def confirm(token: str) -> bool:
    subscriber = subscriber_for(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    if subscriber is None:
        return False
    if subscriber.confirmed_at is None:
        with transaction.atomic():
            Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
                confirmed_at=timezone.now()
            )
            _audit("status.subscription_confirmed", subscriber)
    return True


def unsubscribe(token: str) -> bool:
    subscriber = subscriber_for(token, UNSUBSCRIBE_SALT)
    if subscriber is None:
        return False
    with transaction.atomic():
        _audit("status.unsubscribed", subscriber)
        subscriber.delete()
    return True


def _mail(subscriber: Subscriber, subject: str, body: str, base: str) -> int:
    unsubscribe_url = base + reverse(
        "status:unsubscribe", args=[_token(subscriber, UNSUBSCRIBE_SALT)]
    )
    body += "\n\n-- \n" + _("Stop these mails: %(url)s") % {"url": unsubscribe_url}
    message = EmailMessage(
        subject,
        body,
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    return message.send()


def send_confirmation(subscriber_id: int, base_url: str) -> int:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return 0
    base = site_url(base_url)
    title = settings.STATUS_TITLE
    with translation.override(subscriber.language or settings.LANGUAGE_CODE):
        if subscriber.confirmed_at is not None:
            subject = _("%(title)s status: you are subscribed") % {"title": title}
            body = _(
                "Someone asked to subscribe this address to the incidents of the "
                "%(title)s status page. It is subscribed already: nothing changed."
            ) % {"title": title}
        else:
            link = base + reverse("status:confirm", args=[_token(subscriber, CONFIRM_SALT)])
            subject = _("%(title)s status: confirm your subscription") % {"title": title}
            body = _(
                "Someone (we hope you) asked to receive the incidents of the %(title)s "
                "status page at this address. Confirm within 7 days:\n\n%(link)s\n\n"
                "If you did not ask for this, ignore this mail: you will get nothing more."
            ) % {"title": title, "link": link}
        return _mail(subscriber, subject, body, base)


def mail_update(update_id: int) -> int:
    update = IncidentUpdate.objects.select_related("incident").filter(pk=update_id).first()
    if update is None:
        return 0
    incident = update.incident
    base = site_url()
    sent = 0
    subscribers = Subscriber.objects.filter(confirmed_at__isnull=False).order_by("pk")
    for subscriber in subscribers.iterator():
        with translation.override(subscriber.language or settings.LANGUAGE_CODE):
            subject = f"[{settings.STATUS_TITLE}] {incident.title}: " + status_label(
                incident.kind, update.status
            )
            body = (
                f"{incident.title}\n{status_label(incident.kind, update.status)} · "
                f"{update.created_at:%Y-%m-%d %H:%M} UTC\n\n{update.message}\n\n"
                + _("Status page: %(url)s")
                % {"url": base + reverse("status:page")}
            )
            sent += _mail(subscriber, subject, body, base)
    return sent
