"""Every page each demo role can reach from its navigation, at desktop (1280x800) and phone
(390x844) sizes, passes axe-core without a serious or critical violation, and no page
scrolls sideways on the phone.

axe-core (node_modules/axe-core, pinned in package-lock.json; docs/decisions/
0029-accessibility-checks.md) is evaluated into each page through the DevTools protocol
(an init script of the browser context), which the page's CSP does not govern, so the pages
run with their real policy and a CSP violation of their own still fails the test. Each
role signs in once; each page is loaded once and checked at both sizes by resizing the
viewport. A page whose main content is exactly one already checked (the same list for the
owner and an HR admin, say) is not run through axe again: the role's own header is checked
on its first page and with every menu open.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from tests.e2e.conftest import REPO_ROOT, KluisServer, login

pytestmark = pytest.mark.e2e

AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE = AXE_PATH.read_text(encoding="utf-8")
AXE_VERSION = "4.14.1"

ROLES = {
    "owner": "owner@demo-bv.test",
    "hr": "hr@demo-bv.test",
    "manager": "manager@demo-bv.test",
    "employee": "employee@demo-bv.test",
    "auditor": "auditor@demo-bv.test",
    "consultant": "consultant@kluis.test",
    "operator": "operator@kluis.test",
}
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
BLOCKING = ("serious", "critical")

# Besides the navigation's pages: one detail page of each list, the first link that
# matches, wherever it is found.
DETAIL_PAGES = [
    re.compile(r"^/people/\d+/$"),  # a profile
    re.compile(r"^/audit/\d+/$"),  # an audit event
    re.compile(r"^/time-off/requests/\d+/$"),  # a leave request
    re.compile(r"^/time-off/absences/\d+/$"),  # a sick period
    re.compile(r"^/integrations/webhooks/\d+/$"),  # a webhook
    re.compile(r"^/members/\d+/$"),  # a member
    re.compile(r"^/roles/\d+/$"),  # a role
]
# Downloads and sign-out are no pages to check.
NOT_A_PAGE = re.compile(r"\.(csv|xlsx|json|ics)$|^/accounts/logout/")

# `preload` fetches the page's stylesheets for the rule on locked orientation: once per set.
RUN_AXE = """
async (preload) => {
  const result = await axe.run(document, {resultTypes: ["violations"], preload});
  return result.violations
    .filter((v) => ["serious", "critical"].includes(v.impact))
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary
        .replace(/\\s+/g, " ").slice(0, 240)),
    }));
}
"""
LINKS = """
(selector) => Array.from(document.querySelectorAll(selector), (a) => a.getAttribute("href"))
"""
# The main content as markup, without what changes on every load (tokens, nonces).
MAIN_MARKUP = """
() => (document.querySelector("main") || document.body).outerHTML
  .replace(/(name="csrfmiddlewaretoken" value|nonce|name="once" value)="[^"]*"/g, "")
