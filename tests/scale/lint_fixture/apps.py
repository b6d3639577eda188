from django.apps import AppConfig


class LintFixtureConfig(AppConfig):
    name = "tests.scale.lint_fixture"
    label = "lint_fixture"
