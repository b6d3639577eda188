"""Kluis's settings plus the linter test's throw-away app (tests/scale/lint_fixture)."""

from kluis.settings import *  # noqa: F403
from kluis.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.scale.lint_fixture.apps.LintFixtureConfig"]
