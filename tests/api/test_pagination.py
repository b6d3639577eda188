"""API cursors are `django.core.signing` tokens made with a key derived once per process
(kluis/api/pagination.py): byte for byte the tokens `signing.dumps` makes,
read back like `signing.loads` reads them, old secret keys and forgeries included."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import signing
from django.test.utils import override_settings
from rest_framework.pagination import Cursor

from kluis.api.pagination import CURSOR_SALT, cursor_token, read_cursor_token


def same_second(make: Callable[[], str], expect: Callable[[], str]) -> tuple[str, str]:
    """Both tokens made within one second: they carry the time in whole seconds."""
    while True:
        second = int(time.time())
        made, expected = make(), expect()
        if int(time.time()) == second:
            return made, expected


CASES = [
    (0, False, "42", ("id",)),
    (3, True, "2026-12-01T10:00:00Z", ("-updated_at", "pk")),
    (0, False, None, ("last_name", "pk")),
    (1, False, "Élodie “quoted” \\ name", ("last_name", "pk")),
]


@pytest.mark.parametrize(("offset", "reverse", "position", "ordering"), CASES)
def test_tokens_are_signing_dumps_tokens(
    offset: int, reverse: bool, position: str | None, ordering: tuple[str, ...]
) -> None:
    cursor = Cursor(offset=offset, reverse=reverse, position=position)  # type: ignore[arg-type]
    value = [offset, int(reverse), position, list(ordering)]
    token, expected = same_second(
        lambda: cursor_token(cursor, ordering), lambda: signing.dumps(value, salt=CURSOR_SALT)
    )
    assert token == expected
    assert read_cursor_token(token) == value
    assert signing.loads(token, salt=CURSOR_SALT) == value


def test_tokens_follow_the_secret_key() -> None:
    cursor = Cursor(offset=0, reverse=False, position="7")  # type: ignore[arg-type]
    before = cursor_token(cursor, ("id",))
    with override_settings(SECRET_KEY="another-secret-key-" + "x" * 40):
        after, expected = same_second(
            lambda: cursor_token(cursor, ("id",)),
            lambda: signing.dumps([0, 0, "7", ["id"]], salt=CURSOR_SALT),
        )
        assert after == expected
        assert after.rpartition(":")[2] != before.rpartition(":")[2]
        with pytest.raises(signing.BadSignature):
            read_cursor_token(before)


def test_a_token_of_a_previous_secret_key_is_read_while_that_key_is_a_fallback() -> None:
    cursor = Cursor(offset=0, reverse=False, position="7")  # type: ignore[arg-type]
    old = cursor_token(cursor, ("id",))
    with override_settings(
        SECRET_KEY="the-rotated-secret-key-" + "y" * 40, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        assert read_cursor_token(old) == [0, 0, "7", ["id"]]


def test_compressed_tokens_are_read_as_signing_reads_them() -> None:
    value = [0, 0, "x" * 300, ["id"]]
    token = signing.dumps(value, salt=CURSOR_SALT, compress=True)
    assert token.startswith(".")
    assert read_cursor_token(token) == value


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "no-separator",
        ":",
        "WzAsMCwiNyIsWyJpZCJdXQ:forged-signature",
        "WzAsMCwiNyIsWyJpZCJdXQ:1xYgNs:forged-signature",
        "another-salt",
    ],
)
def test_forged_tokens_are_refused(forged: str) -> None:
    if forged == "another-salt":
        # Made here, not at collection: a timestamped token would differ between xdist workers.
        forged = signing.dumps([0, 0, "7", ["id"]], salt="another.salt")
    with pytest.raises(signing.BadSignature):
        read_cursor_token(forged)


def test_a_changed_value_under_a_kept_signature_is_refused() -> None:
    token = cursor_token(Cursor(offset=0, reverse=False, position="7"), ("id",))  # type: ignore[arg-type]
    stamped, _sep, signature = token.rpartition(":")
    other = signing.dumps([0, 0, "8", ["id"]], salt=CURSOR_SALT).rpartition(":")[0]
    assert other != stamped
    with pytest.raises(signing.BadSignature):
        read_cursor_token(f"{other}:{signature}")
