"""Making and unmaking platform operators (`kluis operator create|remove`, the demo's
operator login): users with `is_staff`, who may open /operator/ and nothing of any company
they are not a member of (kluis/access/operators.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from kluis.access.actor import Actor
from kluis.audit.platform import record_operator
from kluis.identity.models import User


def make_operator(actor: Actor, email: str, *, password: str | None = None) -> tuple[User, bool]:
    """(user, created): an existing account becomes an operator; a new one is made, with
    `password` or none usable (they then set one through "Forgot password")."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": ["Enter a valid e-mail address."]}) from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        created = user is None
        if user is None:
            user = User.objects.create_user(email, password)
        if password is not None and not created:
            user.set_password(password)
        user.is_staff = True
        user.is_active = True
        user.save()
        record_operator(
            actor,
            "operator.granted",
            object_type="identity.user",
            object_id=user.pk,
            object_repr=email,
            changes={"created": created},
        )
    return user, created


def remove_operator(actor: Actor, email: str) -> User:
    email = (email or "").strip().lower()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email, is_staff=True).first()
        if user is None:
            raise ValidationError({"email": [f"{email or '(empty)'} is not an operator."]})
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        record_operator(
            actor,
            "operator.revoked",
            object_type="identity.user",
            object_id=user.pk,
            object_repr=email,
        )
    return user
