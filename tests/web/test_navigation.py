"""The header's navigation: grouped, only what the role may use, the current page marked."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

OWNER = "owner@demo-bv.test"
EMPLOYEE = "employee@demo-bv.test"
MANAGER = "manager@demo-bv.test"
AUDITOR = "auditor@demo-bv.test"
HR = "hr@demo-bv.test"


class _Nav(HTMLParser):
    """The desktop navigation as {group label: [(link text, href, current?)]}, the groups
    marked current, and where the skip link stands among the focusable elements."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: dict[str, list[tuple[str, str, bool]]] = {}
        self.current_groups: list[str] = []
        self.first_focusable: str | None = None
        self._in_nav = 0
        self._group: str | None = None
        self._summary = False
        self._link: tuple[str, bool] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self.first_focusable is None and tag in ("a", "button", "input", "select", "summary"):
            self.first_focusable = a.get("href") or tag
        if tag == "nav" and a.get("data-testid") == "main-nav":
            self._in_nav = 1
        elif self._in_nav and tag == "nav":
            self._in_nav += 1
        if not self._in_nav:
            return
        if tag == "summary":
            self._summary, self._text = True, ""
            if a.get("aria-current") == "true":
                self.current_groups.append("?")
        elif tag == "a":
            self._link, self._text = (a.get("href") or "", a.get("aria-current") == "page"), ""

    def handle_data(self, data: str) -> None:
        if self._summary or self._link:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1
        if not self._in_nav:
            return
        if tag == "summary" and self._summary:
            self._summary = False
            self._group = self._text.strip()
            self.groups[self._group] = []
            if self.current_groups and self.current_groups[-1] == "?":
                self.current_groups[-1] = self._group
        elif tag == "a" and self._link and self._group:
            href, current = self._link
            self.groups[self._group].append((self._text.strip(), href, current))
            self._link = None


def nav_of(client: Client, path: str = "/") -> _Nav:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    parser = _Nav()
    parser.feed(response.content.decode())
    return parser


def links(nav: _Nav) -> dict[str, str]:
    return {text: href for items in nav.groups.values() for text, href, _ in items}


def test_owner_sees_every_group_with_every_feature(demo, login):
    nav = nav_of(login(OWNER, "demo-bv"))
    assert list(nav.groups) == ["Home", "People", "Time off", "Organisation", "Reports", "Settings"]
    found = links(nav)
    for label, href in {
        "Export (Excel)": "/people/export.xlsx",
        "Import people": "/people/import/",
        "Change feed": "/people/changes/",
        "Audit log": "/audit/",
        "API keys": "/integrations/api-keys/",
        "Connected apps": "/integrations/connected-apps/",
        "Webhooks": "/integrations/webhooks/",
        "Sign-in settings": "/settings/sign-in/",
        "Single sign-on": "/settings/sso/",
        "Leave types": "/time-off/settings/leave-types/",
        "Closing days": "/time-off/settings/closing-days/",
        "Month locks": "/time-off/settings/month-locks/",
        "Payroll export": "/time-off/export/",
        "Calendar feeds": "/time-off/feed/",
        "Members": "/members/",
        "Roles": "/roles/",
        "Inbox": "/inbox/",
        "Reports": "/reports/",
    }.items():
        assert found.get(label) == href, (label, found)


def test_employee_sees_only_their_own_places_and_no_empty_group(demo, login):
    nav = nav_of(login(EMPLOYEE, "demo-bv"))
    assert list(nav.groups) == ["Home", "Time off"]
    found = links(nav)
    assert {"Dashboard", "Inbox", "My profile", "My calendar", "Request leave"} <= set(found)
    for hidden in ("/members/", "/roles/", "/audit/", "/reports/", "/people/", "/time-off/export/"):
        assert hidden not in found.values(), hidden


def test_manager_sees_their_team_approvals_and_reports_but_no_settings(demo, login):
    nav = nav_of(login(MANAGER, "demo-bv"))
    assert "Settings" not in nav.groups
    assert [text for text, _, _ in nav.groups["People"]] == ["My team"]
    found = links(nav)
    assert found["Approvals"] == "/time-off/approvals/"
    assert found["Reports"] == "/reports/"
    assert found["Org chart"] == "/people/org-chart/"
    assert "All people" not in found


def test_auditor_sees_the_audit_log_members_and_roles_only(demo, login):
    nav = nav_of(login(AUDITOR, "demo-bv"))
    assert list(nav.groups) == ["Home", "Organisation", "Reports"]
    assert [text for text, _, _ in nav.groups["Reports"]] == ["Audit log"]
    # ... and the two-person rule's requests (an auditor reads all of them).
    assert [text for text, _, _ in nav.groups["Organisation"]] == [
        "Members",
        "Roles",
        "Change approvals",
    ]


def test_an_operator_without_a_company_lands_on_the_operator_pages(demo):
    """Home (the sign-in's next page, the logo's link) takes a platform operator who works
    for no company to /operator/, not to "You are not a member of any company"."""
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(email="operator@kluis.test"))
    response = client.get("/", secure=True)
    assert response.status_code == 302 and response["Location"] == "/operator/"
    assert client.get("/operator/", secure=True).status_code == 200


@pytest.mark.parametrize(
    ("path", "group", "label"),
    [
        ("/time-off/settings/closing-days/", "Settings", "Closing days"),
        ("/people/changes/", "People", "Change feed"),
        ("/audit/", "Reports", "Audit log"),
        ("/", "Home", "Dashboard"),
    ],
)
def test_the_current_page_and_its_group_are_marked(demo, login, path, group, label):
    nav = nav_of(login(OWNER, "demo-bv"), path)
    assert nav.current_groups == [group]
    current = [text for items in nav.groups.values() for text, _, now in items if now]
    assert current == [label]


def test_a_page_below_a_list_marks_the_list(demo, login):
    client = login(HR, "demo-bv")
    employee = re.search(r'href="(/people/\d+/)"', client.get("/people/").content.decode())
    assert employee
    nav = nav_of(client, employee.group(1))
    assert nav.current_groups == ["People"]
    assert [t for items in nav.groups.values() for t, _, now in items if now] == ["All people"]


def test_the_skip_link_comes_first_and_main_is_its_target(demo, login):
    client = login(EMPLOYEE, "demo-bv")
    nav = nav_of(client)
    assert nav.first_focusable == "#main"
    html = client.get("/").content.decode()
    assert 'id="main"' in html
    assert "<footer" in html
    assert html.count('aria-label="Main"') == 2  # desktop and phone, one displayed at a time


def test_the_header_keeps_the_unread_count_and_a_menu_button(demo, login):
    html = login(EMPLOYEE, "demo-bv").get("/").content.decode()
    assert 'data-testid="notices-link"' in html
    assert 'data-testid="menu"' in html
    assert re.search(r'<script src="/static/kluis/ui\.js" nonce="[^"]+" defer>', html)


def test_signed_out_pages_have_no_navigation(db):
    html = Client().get("/accounts/login/").content.decode()
    assert 'data-testid="main-nav"' not in html
    assert 'href="#main"' in html
