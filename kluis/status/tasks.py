"""The status page's background work: the minute's sample and the subscribers' mail."""

from __future__ import annotations

from django.tasks import task

from kluis.status import sampling, subscriptions


@task()
def sample_components() -> int:
    """Scheduled every minute (kluis/status/apps.py); how many components were counted."""
    return len(sampling.sample())


@task()
def mail_update(update_id: int) -> int:
    """Mail an incident's or maintenance's update to every confirmed subscriber."""
    return subscriptions.mail_update(update_id)


@task()
def send_confirmation(subscriber_id: int, base_url: str) -> int:
    return subscriptions.send_confirmation(subscriber_id, base_url)
