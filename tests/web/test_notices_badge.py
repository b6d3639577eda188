"""The header's unread count follows marking read: an htmx answer carries the badge out of
band with the new count (and its spoken text "N unread"); without JavaScript the form
posts, comes back, and the page shows the new count."""

from __future__ import annotations

import re

from kluis.company.models import Notice
from tests.conftest import member
from tests.web.test_notices_inbox import ME, tell

OOB = re.compile(r'<span id="kluis-unread-badge" hx-swap-oob="true">(.*?)</span>\s*$', re.S)


def badge_count(html: str) -> str:
    """The number the header's badge shows ("" when there is none)."""
    found = re.search(
        r'data-testid="unread-count"><span class="kluis-visually-hidden">\(</span>(\d+)'
        r'<span class="kluis-visually-hidden"> unread\)</span>',
        html,
    )
    return found.group(1) if found else ""


def start_clean() -> None:
    Notice.objects.filter(membership=member(ME)).delete()


def test_mark_one_read_with_htmx_swaps_the_badge_with_the_new_count(demo, login):
    start_clean()
    first = tell(ME, "First")
    tell(ME, "Second")
    tell(ME, "Third")
    client = login(ME)
    assert badge_count(client.get("/inbox/").content.decode()) == "3"
    response = client.post(f"/inbox/{first.pk}/read/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.strip().startswith("<li") and "First" in html
    oob = OOB.search(html)
    assert oob is not None, html
    assert badge_count(oob.group(0)) == "2"
    assert response["HX-Trigger"] == "kluis:notice-read"


def test_marking_the_last_one_read_empties_the_badge(demo, login):
    start_clean()
    only = tell(ME, "Only one")
    html = login(ME).post(f"/inbox/{only.pk}/read/", HTTP_HX_REQUEST="true").content.decode()
    oob = OOB.search(html)
    assert oob is not None and badge_count(oob.group(0)) == ""
    assert 'data-testid="unread-count"' not in html


def test_mark_all_read_with_htmx_swaps_the_list_and_the_badge(demo, login):
    start_clean()
    tell(ME, "Approved")
    tell(ME, "Rejected", topic="leave_request.rejected")
    client = login(ME)
    response = client.post(
        "/inbox/read/", {"kind": "leave_request.approved", "show": "all"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div id="kluis-inbox-list">')
    assert "Marked as read." in html and "Approved" in html
    assert 'data-testid="mark-all-read"' not in html  # nothing of this kind left unread
    oob = OOB.search(html)
    assert oob is not None and badge_count(oob.group(0)) == "1"  # the rejected one


def test_without_javascript_the_page_shows_the_new_count(demo, login):
    start_clean()
    first = tell(ME, "First")
    tell(ME, "Second")
    client = login(ME)
    response = client.post(f"/inbox/{first.pk}/read/", {"show": "all"}, follow=True)
    html = response.content.decode()
    assert badge_count(html) == "1" and "hx-swap-oob" not in html
    response = client.post("/inbox/read/", {"show": "all"}, follow=True)
    html = response.content.decode()
    assert badge_count(html) == "" and "Marked as read." in html
    assert '<span id="kluis-unread-badge"></span>' in html  # still there for the next swap
