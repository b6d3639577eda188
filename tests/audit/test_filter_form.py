"""The audit log's filter form as a reader sees it (QA walk of issue 17): actions and
object types by readable names in the reader's language (the query values stay the
codes), a period that ends before it starts refused on the To field, and one short hint
per field."""

from __future__ import annotations

import re

from django.utils import translation

AUDITOR = "auditor@demo-bv.test"


def _options(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def test_actions_are_named_in_words_grouped_by_kind_and_filter_by_code(demo, login):
    client = login(AUDITOR)
    html = client.get("/audit/").content.decode()
    actions = _options(html, "action")
    assert '<optgroup label="Roles">' in actions
    option = re.search(r'<option value="role.granted"[^>]*>([^<]*)</option>', actions).group(1)
    assert option == "Someone gave \u2026 a role"
    assert not re.search(r'<option value="[^"]+"[^>]*>[a-z_]+\.[a-z_.]+</option>', actions)
    # The code stays the value: old links and exports keep working.
    response = client.get("/audit/", {"action": "role.granted"})
    assert {e.action for e in response.context["events"]} == {"role.granted"}


def test_object_types_are_named_by_their_model_in_the_readers_language(demo, login):
    client = login(AUDITOR)
    types = _options(client.get("/audit/").content.decode(), "object_type")
    assert '<option value="people.employee">Employee</option>' in types
    assert not re.search(r'<option value="[^"]+"[^>]*>[a-z_]+\.[a-z_]+</option>', types)
    with translation.override("en"):
        dutch = client.get("/audit/", headers={"accept-language": "nl"}).content.decode()
    assert '<option value="people.employee">Medewerker</option>' in _options(dutch, "object_type")


def test_a_period_ending_before_it_starts_is_refused_on_the_to_field(demo, login):
    response = login(AUDITOR).get("/audit/", {"date_from": "2026-05-10", "date_to": "2026-05-01"})
    html = response.content.decode()
    assert response.context["filter"].form.errors["date_to"] == [
        "The To date is before the From date: choose a later day."
    ]
    assert 'data-testid="filter-errors"' in html
    to_field = re.search(r'data-testid="filter-date_to">(.*?)</div>', html, re.S).group(1)
    assert "The To date is before the From date" in to_field
    same_day = login(AUDITOR).get("/audit/", {"date_from": "2026-05-01", "date_to": "2026-05-01"})
    assert not same_day.context["filter"].form.errors


def test_every_filter_has_one_short_hint(demo, login):
    html = login(AUDITOR).get("/audit/").content.decode()
    for name in ("person", "actor", "kind", "date_from", "date_to", "action", "object_type"):
        field = re.search(rf'data-testid="filter-{name}">(.*?)\n</div>', html, re.S).group(1)
        assert field.count("<small") == 1, name
    done_by = re.search(r'data-testid="filter-actor">(.*?)\n</div>', html, re.S).group(1)
    assert "e-mail" not in done_by
