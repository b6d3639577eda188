"""`kluis status ...` commands: post and update incidents and planned maintenance on the
public status page, and list them."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kluis.access.actor import Actor

Add = Callable[..., argparse.ArgumentParser]
IMPACTS = ("degraded", "partial_outage", "major_outage")


def _setup() -> None:
    from kluis.cli import setup_django

    setup_django()


def _keys(value: str) -> list[str]:
    return [k.strip() for k in value.split(",") if k.strip()]


def _when(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _run(post: Callable[[], str]) -> int:
    """Run a service call; its validation errors become one line for the operator."""
    from django.core.exceptions import ValidationError
    from django.core.management.base import CommandError

    try:
        print(post())
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    return 0


def _actor() -> Actor:
    from kluis.access.actor import Actor

    return Actor.system("kluis status (command line)")


def cmd_incident_open(args: argparse.Namespace) -> int:
    _setup()
    from kluis.status import incidents

    def post() -> str:
        incident = incidents.open_incident(
            _actor(),
            title=args.title,
            message=args.message,
            components=_keys(args.components),
            impact=args.impact,
            status=args.status,
        )
        return f"incident {incident.pk} opened: {incident.title}"

    return _run(post)


def cmd_update(args: argparse.Namespace) -> int:
    _setup()
    from kluis.status import incidents

    status = args.status or {"resolve": "resolved", "start": "in_progress"}.get(
        args.verb, "completed"
    )

    def post() -> str:
        update = incidents.post_update(
            _actor(),
            args.id,
            status=status,
            message=args.message,
            impact=getattr(args, "impact", None),
            components=_keys(args.components) if getattr(args, "components", None) else None,
        )
        return f"{update.incident.kind} {args.id}: {update.status}"

    return _run(post)


def cmd_maintenance_schedule(args: argparse.Namespace) -> int:
    _setup()
    from kluis.status import incidents

    def post() -> str:
        incident = incidents.schedule_maintenance(
            _actor(),
            title=args.title,
            message=args.message,
            components=_keys(args.components),
            starts_at=args.starts,
            ends_at=args.ends,
        )
        return f"maintenance {incident.pk} scheduled: {incident.title}"

    return _run(post)


def cmd_list(args: argparse.Namespace) -> int:
    _setup()
    from kluis.status.models import Incident

    found = Incident.objects.all() if args.all else Incident.objects.filter(resolved_at=None)
    for incident in found.order_by("-starts_at")[:100]:
        components = ",".join(incident.components)
        print(
            f"{incident.pk}\t{incident.kind}\t{incident.status}\t{incident.impact}\t"
            f"{components}\t{incident.starts_at:%Y-%m-%d %H:%M}\t{incident.title}"
        )
    return 0


def _common(parser: argparse.ArgumentParser, *, new: bool) -> None:
    if new:
        parser.add_argument("--title", required=True)
    parser.add_argument("--message", required=True, help="what the public reads")


def register(add: Add) -> None:
    """Add this area's commands to the `kluis` parser (`add(name, summary, description)`)."""
    status = add(
        "status",
        "the public status page: incidents and planned maintenance",
        "Post incidents and planned maintenance on /status, update and close them. Each "
        "change is recorded in the operator log and mailed to confirmed subscribers. "
        "Components: web, api, signin, jobs, webhooks, database, backups.",
    )
    kinds = status.add_subparsers(dest="status_command", metavar="<incident|maintenance|list>")
    kinds.required = True

    incident = kinds.add_parser("incident", help="open, update or resolve an incident")
    verbs = incident.add_subparsers(dest="verb", metavar="<open|update|resolve>")
    verbs.required = True
    opened = verbs.add_parser("open", help="open an incident")
    _common(opened, new=True)
    opened.add_argument("--components", required=True, help="comma separated: web,api,...")
    opened.add_argument("--impact", choices=IMPACTS, default="partial_outage")
    opened.add_argument(
        "--status", choices=("investigating", "identified", "monitoring"), default="investigating"
    )
    opened.set_defaults(handler=cmd_incident_open)
    updated = verbs.add_parser("update", help="post an update of an open incident")
    updated.add_argument("id", type=int)
    _common(updated, new=False)
    updated.add_argument(
        "--status", required=True, choices=("investigating", "identified", "monitoring", "resolved")
    )
    updated.add_argument("--impact", choices=IMPACTS)
    updated.add_argument("--components", help="comma separated, replaces the affected ones")
    updated.set_defaults(handler=cmd_update)
    resolved = verbs.add_parser("resolve", help="resolve an incident (its last update)")
    resolved.add_argument("id", type=int)
    _common(resolved, new=False)
    resolved.set_defaults(handler=cmd_update, status=None)

    maintenance = kinds.add_parser("maintenance", help="schedule, start or complete maintenance")
    mverbs = maintenance.add_subparsers(dest="verb", metavar="<schedule|start|complete|update>")
    mverbs.required = True
    scheduled = mverbs.add_parser("schedule", help="announce planned maintenance")
    _common(scheduled, new=True)
    scheduled.add_argument("--components", required=True, help="comma separated: web,api,...")
    scheduled.add_argument("--starts", type=_when, required=True, help="ISO time (UTC if bare)")
    scheduled.add_argument("--ends", type=_when, required=True, help="ISO time (UTC if bare)")
    scheduled.set_defaults(handler=cmd_maintenance_schedule)
    for verb, summary in (("start", "maintenance begins"), ("complete", "maintenance is over")):
        sub = mverbs.add_parser(verb, help=summary)
        sub.add_argument("id", type=int)
        _common(sub, new=False)
        sub.set_defaults(handler=cmd_update, status=None)
    mupdate = mverbs.add_parser("update", help="post an update without changing its status")
    mupdate.add_argument("id", type=int)
    _common(mupdate, new=False)
    mupdate.add_argument(
        "--status", required=True, choices=("scheduled", "in_progress", "completed")
    )
    mupdate.set_defaults(handler=cmd_update)

    listing = kinds.add_parser("list", help="list open incidents and maintenance")
    listing.add_argument("--all", action="store_true", help="closed ones too")
    listing.set_defaults(handler=cmd_list)
