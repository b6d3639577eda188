"""How a sign-in is described to the person it belongs to: "Firefox on Windows", not a
200-character user agent; "Password and authenticator app", not "password+totp"."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# Checked in order: Edge and Opera carry "Chrome", Chrome carries "Safari".
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chromium", "Chromium"),
    ("HeadlessChrome", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_agent(agent: str) -> str:
    """ "Firefox on Windows" (or the part that is known; "" for an empty agent). A
    program that is no browser keeps its first word ("curl/8.5.0" -> "curl")."""
    if not agent:
        return ""
    browser = next((name for token, name in _BROWSERS if re.search(rf"\b{token}/", agent)), "")
    system = next((name for token, name in _SYSTEMS if token in agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    return agent.split("/", 1)[0].split(" ", 1)[0][:40]


def describe_method(method: str) -> str:
    """A sign-in method as recorded in the audit log, in words."""
    names = {
        "password": _("Password"),
        "password+totp": _("Password and authenticator app"),
        "password+recovery_codes": _("Password and recovery code"),
        "password+webauthn": _("Password and passkey"),
        "passkey": _("Passkey"),
        "sso": _("Single sign-on"),
        "second factor code": _("Authenticator app or recovery code"),
    }
    return names.get(method, method)
