from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integrations.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def private_targets(settings):  # type: ignore[no-untyped-def]
    """Loopback receivers are private addresses: allowed here as in development."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_RETRY_SCHEDULE = (0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0)
    return settings


@pytest.fixture
def receiver(private_targets) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    with running_receiver() as running:
        yield running
