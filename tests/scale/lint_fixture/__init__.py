"""A throw-away app whose migrations the migration linter's test lints
(tests/scale/test_migration_lint.py); installed only by migration_lint_settings.py."""
