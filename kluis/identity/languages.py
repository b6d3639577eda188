"""Which language Kluis writes to a person in.

A page is in the language of the browser (or the one chosen with the language switch);
an e-mail the worker sends has no browser to ask, so each person's language is remembered
(`User.language`): at each sign-in, when they switch language while signed in, and, for
someone invited who never signed in, their inviter's. E-mails are written inside
`speaking_to(user)`; a message to several people is written once per person
(`mail_each`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from kluis.identity.models import User


def supported(language: str | None) -> str:
    """`language` as one of settings.LANGUAGES ("nl-be" -> "nl"), or ""."""
    if not language:
        return ""
    codes = {code for code, _name in settings.LANGUAGES}
    code = language.lower().split("-")[0]
    return code if code in codes else ""


def remember(user: User, language: str | None = None) -> None:
    """Keep `language` (default: the active one) as the person's, if it is supported."""
    code = supported(language or translation.get_language())
    if code and user.pk and code != user.language:
        user.language = code
        User.objects.filter(pk=user.pk).update(language=code)


def remember_if_unknown(user: User, language: str | None = None) -> None:
    """The same for someone who never chose (an invited person: their inviter's)."""
    if not user.language:
        remember(user, language)


@contextmanager
def speaking_to(user: User) -> Iterator[str]:
    """Write in the person's language (default: settings.LANGUAGE_CODE)."""
    code = supported(user.language) or settings.LANGUAGE_CODE
    with translation.override(code):
        yield code


def mail_each(users: Iterable[User], compose: Callable[[], tuple[str, str]]) -> int:
    """Send each person the (subject, body) `compose()` writes in their language; how many
    were sent."""
    sent = 0
    for user in users:
        with speaking_to(user):
            subject, body = compose()
        sent += send_mail(subject, body, None, [user.email])
    return sent
