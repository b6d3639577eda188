"""The `kluis` command: run Kluis and look after it.

Problems an operator can fix are reported as one line (`kluis: ...`) with exit code 1
(or 2 for a configuration problem), never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kluis.access.permissions import API_SCOPES
from kluis.cli_server import positive, server_arguments
from kluis.operations.children import SETTINGS_MODULE
from kluis.operations.serving import (
    ServerOptions,
    ServingError,
    UpSteps,
    exec_serve,
    run_up,
)

Handler = Callable[[argparse.Namespace], int]

# Threads per web server process. Requests are mostly Python holding the GIL, so more
# threads than this make them wait on each other (the p99 of an API list at 16 clients
# doubled with 4, see bench/api_bench.py); one more than one keeps a process answering
# while a long request (an export) runs.
WEB_BLOCKING_THREADS = 2

# Every scope an API key or client may hold, for the help of the commands that make them.
SCOPE_LIST = ", ".join(API_SCOPES)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()


def _server_options(args: argparse.Namespace, *, log_level: str) -> ServerOptions:
    return ServerOptions(
        host=args.host,
        port=args.port,
        http_port=getattr(args, "http_port", 0),
        workers=args.workers,
        blocking_threads=WEB_BLOCKING_THREADS,
        cert=args.cert,
        key=args.key,
        log_level=log_level,
        access_log=args.access_log,
    )


def cmd_up(args: argparse.Namespace) -> int:
    # The web server's own start-up chatter would drown the progress lines.
    options = _server_options(args, log_level="warning")
    return run_up(options, up_steps(demo=not args.no_demo))


def up_steps(*, demo: bool) -> UpSteps:
    """The apps' part of `kluis up`: operations (below every app) is handed it from here."""
    from kluis.crypto.keyring import ensure_master_key

    def load_demo() -> bool:
        from kluis.company.demo import load_demo

        return load_demo()

    def demo_logins() -> list[tuple[str, str]]:
        from kluis.company.demo import demo_logins

        return demo_logins()

    return UpSteps(
        setup_django=setup_django,
        ensure_master_key=ensure_master_key,
        load_demo=load_demo if demo else None,
        demo_logins=demo_logins,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    return exec_serve(_server_options(args, log_level="info"), setup_django=setup_django)


def _call(command: str, **options: object) -> int:
    setup_django()
    from django.core.management import call_command

    call_command(command, **options)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    return _call("kluis_worker", queue=args.queue)


def cmd_createtenant(args: argparse.Namespace) -> int:
    return _call("createtenant", slug=args.slug, name=args.name, country=args.country)


def cmd_createuser(args: argparse.Namespace) -> int:
    return _call(
        "createuser",
        tenant=args.tenant,
        email=args.email,
        first_name=args.first_name,
        last_name=args.last_name,
        job_title=args.job_title,
        roles=args.roles,
    )


def cmd_audit_verify(args: argparse.Namespace) -> int:
    return _call("audit_verify", tenant=args.tenant)


def cmd_keys_status(args: argparse.Namespace) -> int:
    return _call("keys_status", tenant=args.tenant)


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    return _call(
        "keys_rotate",
        new_key_file=args.new_key_file,
        retire_old=args.retire_old,
        tenant=args.tenant,
        data_key=args.data_key,
    )


def cmd_keys_app_tokens(args: argparse.Namespace) -> int:
    return _call("rotate_app_token_keys", status=args.status)


def cmd_operator(args: argparse.Namespace) -> int:
    return _call("operator", action=args.operator_command, email=args.email)


def cmd_apikey_create(args: argparse.Namespace) -> int:
    return _call(
        "apikey_create",
        tenant=args.tenant,
        name=args.name,
        scopes=args.scopes,
        expires_days=args.expires_days,
    )


def cmd_apikey_revoke(args: argparse.Namespace) -> int:
    return _call("apikey_revoke", tenant=args.tenant, prefix=args.prefix)


def cmd_apiclient_create(args: argparse.Namespace) -> int:
    return _call("apiclient_create", tenant=args.tenant, name=args.name, scopes=args.scopes)


def cmd_oauthclient_create(args: argparse.Namespace) -> int:
    return _call("oauthclient_create", tenant=args.tenant, name=args.name, scopes=args.scopes)


def cmd_oauthapp_create(args: argparse.Namespace) -> int:
    return _call(
        "oauthapp_create", name=args.name, redirect_uris=args.redirect_uri, public=args.public
    )


def cmd_manage(argv: Sequence[str]) -> int:
    # Load the settings first: Django's own runner would only warn about a refused one.
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kluis manage", *argv])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kluis",
        description="Kluis, a self-hostable HR platform. Run `kluis <command> --help` for details.",
        allow_abbrev=False,
    )
    commands = parser.add_subparsers(dest="command", metavar="<command>", required=True)

    def add(name: str, summary: str, description: str = "") -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=summary, description=description or summary, allow_abbrev=False
        )
        return sub

    up = add(
        "up",
        "run everything on this machine: migrate, demo data, HTTPS, redirect, worker",
        "Run Kluis on this machine. Checks the ports, makes var/ and a secret key, migrates "
        "the database, loads the demo companies, makes a self-signed certificate, and runs "
        "the HTTPS web server, the background worker and an HTTP-to-HTTPS redirect until "
        "Ctrl-C. Running it again keeps the data.",
    )
    server_arguments(up, redirect=True)
    up.add_argument("--no-demo", action="store_true", help="do not load the demo companies")
    up.set_defaults(handler=cmd_up)

    serve = add(
        "serve",
        "run only the HTTPS web server (production: web and worker run separately)",
        "Run only the HTTPS web server (granian), replacing this process. With "
        "KLUIS_ENV=production give your certificate with --cert/--key (or KLUIS_TLS_CERT/"
        "KLUIS_TLS_KEY); otherwise a self-signed one in <data dir>/tls is used. Migrate "
        "first with `kluis manage migrate`.",
    )
    server_arguments(serve, redirect=False)
    serve.set_defaults(handler=cmd_serve)

    worker = add(
        "worker",
        "run only the background worker (task queue and heartbeat)",
        "Run the background worker: it runs queued tasks (webhook deliveries, e-mail) and "
        "reports a heartbeat that /health/ready checks. It is the worker of the task backend "
        "KLUIS_TASKS_BACKEND names (database, rq or celery; any number of workers on any "
        "number of hosts). Stop it with Ctrl-C or SIGTERM: it finishes the task it runs.",
    )
    worker.add_argument("--queue", default="default", help="queue to work on (default %(default)s)")
    worker.set_defaults(handler=cmd_worker)

    tenant = add("createtenant", "create a company (tenant) with its built-in roles")
    tenant.add_argument("--slug", required=True, help="short name in URLs: lowercase, digits, -")
    tenant.add_argument("--name", required=True, help='display name, e.g. "Acme BV"')
    tenant.add_argument(
        "--country", default="BE", help="ISO code: public holidays and leave types (BE, NL)"
    )
    tenant.set_defaults(handler=cmd_createtenant)

    user = add(
        "createuser",
        "add a person to a company (password from stdin or a prompt, never an argument)",
        "Add a person to a company, creating their account. The password is the first line "
        "of standard input when that is not a terminal (e.g. `printf '%s\\n' \"$PW\" | "
        "kluis createuser ...`), else it is asked for twice. It must pass the password "
        "rules (at least 15 characters, not common, not like the name or e-mail).",
    )
    user.add_argument("--tenant", required=True, metavar="SLUG", help="the company's slug")
    user.add_argument("--email", required=True, help="sign-in e-mail address")
    user.add_argument("--first-name", default="")
    user.add_argument("--last-name", default="")
    user.add_argument("--job-title", default="")
    user.add_argument(
        "--role",
        action="append",
        dest="roles",
        metavar="ROLE",
        help="owner, hr_admin, manager, employee, auditor or a custom role's name; "
        "repeat for several (default: employee)",
    )
    user.set_defaults(handler=cmd_createuser)

    audit = add("audit", "check the audit log: `kluis audit verify`")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="<action>", required=True)
    verify = audit_commands.add_parser(
        "verify",
        help="verify every company's hash chain; exit 1 if any was altered",
        description="Walk each company's hash-chained audit log and name the first altered "
        "or removed event. Exit code 0 when all are intact, 1 otherwise.",
        allow_abbrev=False,
    )
    verify.add_argument("--tenant", metavar="SLUG", help="only this company")
    verify.set_defaults(handler=cmd_audit_verify)

    keys = add("keys", "encryption keys: `kluis keys status`, `kluis keys rotate`")
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="<action>", required=True)
    status = keys_commands.add_parser(
        "status",
        help="list the master key ids and each company's data keys (never the keys)",
        description="Name the master keys (by id) and where they come from, and for each "
        "company its data key versions, which one is active and which master key wraps "
        "each. Exit code 1 when a data key cannot be opened with the keyring.",
        allow_abbrev=False,
    )
    status.add_argument("--tenant", metavar="SLUG", help="only this company")
    status.set_defaults(handler=cmd_keys_status)
    app_tokens = keys_commands.add_parser(
        "app-tokens",
        help="new signing key for app tokens (JWT); --status lists them",
        description="Make a new ES256 key that signs app tokens from now on; the keys "
        "before it keep verifying the tokens they signed until those have expired, then "
        "are deleted. Kluis also rotates on its own when the signing key is older than "
        "KLUIS_APP_TOKEN_KEY_ROTATION_DAYS. With --status: list the keys, change nothing.",
        allow_abbrev=False,
    )
    app_tokens.add_argument("--status", action="store_true", help="list the keys only")
    app_tokens.set_defaults(handler=cmd_keys_app_tokens)
    rotate = keys_commands.add_parser(
        "rotate",
        help="new master key, re-wrap every company's data keys; or --tenant SLUG --data-key",
        description="Add a new master key to the keyring and make it active, then re-wrap "
        "every company's data keys under it (one transaction and one audit event each). "
        "Running processes carry on: they reload the keyring when they meet the new key. "
        "With --retire-old the old master keys are then removed from the keyring (backups "
        "made before need them: keep a copy if you may restore one). With --tenant SLUG "
        "--data-key: make a new data key version for that company instead; new values are "
        "sealed with it and older values still open.",
        allow_abbrev=False,
    )
    rotate.add_argument(
        "--new-key-file",
        type=Path,
        metavar="PATH",
        help="take the new master key (base64 of 32 bytes) from this file instead of "
        "making a random one",
    )
    rotate.add_argument(
        "--retire-old",
        action="store_true",
        help="after re-wrapping, remove the old master keys from the keyring",
    )
    rotate.add_argument("--tenant", metavar="SLUG", help="the company, with --data-key")
    rotate.add_argument(
        "--data-key", action="store_true", help="make a new data key version for --tenant"
    )
    rotate.set_defaults(handler=cmd_keys_rotate)

    apikey = add("apikey", "API keys: `kluis apikey create`, `kluis apikey revoke`")
    apikey_commands = apikey.add_subparsers(
        dest="apikey_command", metavar="<action>", required=True
    )
    create = apikey_commands.add_parser(
        "create",
        help="create an API key for a company and print it once",
        description="Create an API client with one key for a company. The key is printed "
        "once on standard output (the rest goes to standard error); only a digest is stored. "
        f"Scopes: {SCOPE_LIST}.",
        allow_abbrev=False,
    )
    create.add_argument("--tenant", required=True, metavar="SLUG", help="the company's slug")
    create.add_argument("--name", required=True, help='what uses the key, e.g. "Payroll sync"')
    create.add_argument(
        "--scopes", required=True, help="comma-separated, e.g. employees:read,employees:write"
    )
    create.add_argument(
        "--expires-days", type=positive, default=None, help="expire after this many days"
    )
    create.set_defaults(handler=cmd_apikey_create)
    revoke = apikey_commands.add_parser(
        "revoke",
        help="revoke an API key by its prefix",
        description="Revoke an API key; requests with it answer 401 from then on.",
        allow_abbrev=False,
    )
    revoke.add_argument("--tenant", required=True, metavar="SLUG", help="the company's slug")
    revoke.add_argument("--prefix", required=True, help="the key's first 12 characters")
    revoke.set_defaults(handler=cmd_apikey_revoke)

    for command, summary, handler in (
        (
            "apiclient",
            "API clients for HTTP Basic: `kluis apiclient create` prints id and secret once",
            cmd_apiclient_create,
        ),
        (
            "oauthclient",
            "OAuth 2.0 client-credentials clients: `kluis oauthclient create` prints "
            "client_id and client_secret once",
            cmd_oauthclient_create,
        ),
    ):
        group = add(command, summary)
        actions = group.add_subparsers(dest=f"{command}_command", metavar="<action>", required=True)
        make = actions.add_parser(
            "create",
            help="create a client for a company and print its id and secret once",
            description="Create a client for a company. Its id (first line) and secret "
            "(second line) are printed once on standard output; only a digest of the secret "
            f"is stored. Scopes: {SCOPE_LIST}.",
            allow_abbrev=False,
        )
        make.add_argument("--tenant", required=True, metavar="SLUG", help="the company's slug")
        make.add_argument("--name", required=True, help='what uses it, e.g. "Payroll sync"')
        make.add_argument(
            "--scopes", required=True, help="comma-separated, e.g. employees:read,wages:read"
        )
        make.set_defaults(handler=handler)

    oauthapp = add(
        "oauthapp",
        "third-party OAuth apps (authorization code + PKCE): `kluis oauthapp create`",
    )
    oauthapp_actions = oauthapp.add_subparsers(
        dest="oauthapp_command", metavar="<action>", required=True
    )
    register = oauthapp_actions.add_parser(
        "create",
        help="register a third-party app and print its client_id and secret once",
        description="Register a third-party app that companies can connect (consent screen "
        "at /oauth/authorize). Prints client_id and client_secret once.",
        allow_abbrev=False,
    )
    register.add_argument("--name", required=True, help="the app's name, shown on consent")
    register.add_argument(
        "--redirect-uri", required=True, action="append", help="https:// redirect URI"
    )
    register.add_argument("--public", action="store_true", help="a public client (no secret)")
    register.set_defaults(handler=cmd_oauthapp_create)

    operator = add(
        "operator",
        "platform operators: `kluis operator create --email E`, `kluis operator remove`",
        "Platform operators run this installation (/operator/: status incidents, feature "
        "flags); being one gives no access to any company's data. Asks for a password on a "
        "terminal; without one the operator sets it through 'Forgot password'.",
    )
    operator_actions = operator.add_subparsers(
        dest="operator_command", metavar="<action>", required=True
    )
    for action, summary in (("create", "make a user an operator"), ("remove", "stop it")):
        sub = operator_actions.add_parser(action, help=summary, description=summary)
        sub.add_argument("--email", required=True, help="the operator's e-mail address")
        sub.set_defaults(handler=cmd_operator)

    # The operations areas add their own commands (kluis/cli_<area>.py).
    from kluis import cli_backups, cli_flags, cli_sandbox, cli_status

    for area in (cli_backups, cli_status, cli_flags, cli_sandbox):
        area.register(add)

    # Handled before argparse (everything after it goes to Django); listed for --help.
    add(
        "manage",
        "run a Django management command, e.g. `kluis manage migrate`",
        "Pass the rest of the command line to Django's management commands "
        "(`kluis manage help` lists them).",
    )
    return parser


def _fail(message: str, code: int) -> int:
    print(f"kluis: {' '.join(message.split())}", file=sys.stderr, flush=True)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError
    from django.db import DatabaseError

    try:
        if args_list[:1] == ["manage"]:
            return cmd_manage(args_list[1:])
        args = build_parser().parse_args(args_list)
        handler: Handler = args.handler
        return handler(args)
    except ImproperlyConfigured as exc:
        return _fail(str(exc), 2)
    except ServingError as exc:
        return _fail(str(exc), exc.exit_code)
    except CommandError as exc:
        for line in str(exc).splitlines() or ["failed"]:
            _fail(line, 0)
        return exc.returncode
    except DatabaseError as exc:
        hint = ""
        if "no such table" in str(exc) or "does not exist" in str(exc):
            hint = " (is the database migrated? run `kluis up` or `kluis manage migrate`)"
        return _fail(f"database error: {exc}{hint}", 1)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return _fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
