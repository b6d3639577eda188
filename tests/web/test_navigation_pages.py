"""Pages reached from the navigation that had accessibility faults of their own: the API keys
page (two forms with the same field names) and the member page's role links."""

from __future__ import annotations

import re
from collections import Counter

OWNER = "owner@demo-bv.test"
MANAGER = "manager@demo-bv.test"


def _forms(html: str) -> dict[str, str]:
    return dict(re.findall(r'<form[^>]*data-testid="([^"]+)"[^>]*>(.*?)</form>', html, re.S))


def test_api_keys_page_ids_are_unique_and_labels_point_into_their_own_form(demo, login):
    html = login(OWNER, "demo-bv").get("/integrations/api-keys/").content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert not [i for i, n in ids.items() if n > 1], ids
    forms = _forms(html)
    for name in ("api-key-form", "api-client-form"):
        form = forms[name]
        targets = re.findall(r'<label for="([^"]+)"', form)
        assert targets, name
        for target in targets:
            assert f'id="{target}"' in form, (name, target)
    # The shared field component: label above, no Django "Name:" suffix, help below.
    key_form = forms["api-key-form"]
    assert "Name:" not in key_form
    assert key_form.index('<label for="id_name">') < key_form.index('id="id_name_helptext"')
    assert "<legend>Scopes</legend>" in forms["api-client-form"]


def test_a_manager_sees_a_members_roles_without_links_they_could_not_open(demo, login):
    client = login(MANAGER, "demo-bv")
    members = client.get("/members/").content.decode()
    member = re.search(r'href="(/members/\d+/)"', members)
    assert member
    page = client.get(member.group(1)).content.decode()
    assert client.get("/roles/").status_code == 403
    assert not re.search(r'href="/roles/\d+/"', page)
