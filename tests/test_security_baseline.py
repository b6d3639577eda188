"""The security baseline of the foundation: deploy checks, headers, cookies, CSRF, hashing."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def run_manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    environment.update({"KLUIS_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "KLUIS_ENV": "production",
    "KLUIS_SECRET_KEY": secrets.token_urlsafe(64),
    "KLUIS_ALLOWED_HOSTS": "hr.example.com",
    "KLUIS_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
}


@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"KLUIS_SECRET_KEY": ""}, "KLUIS_SECRET_KEY"),
        ({"KLUIS_DEBUG": "1"}, "KLUIS_DEBUG"),
        ({"KLUIS_ALLOWED_HOSTS": ""}, "KLUIS_ALLOWED_HOSTS"),
    ],
)
@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_production_refuses_an_insecure_configuration(tmp_path, override, complaint):
    env = {**PRODUCTION, **override}
    if override.get("KLUIS_SECRET_KEY") == "":
        env.pop("KLUIS_SECRET_KEY")
    result = run_manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert complaint in result.stderr


@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_demo_data_is_refused_in_production(tmp_path):
    # Refused before the database is looked at (no tables here: a refusal that came later
    # would fail on them, and the test with it).
    result = run_manage(tmp_path, "load_demo", **PRODUCTION)
    assert result.returncode != 0
    assert "refused in a production configuration" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_every_response(client):
    for url in ["/accounts/login/", "/health/live", "/does-not-exist/"]:
        response = client.get(url, secure=True)
        csp = response["Content-Security-Policy"]
        assert re.search(r"script-src 'self' 'nonce-[^']+'", csp) or "/health" in url, csp
        assert "unsafe-inline" not in csp
        assert "object-src 'none'" in csp
        assert "base-uri 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_page_scripts_carry_the_nonce_of_the_response(client):
    response = client.get("/accounts/login/", secure=True)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(rb"<script[^>]*>", response.content)
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"'.encode() in tag
    assert b" style=" not in response.content


def test_session_and_csrf_cookies_are_secure_httponly_samesite(demo):
    client = Client()
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/accounts/login/",
        {"login": "owner@demo-bv.test", "password": "kluis-demo-password-2026"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    # The __Host- prefix: the browser keeps them only as Secure, host-only, for path "/".
    for cookie in (csrf, session):
        assert cookie.key.startswith("__Host-")
        assert cookie["path"] == "/" and not cookie["domain"]


def test_forms_without_csrf_token_are_refused(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"login": "owner@demo-bv.test", "password": "kluis-demo-password-2026"},
        secure=True,
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2id(demo):
    user = get_user_model().objects.get(email="owner@demo-bv.test")
    assert user.password.startswith("argon2$argon2id$")
    assert "kluis-demo-password" not in user.password


def test_production_hasher_is_argon2id_at_owasps_cost(settings):
    from django.contrib.auth.hashers import check_password, identify_hasher, make_password

    from kluis.identity.hashers import KluisArgon2PasswordHasher

    # Production's list: the test suite's cheap hasher removed.
    settings.PASSWORD_HASHERS = [
        h for h in settings.PASSWORD_HASHERS if not h.endswith("CheapArgon2PasswordHasher")
    ]
    assert settings.PASSWORD_HASHERS[0] == "kluis.identity.hashers.KluisArgon2PasswordHasher"
    encoded = make_password("a long enough passphrase")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    # A hash made with Django's heavier defaults still verifies, and is marked for
    # re-hashing at the next sign-in.
    from django.contrib.auth.hashers import Argon2PasswordHasher

    old = Argon2PasswordHasher().encode("a long enough passphrase", "somesaltvalue123")
    assert check_password("a long enough passphrase", old)
    assert isinstance(identify_hasher(old), KluisArgon2PasswordHasher)
    assert KluisArgon2PasswordHasher().must_update(old)
    assert not KluisArgon2PasswordHasher().must_update(encoded)


def test_short_passwords_are_rejected():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("Sh0rt-pass!")
