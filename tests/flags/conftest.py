"""Flags of the tests' own (declared for one test, gone after it) and an operator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from kluis.company.demo import OPERATOR_EMAIL
from kluis.flags import registry


@pytest.fixture
def declare(monkeypatch: pytest.MonkeyPatch) -> Callable[..., registry.Declaration]:
    """Declare a flag for this test only."""

    def _declare(
        name: str, *, default: bool = False, expires: date = date(2099, 1, 1)
    ) -> registry.Declaration:
        declaration = registry.Declaration(name, f"Test flag {name}", "tests", expires, default)
        monkeypatch.setitem(registry._declared, name, declaration)
        return declaration

    return _declare


@pytest.fixture
def operator(demo: Any) -> Any:
    """The demo's platform operator: staff, no company."""
    return get_user_model().objects.get(email=OPERATOR_EMAIL)
