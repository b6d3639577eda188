"""Django's SQLite backend, with writers queued on a lock file instead of SQLite's busy handler.

SQLite lets one transaction write at a time; the others wait in SQLite's busy handler,
which sleeps 1, 2, 5, 10, 15, 20, 25, ... 50, 100 ms between tries. A writer that arrives
while another holds the lock for 20 ms is let in after 33 ms, and one that keeps losing
the race to newcomers waits hundreds of milliseconds: under four clients changing
employees at once, one change in a hundred took most of a second.

Here a transaction (`transaction.atomic`, which starts with `BEGIN IMMEDIATE`) first takes
an exclusive lock on `<database>-writer` (every process and thread of the host shares
it; released at COMMIT or ROLLBACK, and by the kernel if the process dies), trying again
every fraction of a millisecond, so the next writer starts as soon as the last one ends.
Checkpoints (copying the write-ahead log back into the database, with an fsync) are not
made by the transaction that happens to cross SQLite's threshold, while it holds the
queue: a thread of each process checkpoints in the background once the log has grown
(`_Checkpointer`), and a connection checkpoints itself only far past that, should no
thread be running. Under four clients changing employees, the checkpoints made inside
transactions were the slowest one in a hundred changes (hundreds of milliseconds).

A write outside a transaction (an INSERT, UPDATE or DELETE in autocommit, e.g. a key's
last-used time) queues the same way for its one statement: left to the busy handler it
would lose the race to the queue again and again while writers keep it busy. An in-memory
database (the tests) has one connection and needs no queue.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base


def _wait_for_lock(fd: int, timeout: float) -> bool:
    """Take the lock of `fd` when its holder gives it up (the kernel wakes the waiters at
    once: no polling, so no waiter keeps losing to newcomers); False after `timeout`.

    The blocking call runs in a thread of its own, so that this one can stop waiting: a
    lock the helper takes after the caller gave up is given back at once."""
    taken = threading.Event()
    lock = threading.Lock()
    abandoned = False
    # The same open file (the lock is the open file's), kept open for the helper even if
    # the connection closes its own descriptor meanwhile.
    own = os.dup(fd)

    def take() -> None:
        try:
            fcntl.flock(own, fcntl.LOCK_EX)
            with lock:
                if abandoned:
                    fcntl.flock(own, fcntl.LOCK_UN)
                    return
                taken.set()
        finally:
            os.close(own)  # the lock stays with the open file while `fd` is open

    threading.Thread(target=take, name="sqlite-writer-queue", daemon=True).start()
    if taken.wait(timeout):
        return True
    with lock:
        if taken.is_set():
            return True
        abandoned = True
    return False


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


# The log's size (bytes) at which the background thread checkpoints, how often it looks,
# and (pages) where a connection checkpoints itself if no thread has.
CHECKPOINT_BYTES = 4 * 1024 * 1024
CHECKPOINT_EVERY = 0.5
FALLBACK_PAGES = 20000


class _Checkpointer:
    """One thread per process and database file: a PASSIVE checkpoint (it never waits for
    readers or writers) whenever the write-ahead log has grown past CHECKPOINT_BYTES."""

    _running: dict[tuple[int, str], threading.Thread] = {}
    _guard = threading.Lock()

    @classmethod
    def ensure(cls, path: str) -> None:
        key = (os.getpid(), path)
        if key in cls._running:
            return
        with cls._guard:
            if key not in cls._running:
                thread = threading.Thread(
                    target=cls._run, args=(path,), name="sqlite-checkpoint", daemon=True
                )
                cls._running[key] = thread
                thread.start()

    @staticmethod
    def _run(path: str) -> None:

        wal = f"{path}-wal"
        connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
        while True:
            time.sleep(CHECKPOINT_EVERY)
            try:
                if os.path.getsize(wal) >= CHECKPOINT_BYTES:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except (OSError, sqlite3.Error):
                continue  # no log yet, or busy: the next round


class _QueuedCursor(base.SQLiteCursorWrapper):
    """Django's cursor; a write statement outside a transaction queues first."""

    database: DatabaseWrapper

    def execute(self, query: str, params: Any = None) -> Any:
        with self.database.queued_for(query):
            return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        with self.database.queued_for(query):
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_fd: int | None = None
        self._writing = False
        self._cursor_class: type | None = None

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            connection.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}")
            _Checkpointer.ensure(str(self.settings_dict["NAME"]))
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        if self._cursor_class is None:
            self._cursor_class = type("QueuedCursor", (_QueuedCursor,), {"database": self})
        return self.connection.cursor(factory=self._cursor_class)

    @contextlib.contextmanager
    def queued_for(self, query: str) -> Iterator[None]:
        """Around a statement: a write outside a queued transaction waits its turn (and in
        autocommit gives it back after the statement; else at COMMIT or ROLLBACK)."""
        if self._writing or not _WRITE.match(query) or self._writer_lock() is None:
            yield
            return
        self._queue_for_writing()
        if self.in_atomic_block or not self.get_autocommit():
            yield  # a transaction the module began: held until it ends
            return
        try:
            yield
        finally:
            self._done_writing()

    def _writer_lock(self) -> int | None:
        """The open lock file of this connection's database; None for an in-memory one."""
        if self._writer_fd is None and not self.is_in_memory_db():
            path = f"{self.settings_dict['NAME']}-writer"
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._writer_fd

    def _queue_for_writing(self) -> None:
        fd = self._writer_lock()
        if fd is None or self._writing:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
            if not _wait_for_lock(fd, timeout):
                raise OperationalError("database is locked") from None
        self._writing = True

    def _done_writing(self) -> None:
        if self._writing and self._writer_fd is not None:
            self._writing = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._queue_for_writing()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._done_writing()
            raise

    def _commit(self) -> Any:
        # A failed COMMIT keeps the transaction open: it is rolled back next.
        result = super()._commit()  # type: ignore[misc]
        self._done_writing()
        return result

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._done_writing()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._done_writing()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
