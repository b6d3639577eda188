"""No feature of Kluis is reachable only by typing its URL: every named page without
arguments is in the navigation (kluis.web.navigation), the user menu or the operator menu,
or it is on the list below with the reason it is no destination of its own; a page said to
be linked from another is checked to be linked there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template.loader import get_template
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from kluis.access.operators import _PAGES as OPERATOR_PAGES
from kluis.access.permissions import CATALOGUE
from kluis.reports.catalogue import REPORTS
from kluis.web.navigation import NAVIGATION, USER_MENU, nav_items

# Not the web UI of a member: machine interfaces with their own documentation.
NOT_MEMBER_UI = (
    "api:",  # the REST API (docs/api.md), its schema and docs pages included
    "headless:",  # the apps' sign-in API (allauth headless)
    "oauth2_provider:",  # OAuth endpoints that apps call
)
MACHINE = {
    "health-live": "load balancer probe",
    "health-ready": "load balancer probe",
    "metrics": "Prometheus scrape endpoint",
    "app-jwks": "the apps' token keys",
    "dev-outbox": "development only: the e-mails a developer's Kluis sent",
}
# Steps of signing in, out or up: reached from the sign-in page or by a redirect.
SIGN_IN_FLOW = {
    "account_login",
    "account_signup",
    "account_inactive",
    "account_reauthenticate",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_set_password",
    "account_confirm_login_code",
    "account_email_verification_sent",
    "identity:sign_in_continue",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_login_webauthn",
    "mfa_reauthenticate_webauthn",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "socialaccount_signup",
}
# Deliberately not offered (see the comment in web/includes/account_tabs.html: opening
# the e-mail page marks the address unverified; connected accounts: SSO is per company).
NOT_OFFERED = {"account_email", "socialaccount_connections"}
# Where a form sends its POST, or a fragment a page loads: no page to go to.
POST_TARGETS = {
    "set_language": "the language switcher",
    "web:switch_company": "the company switcher in the header",
    "web:notices_read": "Inbox: mark all read",
    "releases:dismiss": "the what's-new panel",
    "people:invite_many": "All people: invite the selected",
    "integrations:api_client_create": "API keys: the new client form",
    "identity:sign_out_everywhere": "Sessions: sign out everywhere",
    "identity_sso:remove": "Single sign-on: remove",
    "timeoff:request_preview": "Request leave: the preview htmx loads",
    "account_logout": "Sign out in the user menu (a confirmation page)",
    "people:my_celebrations": "My profile: show my birthday and work anniversary",
    "people:employee_search": "the manager picker: the matches htmx loads as one types",
    "people:employee_pick": "the manager picker: the chosen person htmx loads",
    "audit:person_search": "the audit log's person and actor pickers: the matches htmx loads",
    "audit:person_pick": "the audit log's person and actor pickers: the chosen person htmx loads",
}
# Each report and its CSV: listed on the Reports page (reports:index) from the catalogue.
REPORT_PAGES = {f"reports:{key}{end}" for key in REPORTS for end in ("", "_csv")}
# Pages with their own link on the page they belong to: (template, reason).
LINKED_FROM = {
    "integrations:webhook_new": "integrations/webhooks/list.html",
    "roles:role_create": "company/role_list.html",
    "timeoff:leave_type_new": "timeoff/hr/leave_types.html",
    "checklists:template_new": "checklists/settings/templates.html",
    "people:my_profile_edit": "people/self/my_profile.html",
    "people:my_bank_account": "people/self/my_profile.html",
    "people:my_contacts_add": "people/self/my_profile.html",
    "audit:export_csv": "audit/event_list.html",
    "audit:export_json": "audit/event_list.html",
    "web:dashboard_away": "web/dashboard.html",
    "web:notice_preferences": "web/notices.html",  # a member's choices, from their inbox
    "mfa_activate_totp": "mfa/index.html",
    "mfa_deactivate_totp": "mfa/index.html",
    "mfa_list_webauthn": "mfa/index.html",
    "mfa_add_webauthn": "mfa/webauthn/authenticator_list.html",
    "mfa_view_recovery_codes": "mfa/index.html",
    "mfa_generate_recovery_codes": "mfa/recovery_codes/index.html",
    "mfa_download_recovery_codes": "mfa/recovery_codes/index.html",
    # The public status and security pages: for everyone, signed in or not.
    "status:page": "status/message.html",
}
PUBLIC = {
    "status:json": "the status page's machine form",
    "status:feed": "the status page's Atom feed (linked in its head)",
    "status:subscribe": "the status page's subscribe form",
    "status:security-txt": "RFC 9116 security.txt",
    "status:disclosure": "linked from security.txt",
}


def _named(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from _named(
                pattern.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace
            )
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _pages_without_arguments() -> list[str]:
    names = []
    for name in sorted(set(_named(get_resolver().url_patterns))):
        try:
            reverse(name)
        except NoReverseMatch:
            continue  # needs arguments: a detail page, reached from its list
        names.append(name)
    return names


def test_every_page_is_in_a_menu_or_explained():
    in_menus = {item.url_name for item in nav_items()}
    operator = {"operator-home"} | {page.url_name for page in OPERATOR_PAGES}
    explained = (
        (set(MACHINE) | SIGN_IN_FLOW | NOT_OFFERED | set(POST_TARGETS) | set(LINKED_FROM))
        | set(PUBLIC)
        | REPORT_PAGES
    )
    missing = [
        name
        for name in _pages_without_arguments()
        if not name.startswith(NOT_MEMBER_UI) and name not in in_menus | operator | explained
    ]
    assert not missing, f"reachable only by URL (add to kluis/web/navigation.py): {missing}"


def test_the_explanations_are_not_stale():
    """Every name listed above exists, and none is also in a menu."""
    pages = set(_pages_without_arguments())
    listed = (
        set(MACHINE)
        | SIGN_IN_FLOW
        | NOT_OFFERED
        | set(POST_TARGETS)
        | set(LINKED_FROM)
        | set(PUBLIC)
        | REPORT_PAGES
    )
    assert listed <= pages, listed - pages
    assert not listed & {item.url_name for item in nav_items()}


@pytest.mark.parametrize(("name", "template"), sorted(LINKED_FROM.items()))
def test_a_page_said_to_be_linked_is_linked_there(name: str, template: str):
    source = get_template(template).template.source
    short = name.split(":")[-1]
    assert f"'{name}'" in source or f'"{name}"' in source or f"'{short}'" in source, (
        f"{template} does not link {name}"
    )


def test_every_menu_item_names_a_page_and_a_known_permission():
    for item in nav_items():
        reverse(item.url_name)
        assert item.permission is None or item.permission in CATALOGUE, item
    keys = [group.key for group in NAVIGATION]
    assert len(keys) == len(set(keys))
    assert all(item.permission is None for item in USER_MENU)
