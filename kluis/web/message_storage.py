"""Django's messages ("Successfully signed in", "Your session has ended") kept as before,
in a signed cookie with the session as fallback, but under a `__Host-` cookie name like
every other cookie of Kluis (kluis/settings.py): Django's own name, `messages`, would let a
sibling host set or shadow it. The cookie takes the session cookie's flags (Secure,
HttpOnly, SameSite=Lax, Path=/, no Domain)."""

from __future__ import annotations

from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage


class HostCookieStorage(CookieStorage):
    cookie_name = "__Host-kluis_messages"


class MessageStorage(FallbackStorage):
    storage_classes = (HostCookieStorage, SessionStorage)
