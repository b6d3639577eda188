"""Helpers of the loopback brute-force tests: a visitor without a browser that speaks
HTTPS to a real Kluis server from a source address of its own on the loopback network
(127.0.0.x are all loopback), and readers of the e-mails the server prints (the console
mailer, with the immediate tasks backend, writes them to the server's log)."""

from __future__ import annotations

import http.client
import quopri
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.e2e.conftest import KluisServer, unverified_tls

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def signed_in(self) -> bool:
        return self.status == 302 and "/accounts/" not in self.headers.get("location", "")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def csrf_token(self) -> str:
        token = CSRF_FIELD.search(self.text)
        assert token, f"no CSRF token on the page ({self.status}):\n{self.text[:500]}"
        return token.group(1)


@dataclass
class Visitor:
    """A browser without a screen: one source address, its own cookies."""

    server: KluisServer
    source: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.server.port,
            source_address=(self.source, 0),
            context=unverified_tls(),
            timeout=30,
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.server.url + path
            headers["Origin"] = self.server.url
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode(errors="replace")
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, text)
        finally:
            connection.close()

    def submit(self, path: str, form: dict[str, str]) -> Response:
        """GET the page for its CSRF token, then POST the form to it (as a browser does)."""
        token = self.request("GET", path).csrf_token()
        return self.request("POST", path, {"csrfmiddlewaretoken": token, **form})

    def sign_in(self, email: str, password: str) -> Response:
        return self.submit("/accounts/login/", {"login": email, "password": password})


def mail_text(server: KluisServer, since: int = 0) -> str:
    """The server's log (from byte `since`) with the console mailer's quoted-printable
    lines decoded."""
    raw = server.log.read_bytes()[since:]
    return quopri.decodestring(raw).decode(errors="replace")


def log_size(server: KluisServer) -> int:
    """Where the server's log ends now: pass it to mail_text/find_link as `since` to read
    only what the server printed after this moment."""
    return server.log.stat().st_size


def find_link(server: KluisServer, pattern: str, since: int = 0) -> str:
    """The last link matching `pattern` in the e-mails the server printed (after `since`);
    waits a little for the mail to be written."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.findall(pattern, mail_text(server, since))
        if found:
            return str(found[-1])
        time.sleep(0.2)
    raise AssertionError(f"no e-mail with {pattern} in the server log:\n" + server.log_tail())


def unblock_link(server: KluisServer, since: int = 0) -> str:
    """The unblock link of the e-mail the server printed (the console mailer)."""
    return find_link(server, r"https://\S+/accounts/unblock/[^/\s]+/", since)
