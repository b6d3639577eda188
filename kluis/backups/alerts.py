"""E-mail to the operators (KLUIS_OPERATOR_EMAILS) when a backup or its verification fails:
one message per failed run, naming when, which step and why, never a person or a secret."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kluis.backups.models import BackupRun

logger = logging.getLogger("kluis.backups")


def _what_failed(run: BackupRun) -> str:
    if run.ok and run.verified is False:
        return _(
            "The backup was stored but failed its verification (restoring it into a "
            "scratch database did not give what its manifest lists)."
        )
    if run.destinations:
        return _("The backup was stored in only some of its destinations: %(stored)s.") % {
            "stored": ", ".join(run.destinations)
        }
    return _("No backup was stored.")


def backup_failed(run: BackupRun) -> bool:
    """Tell the operators; True when a message went out. Marks the run as alerted, so a
    run is never reported twice."""
    if run.alerted:
        return False
    recipients = list(settings.OPERATOR_EMAILS)
    if not recipients:
        logger.warning("backup failed and KLUIS_OPERATOR_EMAILS is empty: nobody was e-mailed")
        return False
    with translation.override(settings.LANGUAGE_CODE):
        when = run.started_at.strftime("%Y-%m-%d %H:%M UTC")
        subject = _("Kluis: the backup of %(when)s failed") % {"when": when}
        lines = [
            _what_failed(run),
            "",
            _("Started: %(when)s") % {"when": when},
            _("Archive: %(name)s") % {"name": run.archive_name or "-"},
        ]
        if run.error:
            lines.append(_("Error: %(error)s") % {"error": run.error})
        lines += [f"- {problem}" for problem in run.verify_problems[:10]]
        lines += [
            "",
            _(
                "The backups component of /health/ready shows degraded until a backup "
                "succeeds. Once the cause is fixed, `kluis backups run` takes one now; "
                "`kluis backups list` shows the archives in every destination."
            ),
        ]
    try:
        send_mail(subject, "\n".join(lines), None, recipients)
    except Exception as exc:  # the failure is recorded; the mail server may be down too
        logger.error("could not e-mail the operators about a failed backup: %s", type(exc).__name__)
        return False
    type(run).objects.filter(pk=run.pk).update(alerted=True)
    run.alerted = True
    return True
