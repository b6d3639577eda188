"""A pytest plugin for `make test`'s PostgreSQL stage (`-p tests.multinode.scheduling` with
`--dist loadgroup`): every test under tests/multinode/ goes to one pytest-xdist worker,
so that one cluster serves them all.

pytest-xdist's own `xdist_group` marker does not group with pytest 9 (xdist 3.8 renames
the item's `_nodeid`, which pytest 9 no longer reads), so the group is made here from the
test's path, on the controller that schedules."""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadGroupScheduling

PREFIX = "tests/multinode/"


class SeveralNodesTogether(LoadGroupScheduling):
    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(PREFIX):
            return "multinode"
        return super()._split_scope(nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") == "loadgroup":
        return SeveralNodesTogether(config, log)
    return None
