"""What a signed-in person is shown: the notes that concern their role, in their language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.releases import notes, services
from kluis.releases.audiences import audiences_of

# The session remembers that its person has nothing new in the running release, so a page
# costs no query once What's new is dismissed (the session lives in the shared database).
SESSION_KEY = "kluis_releases_seen"

TYPE_LABELS = {
    "feature": _("New"),
    "improvement": _("Improved"),
    "fix": _("Fixed"),
    "security": _("Security"),
}


@dataclass(frozen=True)
class ShownNote:
    type: str
    label: str
    text: str


@dataclass(frozen=True)
class ShownRelease:
    version: str
    date: str
    notes: list[ShownNote]


def _actor(request: HttpRequest) -> Actor | None:
    if getattr(request, "membership", None) is None:
        return None
    actor = getattr(request, "actor", None) or Actor.for_request(request)
    request.actor = actor  # type: ignore[attr-defined]
    return actor


def shown(request: HttpRequest, releases: list[notes.Release]) -> list[ShownRelease]:
    """`releases` as the person of `request` reads them: their role's notes only, in their
    language where the note has it (else English); releases with nothing for them left out."""
    audiences = audiences_of(_actor(request), request.user)
    language = get_language() or "en"
    out = []
    for release in releases:
        mine = [
            ShownNote(n.type, str(TYPE_LABELS[n.type]), n.in_language(language))
            for n in notes.for_audiences(release, audiences)
        ]
        if mine:
            out.append(ShownRelease(release.version, release.date, mine))
    return out


def on_sign_in(request: HttpRequest | None, user: Any) -> None:
    """At sign-in: a person with no release left unseen gets pages without a query for it."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if services.unseen(user):
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = notes.current_version()


def panel(request: HttpRequest) -> dict[str, Any]:
    """The What's new panel of this page: empty when the person has nothing new."""
    user = getattr(request, "user", None)
    current = notes.current_version()
    if user is None or not user.is_authenticated:
        return {}
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) == current:
        return {}
    unseen = services.unseen(user)
    releases = shown(request, unseen)
    if not releases:
        if session is not None:
            session[SESSION_KEY] = current
        return {}
    # Dismissing covers every unseen release, also a newer one with nothing for this role.
    return {"whats_new": releases, "whats_new_version": unseen[0].version}
