"""A credential taken away on one node is refused by the other on its very next request,
however warm that node's view of it was: an API key revoked, a member deactivated."""

from __future__ import annotations

import time

import pytest
import requests
from django.conf import settings

from tests.multinode.client import CSRF_FIELD, Api, Browser
from tests.multinode.cluster import Cluster

LIST = "/api/v1/employees/?page_size=1&fields=first_name"


@pytest.fixture(scope="module")
def hr_on_a(cluster: Cluster) -> Browser:
    """The HR admin of Demo BV, signed in on node A."""
    hr = Browser(cluster.certificate)
    signed_in = hr.sign_in(cluster.nodes["a"].url, "hr@demo-bv.test", settings.DEMO_PASSWORD)
    assert Browser.signed_in(signed_in), signed_in.text[:500]
    return hr


def confirm(browser: Browser, page_url: str, action_url: str) -> requests.Response:
    """Post a confirmed destructive action, with the CSRF token of the page it is on."""
    page = browser.get(page_url)
    assert page.status_code == 200, (page_url, page.status_code)
    token = CSRF_FIELD.search(page.text)
    assert token is not None
    form = {"csrfmiddlewaretoken": token.group(1), "confirmed": "1"}
    return browser.post(action_url, form, page=page_url)


def test_a_key_revoked_on_one_node_fails_on_the_other_on_the_next_request(
    cluster: Cluster, hr_on_a: Browser
) -> None:
    key = cluster.setup["revoke"]
    api = Api(key, cluster.certificate)
    node_a, node_b = cluster.nodes["a"], cluster.nodes["b"]
    for _ in range(3):  # node B has seen the key, and may remember it
        assert api.get(node_b.url + LIST).status_code == 200
    keys_page = f"{node_a.url}/integrations/api-keys/"
    done = confirm(
        hr_on_a,
        keys_page,
        f"{node_a.url}/integrations/api-keys/{cluster.setup['revoke_pk']}/revoke/",
    )
    revoked_at = time.monotonic()
    refused = api.get(node_b.url + LIST)
    refusal_seconds = time.monotonic() - revoked_at
    assert done.status_code == 302, done.text[:500]
    assert refused.status_code == 401, refused.text
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    for url in (node_a.url, cluster.url):
        assert api.get(url + LIST).status_code == 401
    assert f"The key {key[:12]}… was revoked." in hr_on_a.get(keys_page).text
    print(f"revocation to refusal on the other node: {refusal_seconds * 1000:.0f} ms")


def test_a_member_deactivated_on_one_node_is_signed_out_on_the_other(
    cluster: Cluster, hr_on_a: Browser
) -> None:
    node_a, node_b = cluster.nodes["a"], cluster.nodes["b"]
    member = Browser(cluster.certificate)
    signed_in = member.sign_in(node_b.url, "member2@demo-bv.test", settings.DEMO_PASSWORD)
    assert Browser.signed_in(signed_in), signed_in.text[:500]
    for _ in range(2):
        assert member.get(f"{node_b.url}/").status_code == 200

    membership = cluster.setup["members"]["member2@demo-bv.test"]
    page_url = f"{node_a.url}/members/{membership}/"
    done = confirm(hr_on_a, page_url, f"{node_a.url}/members/{membership}/deactivate/")
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/members/{membership}/"
    ), done.text[:500]
    assert "no longer has access" in hr_on_a.get(page_url).text

    after = member.get(f"{node_b.url}/")
    assert after.status_code == 302 and "/accounts/login/" in after.headers["Location"]
