"""One date format per language and one phone rule, everywhere: the kluis_date /
kluis_datetime / kluis_phone filters, the error summary include, and the pages that use
them (HR profile and My profile show the same person's dates and phone the same way)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone, translation

from kluis.people.models import Employee

DAY = dt.date(1975, 3, 29)


def _render(source: str, **context: object) -> str:
    return Template("{% load kluis_ui %}" + source).render(Context(context)).strip()


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "29 March 1975", "25 September 2025, 14:05"),
        ("nl", "29 maart 1975", "25 september 2025, 14:05"),
        ("fr", "29 mars 1975", "25 septembre 2025, 14:05"),
    ],
)
def test_one_date_format_per_language(language, day, moment):
    at = timezone.make_aware(dt.datetime(2025, 9, 25, 14, 5))
    with translation.override(language):
        assert _render("{{ d|kluis_date }}", d=DAY) == day
        assert _render("{{ d|kluis_date }}", d="1975-03-29") == day  # an ISO string too
        assert _render("{{ d }}", d=DAY) == day  # Django's own DATE_FORMAT agrees
        assert _render("{{ m|kluis_datetime }}", m=at) == moment
        assert _render("{{ d|kluis_date }}", d=None) == ""


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("+32474567336", "+32 474 56 73 36"),
        ("+31612345678", "+31 6 12345678"),
        ("not a number", "not a number"),
        ("", ""),
    ],
)
def test_one_phone_rule(raw, shown):
    assert _render("{{ p|kluis_phone }}", p=raw) == shown


class _Form(forms.Form):
    name = forms.CharField(label="Name")
    start = forms.DateField(label="Start", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):  # type: ignore[no-untyped-def]
        raise forms.ValidationError("Someone else saved first.")


def test_the_error_summary_names_links_and_takes_the_focus():
    form = _Form({"p-name": "", "p-start": "soon", "p-version": "x"}, prefix="p")
    html = _render("{% error_summary form %}", form=form)
    assert 'tabindex="-1" autofocus' in html and 'role="alert"' in html
    assert "Nothing was saved. Correct the fields marked below." in html
    assert '<a href="#id_p-name">Name: This field is required.</a>' in html
    assert '<a href="#id_p-start">Start: Enter a valid date.</a>' in html
    assert "Someone else saved first." in html  # the form's own error, unlinked
    assert "Enter a whole number." in html  # a hidden field's error has no input to link
    assert _render("{% error_summary form %}", form=_Form()) == ""
    rendered = str(form["name"])
    assert " required" in rendered and 'aria-invalid="true"' in rendered


def test_hr_profile_and_my_profile_show_the_phone_and_dates_alike(demo, login, settings):
    me = Employee.objects.get(work_email="employee@demo-bv.test")
    hr_page = login("hr@demo-bv.test").get(f"/people/{me.pk}/", secure=True).content.decode()
    own_page = login("employee@demo-bv.test").get("/people/me/", secure=True).content.decode()
    grouped = _render("{{ p|kluis_phone }}", p=me.work_phone)
    assert re.fullmatch(r"\+32 \d{3} \d{2} \d{2} \d{2}", grouped)
    assert grouped in hr_page and grouped in own_page
    assert me.work_phone not in hr_page.replace(f"tel:{me.work_phone}", "")
    born = _render("{{ d|kluis_date }}", d=me.birth_date)
    assert born in hr_page and born in own_page
    assert me.birth_date is not None and me.birth_date.isoformat() not in hr_page


def test_every_field_has_the_shared_look_label_without_colon_help_after_the_input():
    from kluis.integrations.forms import ApiKeyForm

    html = str(ApiKeyForm(auto_id="key_%s")["name"].as_field_group())
    assert '<label for="key_name">Name</label>' in html  # no "Name:"
    assert html.index("<input") < html.index('id="key_name_helptext"')
    assert 'aria-describedby="key_name_helptext"' in html and " required" in html


@pytest.mark.parametrize(
    ("language", "month", "moment"),
    [("en", "March 2026", "2 May 2018, 09:30"), ("nl", "maart 2026", "2 mei 2018, 09:30")],
)
def test_months_and_stored_iso_values_in_the_one_format(language, month, moment):
    with translation.override(language), timezone.override("Europe/Brussels"):
        assert _render("{{ m|kluis_month }}", m=dt.date(2026, 3, 17)) == month
        assert _render("{{ m|kluis_month }}", m="2026-03") == month
        assert _render("{{ v|kluis_value }}", v="2018-05-02T07:30:00+00:00") == moment
        day = _render("{{ v|kluis_date }}", v=dt.date(2018, 5, 2))
        assert _render("{{ v|kluis_value }}", v="2018-05-02") == day
    for kept in ("digest", "07:00", "12345", "2018-05-02 or so", "2018-13-45"):
        assert _render("{{ v|kluis_value }}", v=kept) == kept
    assert _render('{{ v|kluis_value|default_if_none:"-" }}', v=None) == "-"


def test_the_audit_log_shows_a_changed_date_in_the_one_format(demo, login):
    from kluis.audit.models import AuditEvent
    from kluis.people import services
    from tests.conftest import actor_for

    me = Employee.objects.get(work_email="employee@demo-bv.test")
    services.update_employee(
        actor_for("hr@demo-bv.test"), me, {"birth_date": DAY}, expected_version=me.version
    )
    event = AuditEvent.objects.filter(action="employee.updated").latest("sequence")
    assert event.changes["birth_date"]["new"] == "1975-03-29"  # kept as ISO
    page = login("owner@demo-bv.test").get(f"/audit/{event.pk}/", secure=True).content.decode()
    assert "29 March 1975" in page and "1975-03-29" not in page