"""
NO_SIDEWAYS = """
() => [document.documentElement.scrollWidth, window.innerWidth]
"""
# After a resize: let media queries apply and ui.js mark the tables that now scroll.
SETTLE = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


@dataclass
class Findings:
    problems: list[str]
    pages: int = 0
    checks: int = 0
    repeated: int = 0

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


@pytest.fixture
def role_page(browser: Browser, kluis_server: KluisServer) -> Iterator[tuple[Page, list[str]]]:
    """A context of its own (the sign-in reused for every page), failing on JS errors and
    CSP violations as the shared `page` fixture does."""
    context: BrowserContext = browser.new_context(
        ignore_https_errors=True,
        base_url=kluis_server.url,
        locale="en-GB",
        viewport={"width": 1280, "height": 800},
        reduced_motion="reduce",  # menus open without a fade, axe sees them at once
    )
    context.set_default_timeout(15_000)
    context.add_init_script(
        'document.addEventListener("securitypolicyviolation", (e) => console.error('
        '"CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")));'
    )
    context.add_init_script(path=str(AXE_PATH))
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"JS error on {page.url}: {error}"))
    yield page, errors
    context.close()


# The sets of stylesheets whose rules axe has read (css-orientation-lock) in this session.
STYLESHEETS: set[str] = set()


def _axe(page: Page, where: str, findings: Findings) -> None:
    findings.checks += 1
    sheets = page.evaluate("() => Array.from(document.styleSheets, (s) => s.href).join(' ')")
    preload = sheets not in STYLESHEETS
    STYLESHEETS.add(sheets)
    for violation in page.evaluate(RUN_AXE, preload):
        nodes = "\n      ".join(violation["nodes"])
        findings.add(
            where,
            f"{violation['impact']} {violation['rule']} ({violation['help']})\n      {nodes}",
        )


def _check_both_sizes(page: Page, path: str, role: str, findings: Findings, axe: bool) -> None:
    """Both sizes, the current one first (saves a resize per page)."""
    current = page.viewport_size or {"width": 1280}
    sizes = sorted(SIZES.items(), key=lambda size: size[1][0] != current["width"])
    for size, (width, height) in sizes:
        if width != (page.viewport_size or {}).get("width"):
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate(SETTLE)
        where = f"{role} {size} {path}"
        if axe:
            _axe(page, where, findings)
        if size == "phone":
            scroll_width, inner_width = page.evaluate(NO_SIDEWAYS)
            if scroll_width > inner_width:
                findings.add(where, f"scrolls sideways: {scroll_width}px wide in {inner_width}px")


def _local(href: str | None) -> str | None:
    if not href or not href.startswith("/") or NOT_A_PAGE.search(href.split("?")[0]):
        return None
    return href.split("#")[0]


def _open_menus(page: Page, role: str, findings: Findings) -> None:
    """The menus themselves, opened: every desktop group, then the phone menu."""
    for group in page.locator("[data-testid=main-nav] details > summary").all():
        group.click()
        _axe(page, f"{role} desktop menu {group.inner_text()}", findings)
        page.keyboard.press("Escape")  # an open dropdown covers the page until closed
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_test_id("menu").locator("summary").first.click()
    _axe(page, f"{role} phone menu", findings)
    page.keyboard.press("Escape")


# Main content already run through axe at both sizes in this test session (sha256).
CHECKED: set[str] = set()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_the_role_passes_axe_at_both_sizes(
    role: str, role_page: tuple[Page, list[str]], kluis_server: KluisServer
) -> None:
    page, errors = role_page
    login(page, kluis_server, ROLES[role])
    if role == "operator":
        # An operator has no company: signing in lands on the dashboard's 403 ("no
        # company"), whose header still holds the operator's menu.
        errors[:] = [e for e in errors if "status of 403" not in e]
    findings = Findings(problems=[])
    nav = page.evaluate(LINKS, "[data-testid=main-nav] a, [data-testid=user-menu] a")
    queue = [path for path in map(_local, nav) if path]
    assert queue, f"{role}: no navigation"
    _open_menus(page, role, findings)
    seen: set[str] = set()
    details = list(DETAIL_PAGES)
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(path)
        status = response.status if response else 0
        if status != 200:
            findings.add(f"{role} {path}", f"answered {status}")
            continue
        findings.pages += 1
        markup = page.evaluate(MAIN_MARKUP)
        fingerprint = hashlib.sha256(markup.encode()).hexdigest()
        # The first page always: the role's header at both sizes.
        fresh = fingerprint not in CHECKED or findings.pages == 1
        findings.repeated += not fresh
        _check_both_sizes(page, path, role, findings, axe=fresh)
        CHECKED.add(fingerprint)
        hrefs = [h for h in map(_local, page.evaluate(LINKS, "main a[href]")) if h]
        for pattern in list(details):
            match = next((h for h in hrefs if pattern.match(h)), None)
            if match:
                details.remove(pattern)
                queue.append(match)
    print(
        f"\n{role}: {findings.pages} pages ({findings.repeated} seen before), "
        f"{findings.checks} axe runs, {len(findings.problems)} problems, {len(errors)} errors"
    )
    problems = findings.problems + errors
    assert not problems, f"{len(problems)} problems for {role}:\n  " + "\n  ".join(problems)


def test_axe_is_the_pinned_version() -> None:
    assert f"axe v{AXE_VERSION}" in AXE[:100]
    lock = (REPO_ROOT / "package-lock.json").read_text(encoding="utf-8")
    assert re.search(r'"node_modules/axe-core": \{\s*"version": "' + re.escape(AXE_VERSION), lock)
    assert Path(REPO_ROOT / "node_modules/axe-core/axe.min.js").is_file()
