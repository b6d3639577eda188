"""What's new: which releases a person has not seen, and dismissing them.

Decisions (docs/decisions/0027-release-notes.md): the last release seen is kept per user in
the database (every node agrees); a person created while release X runs has seen X (a new
user sees nothing old); a person from before release notes existed (no row) sees the
running release only. Dismissing is a person's own preference, not company data: it is not
written to a company's audit log and emits no domain event.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.releases import notes
from kluis.releases.fragments import parse_version
from kluis.releases.models import ReleaseSeen

logger = logging.getLogger(__name__)


def seen_version(user: Any) -> str | None:
    return ReleaseSeen.objects.filter(user_id=user.pk).values_list("version", flat=True).first()


def unseen(user: Any) -> list[notes.Release]:
    """The releases `user` has not dismissed yet, newest first (whoever they concern)."""
    return notes.newer_than(seen_version(user))


def start_at_current(user: Any) -> None:
    """A new person has seen the running release (called when a user is created)."""
    ReleaseSeen.objects.get_or_create(
        user_id=user.pk,
        defaults={"version": notes.current_version(), "seen_at": timezone.now()},
    )


def dismiss(user: Any, version: str) -> ReleaseSeen:
    """`user` has read What's new up to `version` (a release this Kluis has). Never moves
    back: dismissing an older release after a newer one changes nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(_("Sign in first."))
    known = {r.version for r in notes.releases()}
    if version not in known or parse_version(version) > parse_version(notes.current_version()):
        raise ValidationError(_("This Kluis has no such release."))
    with transaction.atomic():
        row = ReleaseSeen.objects.select_for_update().filter(user_id=user.pk).first()
        now = timezone.now()
        if row is None:
            row = ReleaseSeen.objects.create(user_id=user.pk, version=version, seen_at=now)
        elif (notes.version_key(row.version) or (0, 0, 0)) < parse_version(version):
            row.version = version
            row.seen_at = now
            row.save(update_fields=["version", "seen_at"])
    logger.info("release notes dismissed", extra={"release": row.version})
    return row
