"""How `kluis up` learns it must stop: SIGINT and SIGTERM become a flag and a byte in a
pipe, nothing more.

A signal handler runs between two bytecodes of the main thread, possibly while that thread
holds a lock. The handler this replaces called `threading.Event.set()`, which takes the
event's lock: a second TERM arriving while the first handler (or the main loop's
`Event.wait`) held it deadlocked the main thread for good (make passes the signal on to its
child, so two TERMs in a row are ordinary). Here the handler only assigns an attribute and
writes one byte to a non-blocking pipe, neither of which takes a lock; the main loop sleeps
in `select()` on the pipe's other end.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
from types import FrameType


class Stopper:
    """Turns SIGINT and SIGTERM into a flag the main loop checks (`stopped`) and a pipe it
    sleeps on (`wait`)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        # No lock, no allocation worth the name, no I/O that can block: a full pipe (many
        # signals) drops the byte, and one byte is all the sleeper needs.
        if self.signum is None:
            self.signum = signum
        with contextlib.suppress(BlockingIOError, InterruptedError):
            os.write(self._write, b"\0")

    @property
    def stopped(self) -> bool:
        return self.signum is not None

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds` or until a signal came; True when asked to stop."""
        if self.stopped:
            return True
        with contextlib.suppress(InterruptedError):
            ready, _, _ = select.select([self._read], [], [], seconds)
            if ready:
                with contextlib.suppress(BlockingIOError):
                    os.read(self._read, 512)
        return self.stopped

    def close(self) -> None:
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)
