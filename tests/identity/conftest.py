"""Fixtures shared by the identity tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from kluis.identity import signing_keys


@pytest.fixture
def fresh_signing_keys() -> Iterator[None]:
    """No app token signing key cached by an earlier test's rolled-back transaction, and
    no rate-limit count left in the cache."""
    signing_keys.forget()
    cache.clear()
    yield
    signing_keys.forget()
    cache.clear()
