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
A statement outside a transaction still waits in SQLite's busy handler, as before; an
in-memory database (the tests) has one connection and needs no queue.
"""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Waits between tries: short at first (a transaction takes milliseconds), then 1 ms.
_STEPS = (0.0001, 0.0002, 0.0005)
_STEP = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_fd: int | None = None
        self._writing = False

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
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        tries = 0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked") from None
                time.sleep(_STEPS[tries] if tries < len(_STEPS) else _STEP)
                tries += 1
            else:
                self._writing = True
                return

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
