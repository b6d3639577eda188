"""In Chromium: the audit log's filters sit in a tidy grid (QA walk of issue 17). At
1280 px the main fields' controls share one height; on a phone they stack in one column,
each label clear of the hint above it; and a period ending before it starts is refused
on the To field."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

pytestmark = pytest.mark.e2e

MAIN = ("person", "actor", "kind", "date_from", "date_to")


def _control(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(
        f'[data-testid="filter-{name}"] :is(input[type=search], input[type=date], select)'
    )


def test_main_filters_are_aligned_on_a_desktop_and_stacked_on_a_phone(
    page: Page, kluis_server: KluisServer
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, kluis_server, "auditor@demo-bv.test")
    page.goto("/audit/")
    boxes = [_control(page, name).bounding_box() for name in MAIN]
    assert all(box is not None for box in boxes)
    tops = [round(box["y"]) for box in boxes]  # type: ignore[index]
    assert max(tops) - min(tops) <= 1, tops
    labels = [page.locator(f'[data-testid="filter-{n}"] > label').bounding_box() for n in MAIN]
    assert max(b["y"] for b in labels) - min(b["y"] for b in labels) <= 1  # type: ignore[index]
    # One hint per field, under its control (not over its border).
    for name, box in zip(MAIN, boxes, strict=True):
        hint = page.locator(f'[data-testid="filter-{name}"] small')
        expect(hint).to_have_count(1)
        assert hint.bounding_box()["y"] >= box["y"] + box["height"]  # type: ignore[index]

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    fields = [page.get_by_test_id(f"filter-{name}").bounding_box() for name in MAIN]
    assert len({round(b["x"]) for b in fields}) == 1  # type: ignore[index]  (one column)
    for above, below in itertools.pairwise(fields):
        assert below["y"] >= above["y"] + above["height"]  # type: ignore[index]
    hint = page.locator('[data-testid="filter-actor"] small').bounding_box()
    kind = page.locator('[data-testid="filter-kind"] > label').bounding_box()
    assert kind["y"] - (hint["y"] + hint["height"]) >= 8  # type: ignore[index]  (not jammed)


def test_a_period_ending_before_it_starts_is_refused_on_the_to_field(
    page: Page, kluis_server: KluisServer
) -> None:
    login(page, kluis_server, "auditor@demo-bv.test")
    page.goto("/audit/")
    filters = page.get_by_test_id("audit-filters")
    filters.get_by_label("From", exact=True).fill("2026-05-10")
    filters.get_by_label("To", exact=True).fill("2026-05-01")
    filters.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("filter-errors")).to_be_visible()
    expect(page.get_by_test_id("filter-date_to")).to_contain_text(
        "The To date is before the From date"
    )
