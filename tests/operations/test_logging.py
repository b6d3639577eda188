"""What the console log says about a request: a refused one is a single line (status and
path, no traceback); a server error keeps its traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.urls import reverse

from kluis.operations.logging import RefusalFilter


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """A handler like the configured console one (settings.LOGGING: its filters and
    format) writing into a buffer. Not the console handler itself: its stream may be one
    the test run has closed."""
    configured = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RefusalFilter) for f in h.filters)
    )
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(configured.formatter)
    for kept in configured.filters:
        handler.addFilter(kept)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)


def test_a_refused_request_is_one_line_without_a_traceback(demo, login, console):
    response = login("auditor@demo-bv.test").get(reverse("people:list"), secure=True)
    assert response.status_code == 403
    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    forbidden = [line for line in lines if "Forbidden" in line]
    assert len(forbidden) == 1, lines
    assert "WARNING django.request" in forbidden[0] and "/people/" in forbidden[0]
    assert "Traceback" not in console.getvalue()


def test_an_error_keeps_its_traceback(console):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=True)
    assert "Traceback" in console.getvalue() and "RuntimeError: boom" in console.getvalue()
