"""SQLite writers queue on a lock file (kluis/operations/sqlite/base.py): the next writer
starts as soon as the one before it ends, not after SQLite's busy handler's sleeps, and
one that waits longer than the database's timeout gets "database is locked"."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler


def connect(path: Path, timeout: float = 5) -> Any:
    """A connection of Kluis's SQLite engine to the file `path` (not the test database)."""
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "kluis.operations.sqlite",
                "NAME": str(path),
                "OPTIONS": {
                    "transaction_mode": "IMMEDIATE",
                    "timeout": timeout,
                    "init_command": "PRAGMA journal_mode=WAL;",
                },
            }
        }
    )
    connection = handler["default"]
    connection.ensure_connection()  # as transaction.atomic() does before it begins
    return connection


def held(path: Path) -> bool:
    """Whether a writer holds the database's queue lock now."""
    fd = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.fixture(autouse=True)
def _own_database_files(django_db_blocker: Any) -> Any:
    """These connections go to files of their own, never to the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "kluis.sqlite3"
    first = connect(path)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n INTEGER)")
    first.close()
    return path


def test_a_writer_starts_as_soon_as_the_one_before_it_ends(database: Path) -> None:
    first = connect(database)
    assert not held(database)
    first._start_transaction_under_autocommit()  # as transaction.atomic() begins
    assert held(database)
    first.cursor().execute("INSERT INTO t VALUES (1)")
    waited: list[float] = []

    def second_writer() -> None:
        second = connect(database)
        began = time.monotonic()
        second._start_transaction_under_autocommit()
        waited.append(time.monotonic() - began)
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second.commit()
        second.close()

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive() and not waited  # queued behind the first
    first.commit()
    thread.join(timeout=10)
    assert waited and 0.25 < waited[0] < 0.6, waited
    assert first.cursor().execute("SELECT n FROM t ORDER BY n").fetchall() == [(1,), (2,)]
    first.close()


def test_a_rolled_back_writer_lets_the_next_one_in(database: Path) -> None:
    first = connect(database)
    first._start_transaction_under_autocommit()
    first.rollback()
    assert not held(database)
    second = connect(database, timeout=0.2)
    second._start_transaction_under_autocommit()  # not refused: nobody holds the lock
    second.rollback()
    first.close()
    second.close()


def test_a_writer_waiting_past_the_timeout_is_told_the_database_is_locked(
    database: Path,
) -> None:
    first = connect(database)
    first._start_transaction_under_autocommit()
    refused: list[BaseException] = []

    def impatient_writer() -> None:
        second = connect(database, timeout=0.2)
        try:
            second._start_transaction_under_autocommit()
        except OperationalError as exc:
            refused.append(exc)
        second.close()

    thread = threading.Thread(target=impatient_writer)
    thread.start()
    thread.join(timeout=10)
    assert refused and "database is locked" in str(refused[0])
    first.rollback()
    first.close()


def test_a_write_outside_a_transaction_queues_for_its_one_statement(database: Path) -> None:
    first = connect(database)
    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")
    waited: list[float] = []

    def autocommit_writer() -> None:
        second = connect(database)
        began = time.monotonic()
        second.cursor().execute("UPDATE t SET n = n + 10")  # its own transaction
        waited.append(time.monotonic() - began)
        assert not held(database)  # given back right after the statement
        second.close()

    thread = threading.Thread(target=autocommit_writer)
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive() and not waited
    first.commit()
    thread.join(timeout=10)
    assert waited and 0.25 < waited[0] < 0.6, waited
    assert first.cursor().execute("SELECT n FROM t").fetchall() == [(11,)]
    assert first.cursor().execute("SELECT count(*) FROM t").fetchall() == [(1,)]
    first.close()


def test_the_log_is_checkpointed_in_the_background_not_by_a_writer(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer no longer copies the write-ahead log into the database when it crosses
    SQLite's threshold (that made the slowest changes): a thread does, once it has grown."""
    from kluis.operations.sqlite import base

    writer = connect(database)
    assert writer.cursor().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 20000
    assert any(t.name == "sqlite-checkpoint" and t.is_alive() for t in threading.enumerate())
    before = database.stat().st_size
    monkeypatch.setattr(base, "CHECKPOINT_BYTES", 1)
    writer._start_transaction_under_autocommit()
    writer.cursor().executemany("INSERT INTO t VALUES (%s)", [(n,) for n in range(20000)])
    writer.commit()
    deadline = time.monotonic() + 10
    while database.stat().st_size == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert database.stat().st_size > before  # the rows were copied from the log
    writer.close()
