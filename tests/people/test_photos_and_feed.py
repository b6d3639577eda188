"""Employee photos and the change feed."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kluis.audit.models import AuditEvent
from kluis.people import services
from kluis.people.models import Employee
from tests.conftest import actor_for


def image_upload(
    fmt: str = "JPEG", *, exif_gps: bool = False, size=(800, 600)
) -> SimpleUploadedFile:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    image = Image.new("RGB", size, "teal")
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SpyCam"  # Make
        exif[0x8825] = {2: (50.0, 51.0, 0.0)}  # GPS latitude
        kwargs["exif"] = exif
    image.save(buffer, format=fmt, **kwargs)
    return SimpleUploadedFile(
        f"me.{fmt.lower()}", buffer.getvalue(), content_type=f"image/{fmt.lower()}"
    )


def worker(email: str = "member1@demo-bv.test") -> Employee:
    return Employee.objects.get(work_email=email)


def test_hr_uploads_a_photo_that_is_reencoded_without_exif(demo, login):
    client = login("hr@demo-bv.test", "demo-bv")
    target = worker()
    response = client.post(
        f"/people/{target.pk}/photo/upload/", {"photo": image_upload(exif_gps=True)}, secure=True
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.photo
    served = client.get(f"/people/{target.pk}/photo/", secure=True)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    data = b"".join(served.streaming_content)
    with Image.open(io.BytesIO(data)) as stored:
        assert max(stored.size) <= 512
        assert not stored.getexif()
    assert b"SpyCam" not in data
    assert AuditEvent.objects.filter(
        action="employee.photo_changed", object_id=str(target.pk)
    ).exists()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(demo, login):
    client = login("hr@demo-bv.test", "demo-bv")
    target = worker()
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    client.post(f"/people/{target.pk}/photo/upload/", {"photo": fake}, secure=True)
    target.refresh_from_db()
    assert not target.photo
    assert not AuditEvent.objects.filter(
        action="employee.photo_changed", object_id=str(target.pk)
    ).exists()


def test_employee_sets_own_photo_but_not_a_colleagues(demo, login):
    client = login("member1@demo-bv.test", "demo-bv")
    me, colleague = worker(), worker("member2@demo-bv.test")
    assert (
        client.post(
            f"/people/{me.pk}/photo/upload/",
            {"photo": image_upload("PNG"), "next": "me"},
            secure=True,
        ).status_code
        == 302
    )
    me.refresh_from_db()
    assert me.photo
    response = client.post(
        f"/people/{colleague.pk}/photo/upload/", {"photo": image_upload()}, secure=True
    )
    assert response.status_code == 404  # not even visible to them
    colleague.refresh_from_db()
    assert not colleague.photo


def test_photo_of_another_company_is_404(demo, login):
    hr = login("hr@demo-bv.test", "demo-bv")
    target = worker()
    hr.post(f"/people/{target.pk}/photo/upload/", {"photo": image_upload()}, secure=True)
    other = login("hr@other-nv.test", "other-nv")
    assert other.get(f"/people/{target.pk}/photo/", secure=True).status_code == 404


def test_change_feed_lists_field_changes_with_masked_sensitive_values(demo, login):
    hr = actor_for("hr@demo-bv.test")
    target = worker()
    services.update_employee(
        hr,
        target,
        {"preferred_name": "Lo", "iban": "NL91ABNA0417164300"},
        expected_version=target.version,
    )
    client = login("hr@demo-bv.test", "demo-bv")
    body = client.get("/people/changes/", {"format": "json"}, secure=True).json()
    fields = {(c["employee"], c["field"]): c for c in body["changes"]}
    assert fields[(target.pk, "preferred_name")]["new"] == "Lo"
    assert fields[(target.pk, "iban")]["new"] == "••••••"
    assert "NL91ABNA0417164300" not in str(body)
    page = client.get("/people/changes/", secure=True)
    assert page.status_code == 200 and "Preferred name" in page.content.decode()
    assert f"Lo {target.last_name}</a>" in page.content.decode()  # who, by name
    dutch = client.get("/people/changes/", secure=True, headers={"accept-language": "nl"})
    assert "Roepnaam" in dutch.content.decode()  # the field's label in the reader's language
    assert ">preferred_name<" not in dutch.content.decode()  # the name is for machines


def test_change_feed_shows_choices_by_label_and_days_in_the_date_format(demo, login):
    """People read "Female" and "17 March 1976"; the JSON keeps "female" and the ISO day."""
    hr = actor_for("hr@demo-bv.test")
    target = worker()
    services.update_employee(
        hr,
        target,
        {"gender": "female", "birth_date": "1976-03-17"},
        expected_version=target.version,
    )
    client = login("hr@demo-bv.test", "demo-bv")
    body = client.get("/people/changes/", {"format": "json"}, secure=True).json()
    fields = {(c["employee"], c["field"]): c for c in body["changes"]}
    assert fields[(target.pk, "gender")]["new"] == "female"
    assert fields[(target.pk, "birth_date")]["new"] == "1976-03-17"
    page = client.get("/people/changes/", secure=True).content.decode()
    rows = [row for row in page.split("<tr>") if f"/people/{target.pk}/" in row]
    shown = "".join(rows)
    assert "<td>Female</td>" in shown and "<td>17 March 1976</td>" in shown, shown
    assert "<td>female</td>" not in shown and "1976-03-17</td>" not in shown


def test_change_feed_is_scoped_and_rejects_a_bad_since(demo, login):
    hr = actor_for("hr@demo-bv.test")
    outsider = worker("employee@demo-bv.test")
    services.update_employee(
        hr, outsider, {"preferred_name": "Out"}, expected_version=outsider.version
    )
    manager = login("manager@demo-bv.test", "demo-bv")
    body = manager.get("/people/changes/", {"format": "json"}, secure=True).json()
    assert all(c["employee"] != outsider.pk for c in body["changes"])
    for since in ["yesterday-ish", "2026-13-01T00:00", "0001-01-01T00:00+01:00"]:
        bad = manager.get("/people/changes/", {"format": "json", "since": since}, secure=True)
        assert bad.status_code == 400, since
        assert bad["Content-Type"] == "application/problem+json"
    # Any offset Python reads works on PostgreSQL too (which refuses 16 hours and more).
    far = manager.get(
        "/people/changes/", {"format": "json", "since": "2000-01-01T00:00+23:30"}, secure=True
    )
    assert far.status_code == 200
    day = manager.get("/people/changes/", {"format": "json", "since": "2000-01-01"}, secure=True)
    assert day.status_code == 200 and day.json()["changes"]
