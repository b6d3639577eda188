"""A person created while a release runs has seen that release's notes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save


def _on_user_saved(sender: Any, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if created and not raw:
        from kluis.releases.services import start_at_current

        start_at_current(instance)


def connect() -> None:
    from django.contrib.auth import get_user_model

    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="releases-new-user")
