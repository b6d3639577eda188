"""A person created while a release runs has seen that release's notes; a sign-in checks
once whether anything is new for the person (kluis/releases/whats_new.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save


def _on_user_saved(sender: Any, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if created and not raw:
        from kluis.releases.services import start_at_current

        start_at_current(instance)


def _on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from kluis.releases.whats_new import on_sign_in

    on_sign_in(request, user)


def connect() -> None:
    from django.contrib.auth import get_user_model

    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="releases-new-user")
    user_logged_in.connect(_on_sign_in, dispatch_uid="releases-sign-in")
