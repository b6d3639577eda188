"""Ending a person's signed-in sessions: one of them, or all at once.

All at once raises `User.session_generation`, so every session signed in before is signed
out at its next request (kluis.identity.middleware), including sessions allauth does not
list (a session started before session tracking, a test's force_login); the sessions
allauth lists (allauth.usersessions) are also deleted from the session store at once."""

from __future__ import annotations

from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.db.models import F

from kluis.identity.models import User


def end_all_sessions(user: User) -> int:
    """Sign the person out everywhere; the number of listed sessions ended."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    get_adapter().end_sessions(sessions)
    return len(sessions)


def session_of(user: User, pk: int) -> UserSession | None:
    """One of the person's own listed sessions (None for another person's or none)."""
    return UserSession.objects.filter(user_id=user.pk, pk=pk).first()


def end_session(session: UserSession) -> None:
    get_adapter().end_sessions([session])
