"""Destructive actions ask first (kluis/access/confirm.py): the page says what happens,
carries the posted fields, changes nothing until confirmed, and works without JavaScript
(plain forms). Other confirmations are tested with their pages: API keys and clients
(tests/integrations), contracts, wage components and emergency contacts
(tests/people/test_hr_views.py, test_self_service.py), sick periods and closing days
(tests/timeoff/web)."""

from __future__ import annotations

import re

from kluis.people.models import Employee
from tests.people.test_photos_and_feed import image_upload


def test_removing_a_photo_asks_first_and_removes_it_once_confirmed(demo, login):
    target = Employee.objects.get(work_email="member1@demo-bv.test")
    client = login("hr@demo-bv.test")
    url = f"/people/{target.pk}/photo/upload/"
    client.post(url, {"photo": image_upload()}, secure=True)
    target.refresh_from_db()
    assert target.photo
    asked = client.post(url, {"remove": "1"}, secure=True)
    page = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="confirm-page"' in page
    assert "Remove the photo of Lotte Maes?" in page
    assert f'action="{url}"' in page
    assert re.search(r'<input type="hidden" name="remove" value="1">', page)
    assert '<input type="hidden" name="confirmed" value="1">' in page
    assert f'href="/people/{target.pk}/"' in page  # Cancel goes back, posting nothing
    assert "<script" not in page.split('data-testid="confirm-page"')[1]
    target.refresh_from_db()
    assert target.photo
    done = client.post(url, {"remove": "1", "confirmed": "1"}, secure=True)
    assert done.status_code == 302
    target.refresh_from_db()
    assert not target.photo


def test_someone_who_may_not_remove_it_is_refused_before_any_question(demo, login):
    target = Employee.objects.get(work_email="member1@demo-bv.test")
    response = login("member2@demo-bv.test").post(
        f"/people/{target.pk}/photo/upload/", {"remove": "1"}, secure=True
    )
    assert response.status_code in (403, 404)
