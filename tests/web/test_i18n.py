"""The UI in English, Dutch and French: the browser's language, the switcher, the catalogues."""

from __future__ import annotations

import gettext
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

OWNER = "owner@demo-bv.test"
LOGIN_URL = "/accounts/login/"
LOCALE_DIR = Path(settings.BASE_DIR) / "kluis" / "locale"
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    """The test client runs requests in this thread; leave no Dutch or French behind."""
    yield
    translation.deactivate()


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _switcher(html: str) -> str:
    match = re.search(r'<form[^>]*data-testid="language-switcher".*?</form>', html, re.S)
    assert match, "no language switcher on the page"
    return match.group(0)


def test_sign_in_page_is_english_by_default(db):
    html = _text(Client().get(LOGIN_URL))
    assert '<html lang="en">' in html
    assert "Sign in to Kluis" in html


def test_sign_in_page_speaks_dutch_to_a_dutch_browser(db):
    html = _text(Client().get(LOGIN_URL, headers={"accept-language": "nl"}))
    assert '<html lang="nl">' in html
    assert "Aanmelden bij Kluis" in html
    assert "Kluis-accounts worden aangemaakt door je bedrijf." in html
    assert "Sign in to Kluis" not in html


def test_sign_in_page_speaks_french_to_a_french_browser(db):
    html = _text(Client().get(LOGIN_URL, headers={"accept-language": "fr-BE,fr;q=0.9"}))
    assert '<html lang="fr">' in html
    assert "Se connecter à Kluis" in html
    assert "Sign in to Kluis" not in html


def test_dashboard_speaks_dutch_to_a_dutch_browser(demo, login):
    html = _text(login(OWNER).get("/", headers={"accept-language": "nl"}))
    assert "Je rollen" in html
    assert ">Medewerkers</a>" in html  # the navigation
    assert ">Auditlog</a>" in html
    assert "Your roles" not in html


def test_dashboard_speaks_french_to_a_french_browser(demo, login):
    html = _text(login(OWNER).get("/", headers={"accept-language": "fr"}))
    assert "Vos rôles" in html
    assert ">Tableau de bord</a>" in html
    assert ">Collaborateurs</a>" in html
    assert "Your roles" not in html


def test_permission_labels_are_translated(demo, login):
    client = login(OWNER)
    role_id = client.get("/roles/").context["roles"][0].pk
    html = _text(client.get(f"/roles/{role_id}/", headers={"accept-language": "nl"}))
    assert "Lonen en loongeschiedenis inzien" in html


@pytest.mark.parametrize(
    ("language", "name", "description"),
    [
        ("nl", "HR-beheerder", "Beheert het personeelsdossier van iedereen in het bedrijf."),
        ("fr", "Administrateur RH", "Tient le dossier RH de toute l&#x27;entreprise."),
    ],
)
def test_built_in_role_names_are_translated(demo, login, language, name, description):
    client = login(OWNER)
    html = _text(client.get("/roles/", headers={"accept-language": language}))
    assert name in html and description in html
    assert ">HR admin<" not in html
    roles = client.get("/roles/").context["roles"]
    hr_admin = next(r for r in roles if r.builtin_key == "hr_admin")
    html = _text(client.get(f"/roles/{hr_admin.pk}/", headers={"accept-language": language}))
    assert f"<h1>{name}" in html


def test_chosen_language_is_used_on_later_pages(demo, login):
    client = login(OWNER)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/roles/"})
    assert response.status_code == 302
    assert response["Location"] == "/roles/"
    html = _text(client.get("/", headers={"accept-language": "nl"}))  # the choice wins
    assert "Vos rôles" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Your roles" in _text(client.get("/"))


def test_language_can_be_chosen_before_signing_in(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "nl", "next": LOGIN_URL})
    assert "Aanmelden bij Kluis" in _text(client.get(LOGIN_URL))


def test_language_cookie_is_hardened(db):
    response = Client().post("/i18n/setlang/", {"language": "nl", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "nl"
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_switcher_does_not_redirect_to_another_site(db):
    response = Client().post("/i18n/setlang/", {"language": "nl", "next": "https://evil.test/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switcher_ignores_a_language_kluis_does_not_offer(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert "Sign in to Kluis" in _text(client.get(LOGIN_URL))


def test_switcher_requires_a_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 403


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_sign_in_page_has_an_accessible_language_switcher(db, language):
    page = Client().get(f"{LOGIN_URL}?next=/roles/", headers={"accept-language": language})
    form = _switcher(_text(page))
    assert 'method="post"' in form
    assert 'action="/i18n/setlang/"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="next" value="/accounts/login/?next=/roles/"' in form
    select_id = re.search(r'<select id="([^"]+)" name="language">', form)
    assert select_id
    assert f'<label for="{select_id.group(1)}">' in form
    names = re.findall(r'<option value="(\w+)" lang="\1"[^>]*>([^<]+)</option>', form)
    assert names == [("en", "English"), ("nl", "Nederlands"), ("fr", "Français")]  # each in itself
    assert f'<option value="{language}" lang="{language}" selected>' in form
    assert 'type="submit"' in form
    assert "onchange" not in form
    assert "style=" not in form


def test_user_menu_has_a_language_switcher_for_the_current_page(demo, login):
    html = _text(login(OWNER).get("/roles/", headers={"accept-language": "fr"}))
    menu = re.search(r'<details class="dropdown kluis-user-menu".*?</details>', html, re.S)
    assert menu
    form = _switcher(menu.group(0))
    assert 'name="next" value="/roles/"' in form
    assert '<option value="fr" lang="fr" selected>Français</option>' in form
    assert "Changer de langue" in form


def test_every_language_has_a_catalogue():
    assert {p.parent.parent.name for p in PO_FILES} >= {"nl", "fr"}


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parent.parent.name)
def test_catalogue_is_completely_translated(po: Path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "translated message" in result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def _po_catalogue(po: Path) -> dict[str | tuple[str, int], str]:
    """The translations a .po file holds, keyed as Python's gettext keys a compiled catalogue."""
    catalogue: dict[str | tuple[str, int], str] = {}
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[key] += json.loads(line)
            else:
                key, _, value = line.partition(" ")
                fields[key] = json.loads(value)
        msgid = fields.get("msgid")
        if not msgid:
            continue  # the header
        if "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        if "msgid_plural" in fields:
            for name, value in fields.items():
                if plural := re.fullmatch(r"msgstr\[(\d+)\]", name):
                    catalogue[(msgid, int(plural.group(1)))] = value
        else:
            catalogue[msgid] = fields["msgstr"]
    return catalogue


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parent.parent.name)
def test_compiled_catalogue_matches_its_source(po: Path):
    """`make run` needs no gettext, so the .mo is committed; it must be compiled from this .po."""
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run manage.py compilemessages"
    with mo.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]
    compiled = {k: v for k, v in compiled.items() if k != ""}  # the header
    assert compiled == _po_catalogue(po), f"{mo} is stale: run manage.py compilemessages"
