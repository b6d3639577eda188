"""What a company's provider must look like before Kluis trusts it: an https issuer (plain
HTTP only on loopback outside production), and a discovery document that names that same
issuer and https endpoints. Fetched when an owner saves the configuration, with a short
timeout, so a typo is reported on the form instead of at the first sign-in."""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kluis.identity.sso.models import ProviderKind

WELL_KNOWN = "/.well-known/openid-configuration"
ENTRA_ISSUER = "https://login.microsoftonline.com/{directory}/v2.0"
GOOGLE_ISSUER = "https://accounts.google.com"
GUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
MAX_DOCUMENT_BYTES = 256 * 1024
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def issuer_for(kind: str, issuer: str, directory: str) -> str:
    """The issuer a preset stands for (Entra ID: the directory's; Google: Google's)."""
    if kind == ProviderKind.ENTRA:
        if not GUID_RE.match(directory):
            raise ValidationError(
                {"directory": [_("Enter the directory (tenant) ID: a GUID, as Entra ID shows it.")]}
            )
        return ENTRA_ISSUER.format(directory=directory)
    if kind == ProviderKind.GOOGLE:
        if not DOMAIN_RE.match(directory):
            raise ValidationError(
                {"directory": [_("Enter the Google Workspace domain, for example example.com.")]}
            )
        return GOOGLE_ISSUER
    issuer = issuer.strip().rstrip("/")
    if not issuer:
        raise ValidationError({"issuer": [_("Enter the issuer URL of the provider.")]})
    return issuer


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def acceptable_url(url: str) -> bool:
    """https, or http on loopback where settings.SSO_ALLOW_LOOPBACK_HTTP allows it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    if not host or parts.username or parts.password or parts.fragment:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and settings.SSO_ALLOW_LOOPBACK_HTTP and is_loopback(host)


def _reaches_inside(host: str) -> bool:
    """True when `host` resolves to a private, loopback or link-local address: in
    production an owner must not make Kluis fetch from its own network."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # the fetch itself will report it
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local:
            return True
    return False


def check_issuer(issuer: str) -> None:
    if len(issuer) > 500 or not acceptable_url(issuer):
        raise ValidationError(
            {"issuer": [_("The issuer must be an https:// address (without user name or #).")]}
        )
    host = urlsplit(issuer).hostname or ""
    if settings.PRODUCTION and _reaches_inside(host):
        raise ValidationError(
            {
                "issuer": [
                    _("The issuer must be reachable on the internet, not inside this network.")
                ]
            }
        )


def fetch(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, checked; ValidationError on the issuer field."""
    url = issuer + WELL_KNOWN
    try:
        response = requests.get(
            url,
            timeout=settings.SSO_HTTP_TIMEOUT,
            allow_redirects=False,
            headers={"Accept": "application/json"},
        )
    except requests.RequestException:
        raise ValidationError({"issuer": [_("Could not reach %(url)s.") % {"url": url}]}) from None
    if response.status_code != 200 or len(response.content) > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {
                "issuer": [
                    _("%(url)s answered %(status)s, not an OpenID Connect discovery document.")
                    % {"url": url, "status": response.status_code}
                ]
            }
        )
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ValidationError({"issuer": [_("%(url)s is not JSON.") % {"url": url}]})
    named = str(document.get("issuer", ""))
    if named.rstrip("/") != issuer.rstrip("/"):
        raise ValidationError(
            {
                "issuer": [
                    _("The discovery document names another issuer (%(named)s).")
                    % {"named": named[:200]}
                ]
            }
        )
    for key in ENDPOINTS:
        if not acceptable_url(str(document.get(key, ""))):
            raise ValidationError(
                {"issuer": [_("The discovery document lacks a secure %(name)s.") % {"name": key}]}
            )
    types = document.get("response_types_supported")
    if isinstance(types, list) and "code" not in types:
        raise ValidationError(
            {"issuer": [_("The provider does not offer the authorization code flow.")]}
        )
    return document


def parse_domains(text: str | list[str]) -> list[str]:
    """E-mail domains, one per line or separated by commas or spaces; lowercase, unique."""
    items = text if isinstance(text, list) else re.split(r"[\s,;]+", text or "")
    domains: list[str] = []
    for item in items:
        domain = item.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        if not DOMAIN_RE.match(domain):
            raise ValidationError(
                {"domains": [_("%(domain)s is not an e-mail domain.") % {"domain": domain[:100]}]}
            )
        if domain not in domains:
            domains.append(domain)
    return domains
