"""What a browser gets over the wire: TLS versions, security headers, cookie flags."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import threading
import warnings
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import LOGIN_PATH, KluisServer, login, unverified_tls

pytestmark = pytest.mark.e2e


def get(server: KluisServer, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", server.port, context=unverified_tls(), timeout=10
    )
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_carry_the_security_headers(kluis_server: KluisServer) -> None:
    response = get(kluis_server, LOGIN_PATH)
    assert response.status == 200

    hsts = response.getheader("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= 31536000, hsts
    assert "includeSubDomains" in hsts
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("X-Frame-Options") == "DENY"
    # No server banner: granian sends the application's (empty) Server header, not its name.
    assert response.getheader("Server", "") == "", response.getheaders()

    csp = csp_directives(response.getheader("Content-Security-Policy", ""))
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert any(v.startswith("'nonce-") for v in csp["script-src"]), csp["script-src"]
    for directive in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in csp.get(directive, []), directive
        assert "'unsafe-eval'" not in csp.get(directive, []), directive


@pytest.mark.parametrize("path", ["/api/v1/employees/", "/no-such-page/", "/health/live"])
def test_no_response_names_the_web_server(kluis_server: KluisServer, path: str) -> None:
    response = get(kluis_server, path)
    assert response.status in {200, 401, 404}
    assert [v for k, v in response.getheaders() if k.lower() == "server"] == [""]


def test_csp_nonce_is_fresh_for_every_response(kluis_server: KluisServer) -> None:
    def nonce() -> str:
        header = get(kluis_server, LOGIN_PATH).getheader("Content-Security-Policy", "")
        return next(v for v in csp_directives(header)["script-src"] if v.startswith("'nonce-"))

    assert nonce() != nonce()


def test_session_cookie_is_secure_httponly_and_samesite(
    page: Page, kluis_server: KluisServer
) -> None:
    login(page, kluis_server, "hr@demo-bv.test")

    cookies = {c["name"]: c for c in page.context.cookies()}
    session = [c for name, c in cookies.items() if "session" in name]
    assert session, f"no session cookie among {sorted(cookies)}"
    for cookie in session:
        assert cookie["secure"], cookie
        assert cookie["httpOnly"], cookie
        assert cookie["sameSite"] in {"Lax", "Strict"}, cookie


def test_login_page_loads_without_csp_violation(page: Page, kluis_server: KluisServer) -> None:
    # The `page` fixture fails the test on any CSP violation or JS error; this makes
    # sure the scripts and styles the pages need were actually loaded and run.
    page.goto(LOGIN_PATH)
    assert page.evaluate("typeof window.htmx") == "object"
    login(page, kluis_server, "owner@demo-bv.test")
    assert page.evaluate("typeof window.htmx") == "object"
    stylesheets = page.evaluate("document.styleSheets.length")
    assert stylesheets >= 2


# --- TLS ---------------------------------------------------------------------------------
def client_context(version: ssl.TLSVersion) -> ssl.SSLContext:
    """A client that offers exactly `version`, old versions included (security level 0)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = version
        context.maximum_version = version
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def handshake(port: int, context: ssl.SSLContext) -> str | None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return tls.version()


def accepts_tls_1_1_locally(certificate: Path) -> bool:
    """Can this client offer TLS 1.1 at all? Else a refusal would prove nothing about Kluis."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        server_context.minimum_version = ssl.TLSVersion.TLSv1_1
    server_context.set_ciphers("DEFAULT:@SECLEVEL=0")
    server_context.load_cert_chain(certificate, certificate.parent / "key.pem")
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(10)

        def serve() -> None:
            try:
                conn, _ = listener.accept()
                with server_context.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            version = handshake(listener.getsockname()[1], client_context(ssl.TLSVersion.TLSv1_1))
        except (OSError, ssl.SSLError):
            version = None
        thread.join(timeout=10)
    return version == "TLSv1.1"


def test_server_refuses_tls_1_1(kluis_server: KluisServer) -> None:
    assert accepts_tls_1_1_locally(kluis_server.certificate), (
        "this machine's OpenSSL cannot offer TLS 1.1, so the refusal cannot be tested"
    )
    with pytest.raises(ssl.SSLError):
        handshake(kluis_server.port, client_context(ssl.TLSVersion.TLSv1_1))


@pytest.mark.parametrize(
    ("version", "name"),
    [(ssl.TLSVersion.TLSv1_2, "TLSv1.2"), (ssl.TLSVersion.TLSv1_3, "TLSv1.3")],
)
def test_server_accepts_tls_1_2_and_1_3(
    kluis_server: KluisServer, version: ssl.TLSVersion, name: str
) -> None:
    assert handshake(kluis_server.port, client_context(version)) == name


def test_every_cookie_of_a_sign_in_is_host_prefixed_secure_and_lax(
    kluis_server: KluisServer,
) -> None:
    """The raw Set-Cookie headers of a password sign-in (the form, the post with its
    "signed in" message, the next page): every cookie `__Host-` (so no sibling host can
    set or shadow it), Secure, Path=/, no Domain, SameSite=Lax; the session's HttpOnly."""
    jar: dict[str, str] = {}
    seen: list[str] = []

    def send(method: str, path: str, body: str = "") -> http.client.HTTPResponse:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", kluis_server.port, context=unverified_tls(), timeout=10
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1:{kluis_server.port}{LOGIN_PATH}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            seen.append(header)
            name, _eq, value = header.split(";", 1)[0].partition("=")
            jar[name.strip()] = value
        return response

    form = send("GET", LOGIN_PATH)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body).group(1)  # type: ignore[attr-defined,union-attr]
    signed_in = send(
        "POST",
        LOGIN_PATH,
        f"csrfmiddlewaretoken={token.decode()}&login=employee%40demo-bv.test"
        "&password=kluis-demo-password-2026",
    )
    assert signed_in.status == 302, signed_in.body  # type: ignore[attr-defined]
    assert send("GET", signed_in.getheader("Location", "/")).status == 200

    names = {header.split("=", 1)[0] for header in seen}
    assert {"__Host-kluis_session", "__Host-kluis_csrftoken"} <= names, seen
    for header in seen:
        name = header.split("=", 1)[0]
        attributes = [part.strip().lower() for part in header.split(";")[1:]]
        assert name.startswith("__Host-"), header
        assert "secure" in attributes and "path=/" in attributes, header
        assert "samesite=lax" in attributes, header
        assert not any(a.startswith("domain=") for a in attributes), header
        if name == "__Host-kluis_session":
            assert "httponly" in attributes, header
