"""HR opens the reports in Chromium, on a phone (390 x 844) and a desktop (1280 x 800):
each report's chart fits the screen (the SVG scales through its viewBox), the page never
scrolls sideways (a wide table scrolls in its own frame, reachable by keyboard), axe-core
finds no serious or critical violation, and the CSV link downloads the figures. A manager
sees only their team's reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
REPORTS = ["headcount", "turnover", "absence", "leave", "contracts", "age", "tenure"]


def _serious_violations(page: Page) -> list[str]:
    # Evaluated through the DevTools protocol: the page's CSP does not apply to it.
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return list(found)


@pytest.mark.parametrize("size", list(SIZES))
def test_hr_reads_every_report(page: Page, kluis_server: KluisServer, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    login(page, kluis_server, "hr@demo-bv.test")
    page.goto("/reports/")
    expect(page.locator("main h1")).to_have_text("Reports")
    for key in REPORTS:
        page.locator(f'[data-report="{key}"] a').click()
        expect(page.locator("main h1")).to_be_visible()
        chart = page.locator("[data-testid=report-chart] svg")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["x"] + box["width"] <= SIZES[size]["width"], key
        expect(page.locator("[data-testid=report-table] caption")).to_be_visible()
        width = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1], f"{key} scrolls sideways at {size}: {width}"
        assert _serious_violations(page) == [], key
        page.go_back()
    page.locator('[data-report="turnover"] a').click()
    with page.expect_download() as download:
        page.get_by_test_id("report-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "month,hires,leavers,average_headcount,turnover_pct"


def test_a_manager_sees_their_teams_reports(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size(SIZES["phone"])
    login(page, kluis_server, "manager@demo-bv.test")
    page.goto("/reports/")
    listed = page.locator("[data-report]").evaluate_all("items => items.map(i => i.dataset.report)")
    assert listed == ["headcount", "turnover", "leave", "contracts", "tenure"]
    page.locator('[data-report="headcount"] a').click()
    expect(page.get_by_test_id("report-reach")).to_contain_text("your team")
    # Asked with the page's cookies (a 403 page in the tab would log a console error).
    assert page.request.get(f"{kluis_server.url}/reports/absence/").status == 403
