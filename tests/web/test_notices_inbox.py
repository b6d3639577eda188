"""The inbox (/inbox/): filters by unread and by kind, marking one read (htmx swaps the
item, without JavaScript the form comes back to the same filter), marking all of a kind
read; the preferences page saves each kind's choice and refuses what a kind does not
offer; another company's notices are never reached."""

from __future__ import annotations

from kluis.company.models import Notice, NoticePreference
from kluis.company.notices import notify
from tests.conftest import member

ME = "member1@demo-bv.test"


def tell(email: str, title: str, topic: str = "leave_request.approved", tenant: str | None = None):
    return notify(
        [member(email, tenant)], topic=topic, compose=lambda: (title, ""), url="/time-off/"
    )[0]


def test_the_inbox_is_called_inbox_and_the_old_address_leads_there(demo, login):
    client = login(ME)
    html = client.get("/inbox/").content.decode()
    assert "<h1>Inbox</h1>" in html and "<title>Inbox" in html
    response = client.get("/notices/?show=unread")
    assert response.status_code == 302 and response["Location"] == "/inbox/?show=unread"


def test_filters_by_unread_and_by_kind(demo, login):
    tell(ME, "Approved one")
    tell(ME, "Rejected one", topic="leave_request.rejected")
    read = tell(ME, "Old approved")
    Notice.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client = login(ME)
    everything = client.get("/inbox/").content.decode()
    assert all(t in everything for t in ("Approved one", "Rejected one", "Old approved"))
    # Only the kinds I have are offered.
    assert 'value="leave_request.rejected"' in everything
    assert 'value="absence.started"' not in everything
    unread = client.get("/inbox/?show=unread").content.decode()
    assert "Old approved" not in unread and "Rejected one" in unread
    approved = client.get("/inbox/?kind=leave_request.approved").content.decode()
    assert "Approved one" in approved and "Rejected one" not in approved
    both = client.get("/inbox/?show=unread&kind=leave_request.approved").content.decode()
    assert "Approved one" in both and "Old approved" not in both and "Rejected one" not in both
    # An unknown kind is no filter at all.
    assert "Rejected one" in client.get("/inbox/?kind=made.up").content.decode()
    empty = client.get("/inbox/?show=unread&kind=leave_request.cancelled").content.decode()
    assert 'data-testid="no-notices"' in empty and "Show everything" in empty


def test_mark_one_read_without_javascript_comes_back_to_the_filter(demo, login):
    notice = tell(ME, "Mark me")
    other = tell(ME, "Leave me")
    client = login(ME)
    response = client.post(f"/inbox/{notice.pk}/read/", {"show": "unread", "kind": ""})
    assert response.status_code == 302 and response["Location"] == "/inbox/?show=unread"
    notice.refresh_from_db()
    other.refresh_from_db()
    assert notice.read_at is not None and other.read_at is None
    assert "Mark me" not in client.get("/inbox/?show=unread").content.decode()


def test_mark_one_read_with_htmx_returns_the_item(demo, login):
    notice = tell(ME, "Swap me")
    response = login(ME).post(f"/inbox/{notice.pk}/read/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith("<li")
    assert 'data-testid="notice"' in html and "Swap me" in html and "mark-read" not in html


def test_mark_all_of_one_kind_read(demo, login):
    tell(ME, "Approved")
    rejected = tell(ME, "Rejected", topic="leave_request.rejected")
    client = login(ME)
    response = client.post("/inbox/read/", {"kind": "leave_request.approved", "show": "all"})
    assert response["Location"] == "/inbox/?kind=leave_request.approved"
    rejected.refresh_from_db()
    assert rejected.read_at is None
    assert Notice.objects.filter(title="Approved", read_at=None).count() == 0


def test_another_member_or_company_cannot_mark_mine_read(demo, login):
    mine = tell(ME, "Mine", tenant="demo-bv")
    assert login("member2@demo-bv.test").post(f"/inbox/{mine.pk}/read/").status_code == 404
    assert login("hr@other-nv.test").post(f"/inbox/{mine.pk}/read/").status_code == 404
    assert "Mine" not in login("hr@other-nv.test").get("/inbox/").content.decode()
    mine.refresh_from_db()
    assert mine.read_at is None


def test_the_preferences_page_saves_each_kind(demo, login):
    client = login(ME)
    page = client.get("/inbox/preferences/").content.decode()
    assert "Your leave was approved" in page and "A sign-in from a new browser" in page
    assert "Leave waiting for your approval" not in page  # an employee approves nobody's
    assert "cannot be switched off" in page
    assert 'name="security.new_device"' not in page  # no choice to make
    assert "/inbox/preferences/" in client.get("/inbox/").content.decode()
    response = client.post(
        "/inbox/preferences/",
        {"leave_request.approved": "digest", "absence.ended": "app"},
        follow=True,
    )
    assert "Your choices are saved." in response.content.decode()
    saved = dict(
        NoticePreference.objects.filter(membership=member(ME)).values_list("kind", "delivery")
    )
    assert saved == {"leave_request.approved": "digest", "absence.ended": "app"}
    html = client.get("/inbox/preferences/").content.decode()
    assert 'name="leave_request.approved" value="digest" checked' in html


def test_a_choice_the_kind_does_not_offer_changes_nothing(demo, login):
    client = login(ME)
    response = client.post(
        "/inbox/preferences/", {"leave_request.approved": "digest", "absence.ended": "pigeon"}
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not NoticePreference.objects.filter(membership=member(ME)).exists()


def test_preferences_are_per_company(demo, login):
    login("consultant@kluis.test", "demo-bv").post(
        "/inbox/preferences/", {"leave_request.approved": "app"}
    )
    kept = NoticePreference.objects.filter(membership__user__email="consultant@kluis.test")
    assert [(p.tenant.slug, p.delivery) for p in kept] == [("demo-bv", "app")]
