"""Progress bars (tqdm) on stderr, only when stderr is a terminal unless asked."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def bar(total: int, description: str, progress: bool | None, unit: str = "row") -> Any:
    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        unit_scale=True,
        disable=not enabled(progress),
        file=sys.stderr,
        leave=False,
        delay=2.0,  # nothing for a run that ends within two seconds
    )
