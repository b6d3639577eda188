"""State two web nodes share: one rate limit for a client across both, a session made on
one node valid on the other, a sign-in block made on one node holding on the other."""

from __future__ import annotations

import html
import time

from django.conf import settings

from tests.multinode.client import Api, Browser
from tests.multinode.cluster import BLOCK_AFTER, RATE_PER_KEY, Cluster

LIST = "/api/v1/employees/?page_size=1&fields=first_name"


def start_of_a_minute(needed_seconds: float = 8.0) -> None:
    """The API counts per calendar minute: wait for the next one when too little is left
    of this one for the requests to fall into one window."""
    left = 60 - time.time() % 60
    if left < needed_seconds:
        time.sleep(left + 0.3)


def test_a_keys_rate_limit_is_one_limit_across_both_nodes(cluster: Cluster) -> None:
    api = Api(cluster.setup["rate"], cluster.certificate)
    nodes = [cluster.nodes["a"], cluster.nodes["b"]]
    start_of_a_minute()
    answers = [api.get(nodes[n % 2].url + LIST) for n in range(RATE_PER_KEY)]
    assert [a.status_code for a in answers] == [200] * RATE_PER_KEY
    # Each node reports what is left of the one limit, counting the other node's requests.
    remaining = [int(a.headers["RateLimit-Remaining"]) for a in answers]
    assert remaining == list(range(RATE_PER_KEY - 1, -1, -1))
    # The 21st request is refused whichever node it reaches, and through HAProxy too.
    for url in (nodes[0].url, nodes[1].url, cluster.url):
        refused = api.get(url + LIST)
        assert refused.status_code == 429, (url, refused.text)
        assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_a_session_made_on_one_node_works_on_the_other(cluster: Cluster) -> None:
    node_a, node_b = cluster.nodes["a"], cluster.nodes["b"]
    browser = Browser(cluster.certificate)
    assert Browser.signed_in(browser.sign_in(node_a.url, "member1@demo-bv.test", _password()))
    for url in (node_b.url, cluster.url, node_a.url):
        page = browser.get(f"{url}/")
        assert page.status_code == 200, (url, page.status_code, page.headers.get("Location"))
        assert "member1@demo-bv.test" in page.text or "Sign out" in page.text
    # Signing out on node B ends the session on node A as well.
    signed_out = browser.post_form(f"{node_b.url}/accounts/logout/", {})
    assert signed_out.status_code == 302
    after = browser.get(f"{node_a.url}/")
    assert after.status_code == 302 and "/accounts/login/" in after.headers["Location"]


def test_a_sign_in_block_made_on_one_node_holds_on_the_other(cluster: Cluster) -> None:
    victim = "member3@demo-bv.test"
    attacker = Browser(cluster.certificate)
    for attempt in range(BLOCK_AFTER):
        answer = attacker.sign_in(cluster.nodes["a"].url, victim, f"wrong password {attempt}")
        assert answer.status_code == 200 and not Browser.signed_in(answer)
    for url in (cluster.nodes["b"].url, cluster.url):
        refused = Browser(cluster.certificate).sign_in(url, victim, _password())
        assert not Browser.signed_in(refused), url
        assert "Too many failed sign-ins for this account from your network" in html.unescape(
            refused.text
        )


def _password() -> str:
    return str(settings.DEMO_PASSWORD)
