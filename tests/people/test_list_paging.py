"""The HR list pages through ids, so deep pages and big pages cost the same queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_page_size_choice_and_constant_queries(demo, login):
    client = login("hr@demo-bv.test", "demo-bv")
    counts = {}
    for size in (25, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/people/", {"page_size": size}, secure=True)
        assert response.status_code == 200
        counts[size] = len(queries)
    assert counts[25] == counts[50]
    with CaptureQueriesContext(connection) as queries:
        deep = client.get("/people/", {"page_size": 25, "page": 2}, secure=True)
    assert deep.status_code == 200
    assert len(queries) == counts[25]


def test_unknown_page_size_falls_back_to_the_default(demo, login):
    client = login("hr@demo-bv.test", "demo-bv")
    response = client.get("/people/", {"page_size": "100000"}, secure=True)
    assert response.status_code == 200
    assert b'<option value="50" selected>' in response.content
