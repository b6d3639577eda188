"""`kluis --help` and `kluis <command> --help` explain every command without a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import run_kluis

# The kluis command against its own SQLite data directory, whatever the stage's database:
# run in the SQLite stage only (the PostgreSQL stage would run the very same thing).
pytestmark = pytest.mark.own_sqlite

SUBCOMMANDS = [
    "up",
    "serve",
    "worker",
    "createtenant",
    "createuser",
    "audit",
    "keys",
    "apikey",
    "apiclient",
    "oauthclient",
    "oauthapp",
    "manage",
]


def test_help_lists_every_subcommand_with_a_summary(tmp_path: Path) -> None:
    result = run_kluis(tmp_path, "--help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for name in SUBCOMMANDS:
        assert any(line.strip().startswith(f"{name} ") for line in lines), name


@pytest.mark.parametrize(
    "command",
    [
        ["up"],
        ["serve"],
        ["worker"],
        ["createtenant"],
        ["createuser"],
        ["audit", "verify"],
        ["keys", "status"],
        ["keys", "rotate"],
        ["apikey", "create"],
        ["apikey", "revoke"],
    ],
)
def test_each_subcommand_explains_its_options(tmp_path: Path, command: list[str]) -> None:
    result = run_kluis(tmp_path, *command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: kluis {' '.join(command)}")
    assert "--help" in result.stdout


def test_without_a_command_it_says_what_is_missing(tmp_path: Path) -> None:
    result = run_kluis(tmp_path)
    assert result.returncode == 2
    assert "<command>" in result.stderr
    assert "Traceback" not in result.stderr


def test_createuser_offers_no_password_option(tmp_path: Path) -> None:
    help_text = run_kluis(tmp_path, "createuser", "--help").stdout
    assert "--password" not in help_text
    result = run_kluis(
        tmp_path, "createuser", "--tenant", "acme", "--email", "a@acme.test", "--password", "x"
    )
    assert result.returncode == 2
    assert "unrecognized arguments: --password" in result.stderr


def test_an_insecure_production_configuration_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_kluis(tmp_path, "audit", "verify", env={"KLUIS_ENV": "production"})
    assert result.returncode == 2
    assert result.stderr.startswith("kluis: Refusing to start in production")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["apikey", "create"], ["apiclient", "create"]])
def test_the_credential_commands_name_every_scope(tmp_path: Path, command: list[str]) -> None:
    from kluis.access.permissions import API_SCOPES

    help_text = " ".join(run_kluis(tmp_path, *command, "--help").stdout.split())
    for scope in API_SCOPES:
        assert scope in help_text, scope
