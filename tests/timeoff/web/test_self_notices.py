"""My inbox (/inbox/, once /notices/): newest first, unread marked, the header's unread
count, marking them read, opening one at its page; nobody reaches another member's
notices."""

from __future__ import annotations

import re

from kluis.company.models import Notice
from kluis.company.notices import notify
from tests.conftest import member


def tell(email: str, title: str, url: str = "", tenant: str | None = None) -> Notice:
    made = notify(
        [member(email, tenant)],
        topic="leave_request.approved",
        compose=lambda: (title, ""),
        url=url,
    )
    return made[0]


def badge(html: str) -> str | None:
    match = re.search(r'data-testid="unread-count">(.*?)</span></span>', html, re.S)
    return re.sub(r"<[^>]+>|\(|unread|\)", "", match.group(1)).strip() if match else None


def test_anonymous_is_sent_to_sign_in(client, demo):
    assert "/accounts/login/" in client.get("/inbox/")["Location"]


def test_my_notices_newest_first_unread_marked_with_a_count_in_the_header(demo, login):
    tell("member1@demo-bv.test", "First news")
    tell("member1@demo-bv.test", "Second news")
    html = login("member1@demo-bv.test").get("/inbox/").content.decode()
    assert html.index("Second news") < html.index("First news")
    assert html.count('data-testid="notice-unread"') == 2
    assert badge(html) == "2"


def test_mark_all_read_clears_the_badge(demo, login):
    tell("member1@demo-bv.test", "News")
    client = login("member1@demo-bv.test")
    response = client.post("/inbox/read/")
    assert response.status_code == 302
    html = client.get("/inbox/").content.decode()
    assert 'data-testid="notice-unread"' not in html and badge(html) is None
    assert "News" in html


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(demo, login):
    notice = tell("member1@demo-bv.test", "Your leave", url="/time-off/")
    response = login("member1@demo-bv.test").post(f"/inbox/{notice.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/time-off/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_notice_never_sends_to_another_site(demo, login):
    notice = tell("member1@demo-bv.test", "Odd", url="//evil.example/")
    response = login("member1@demo-bv.test").post(f"/inbox/{notice.pk}/open/")
    assert response["Location"] == "/inbox/"


def test_another_member_s_notice_is_not_found_and_stays_unread(demo, login):
    theirs = tell("member2@demo-bv.test", "Private")
    client = login("member1@demo-bv.test")
    assert client.post(f"/inbox/{theirs.pk}/open/").status_code == 404
    assert "Private" not in client.get("/inbox/").content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_another_company_reaches_nothing(demo, login):
    theirs = tell("member1@demo-bv.test", "Ours", tenant="demo-bv")
    client = login("hr@other-nv.test")
    assert client.post(f"/inbox/{theirs.pk}/open/").status_code == 404
    assert "Ours" not in client.get("/inbox/").content.decode()
    client.post("/inbox/read/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_requesting_leave_tells_the_manager_in_the_app(bv, holiday, monday, login):
    from tests.timeoff.conftest import employee_of, grant

    grant(employee_of("member1@demo-bv.test"), holiday, "152")
    login("member1@demo-bv.test").post(
        "/time-off/request/",
        {"leave_type": holiday.pk, "start_date": monday.isoformat()},
    )
    html = login("manager@demo-bv.test").get("/inbox/").content.decode()
    assert "asks for leave" in html
    assert badge(html) == "1"
