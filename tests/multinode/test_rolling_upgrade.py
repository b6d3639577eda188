"""A rolling upgrade as docs/operations.md describes it, under load through HAProxy: a new
release (this checkout copied, with an expanding change: a new nullable column on the
employees table that the new code fills in) is migrated while both nodes serve the old
one; node A is drained, stopped, started on the new release, checked ready and put back
while B goes on serving the old release on the new schema; then A is rolled back the same
way, as the procedure's "Rolling back" says. No request fails, no acknowledged write is
lost, and each node's hires show which release wrote them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.multinode.cluster import Cluster
from tests.multinode.load import Load, Outcome, missing_employees
from tests.multinode.processes import REPO_ROOT

MARKER = "release-2"
# The new release's change to kluis/people/models.py: a column added, nullable, with a
# default the new code writes (an "expand" step: the old code neither reads nor writes it).
ANCHOR = "    show_celebrations = models.BooleanField(default=True)\n"
ADDED = (
    "    # Release 2: which release hired the employee.\n"
    "    upgrade_marker = models.CharField(\n"
    f'        max_length=20, null=True, blank=True, default="{MARKER}"\n'
    "    )\n"
)


def new_release(root: Path) -> Path:
    """This checkout's code, copied, with the model change in it (its migration is made by
    `makemigrations`, as a developer would)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO_ROOT / "kluis", root / "kluis", ignore=ignore)
    shutil.copy2(REPO_ROOT / "manage.py", root / "manage.py")
    (root / "scripts").mkdir()
    for name in ("lint-migrations.py", "migration-lint-baseline.txt", "with_postgres.py"):
        shutil.copy2(REPO_ROOT / "scripts" / name, root / "scripts" / name)
    models = root / "kluis" / "people" / "models.py"
    source = models.read_text()
    assert source.count(ANCHOR) == 1, "the model to change has moved: update ANCHOR"
    models.write_text(source.replace(ANCHOR, ANCHOR + ADDED))
    return root


def lint_migrations(release: Path) -> subprocess.CompletedProcess[str]:
    """`make lint`'s migration linter over the new release's migrations."""
    return subprocess.run(
        [sys.executable, str(release / "scripts" / "lint-migrations.py")],
        cwd=release,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(release)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def replace_node(cluster: Cluster, name: str, release: Path) -> float:
    """Drain `name` in HAProxy, stop it, start it on `release`, wait until it is ready and
    put it back; when it was back."""
    proxy = cluster.proxy
    assert proxy is not None
    node = cluster.nodes[name]
    proxy.command_socket(f"set server nodes/{name} state drain")
    proxy.wait_for_state(name, "DRAIN")
    proxy.wait_idle(name)
    stopping = time.monotonic()
    node.stop()  # SIGTERM: granian finishes what it is answering
    node.cwd = release
    node.start()
    node.wait_ready()
    print(f"node {name}: on {release}, ready in {time.monotonic() - stopping:.1f} s")
    proxy.command_socket(f"set server nodes/{name} state ready")
    proxy.wait_for_state(name, "UP")
    return time.monotonic()


def markers(cluster: Cluster, ids: list[int]) -> dict[int, str | None]:
    """The new column of these employees, read with SQL (the old release has no field)."""
    code = (
        "import json; from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT id, upgrade_marker FROM people_employee WHERE id = ANY(%s)',"
        f" [{sorted(ids)!r}])\n"
        "    print('MULTINODE ' + json.dumps(dict(c.fetchall())))\n"
    )
    return {int(k): v for k, v in cluster.shell(code).items()}


def hires(outcomes: list[Outcome], node: str, after: float, before: float) -> list[int]:
    return [
        o.employee
        for o in outcomes
        if o.ok and o.node == node and after < o.started and o.ended < before and o.employee
    ]


def _new_migrations(summary: str) -> int:
    """How many migrations the lint's summary line counts as new (not in its baseline)."""
    found = re.search(r"Migrations: (\d+) new", summary)
    return int(found.group(1)) if found else 0


def test_a_rolling_upgrade_and_its_rollback_fail_no_request(cluster: Cluster, tmp_path) -> None:
    release = new_release(tmp_path / "release-2")
    # The release adds one migration to those not yet in the lint's baseline.
    already = _new_migrations(lint_migrations(release).stdout)
    cluster.manage("makemigrations", "people", "--name", "upgrade_marker", release=release)
    linted = lint_migrations(release)
    assert linted.returncode == 0, linted.stdout[-3000:] + linted.stderr[-3000:]
    assert f"Migrations: {already + 1} new, backward compatible" in linted.stdout, linted.stdout

    cluster.wait_ready()  # the tests before may have restarted processes
    load = Load(cluster, threads=2).start()
    try:
        time.sleep(1.5)
        # 1. Migrate with the new release while every node serves the old one.
        migrated = cluster.manage("migrate", "--no-input", release=release)
        assert "people.0" in migrated and "upgrade_marker... OK" in migrated, migrated
        schema_changed = time.monotonic()
        time.sleep(1.5)
        # 2. Node A onto the new release while B serves the old one.
        upgraded = replace_node(cluster, "a", release)
        time.sleep(2.0)
        # 3. Rolled back: the old release runs on the expanded schema.
        rolling_back = time.monotonic()
        rolled_back = replace_node(cluster, "a", REPO_ROOT)
        time.sleep(1.5)
    finally:
        outcomes = load.stop()
    assert load.failures() == [], [(f.status, f.error) for f in load.failures()]
    assert missing_employees(cluster, load.acknowledged()) == []

    old_on_new_schema = hires(outcomes, "b", schema_changed, rolled_back)
    new_release_hires = hires(outcomes, "a", upgraded, rolling_back)
    after_rollback = hires(outcomes, "a", rolled_back, float("inf"))
    assert old_on_new_schema, "B answered nothing on the new schema"
    assert new_release_hires, "A answered nothing on the new release"
    assert after_rollback, "A answered nothing after the rollback"
    written = markers(cluster, old_on_new_schema + new_release_hires + after_rollback)
    print(json.dumps({"old": len(old_on_new_schema), "new": len(new_release_hires)}))
    assert {written[i] for i in new_release_hires} == {MARKER}
    assert {written[i] for i in old_on_new_schema + after_rollback} == {None}
