"""The registry of notice kinds and each member's choice per kind: every notice names a
registered kind, a member sets only their own choices (audited, in the outbox), a choice
the kind does not offer (security: always e-mailed) changes nothing, and `notify()`
records how each member hears of it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.company.models import Delivery, Notice, NoticePreference
from kluis.company.notices import notify
from kluis.company.notices_kinds import (
    UnknownKindError,
    all_kinds,
    get_kind,
    register_kind,
)
from kluis.company.notices_preferences import EVENT, preferences_of, set_preferences
from kluis.integrations.models import DomainEvent
from tests.conftest import actor_for, member

APPROVED = "leave_request.approved"


def test_the_apps_register_their_kinds():
    keys = {kind.key for kind in all_kinds()}
    assert {
        "leave_request.waiting",
        "leave_request.approved",
        "leave_request.rejected",
        "leave_request.cancelled",
        "absence.started",
        "absence.ended",
        "timeoff.expiry",
        "timeoff.expiry_kept",
        "security.mfa_reset",
        "security.new_device",
    } <= keys
    assert get_kind("absence.ended").default_delivery == Delivery.DIGEST
    assert get_kind("security.new_device").choices() == [
        ("email", "In the app and by e-mail at once")
    ]


def test_registering_a_key_again_must_say_the_same():
    kind = get_kind(APPROVED)
    again = register_kind(
        kind.key,
        kind.label,
        kind.description,
        default_delivery=kind.default_delivery,
        group=kind.group,
    )
    assert again == kind
    with pytest.raises(ValueError, match="already registered differently"):
        register_kind(APPROVED, "Something else", "", group=kind.group)
    with pytest.raises(ValueError, match="unknown delivery"):
        register_kind("x.odd", "Odd", "", default_delivery="pigeon")
    with pytest.raises(ValueError, match="always e-mailed"):
        register_kind("x.odd", "Odd", "", default_delivery=Delivery.APP, email_always=True)
    assert "x.odd" not in {k.key for k in all_kinds()}


def test_a_notice_of_an_unknown_kind_is_refused_and_nothing_is_written(demo):
    with pytest.raises(UnknownKindError):
        notify(
            [member("member1@demo-bv.test")], topic="nobody.registered", compose=lambda: ("x", "")
        )
    assert not Notice.objects.filter(topic="nobody.registered").exists()


def test_defaults_until_a_member_chooses(demo):
    preferences = {p.kind.key: p for p in preferences_of(actor_for("manager@demo-bv.test"))}
    assert preferences[APPROVED].delivery == Delivery.EMAIL
    assert preferences["absence.ended"].delivery == Delivery.DIGEST
    assert not any(p.chosen for p in preferences.values())


def test_a_choice_is_kept_per_kind_audited_and_in_the_outbox(demo):
    actor = actor_for("member1@demo-bv.test")
    changed = set_preferences(actor, {APPROVED: Delivery.DIGEST, "absence.ended": Delivery.DIGEST})
    assert changed == {APPROVED: {"old": "email", "new": "digest"}}  # the other is the default
    preferences = {p.kind.key: p for p in preferences_of(actor)}
    assert preferences[APPROVED].delivery == Delivery.DIGEST and preferences[APPROVED].chosen
    assert preferences["leave_request.rejected"].delivery == Delivery.EMAIL
    event = AuditEvent.objects.for_actor(actor).filter(action="notice_preferences.changed").get()
    assert event.changes == changed and event.actor_label == "member1@demo-bv.test"
    outbox = DomainEvent.objects.for_actor(actor).filter(name=EVENT).get()
    assert outbox.payload["kinds"] == [APPROVED]
    # Someone else's choices are their own.
    other = {p.kind.key: p for p in preferences_of(actor_for("member2@demo-bv.test"))}
    assert other[APPROVED].delivery == Delivery.EMAIL
    # Saving the same again changes nothing and records nothing.
    assert set_preferences(actor, {APPROVED: Delivery.DIGEST}) == {}
    assert (
        AuditEvent.objects.for_actor(actor).filter(action="notice_preferences.changed").count() == 1
    )


def test_bad_choices_change_nothing(demo):
    actor = actor_for("member1@demo-bv.test")
    with pytest.raises(ValidationError) as refused:
        set_preferences(actor, {APPROVED: Delivery.APP, "security.new_device": Delivery.APP})
    assert "choose one of the offered ways" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError, match="no kind of notice called"):
        set_preferences(actor, {"made.up": Delivery.APP})
    assert not NoticePreference.objects.for_actor(actor).exists()
    with pytest.raises(PermissionDenied):
        set_preferences(Actor.system("a job", demo["demo-bv"]), {APPROVED: Delivery.APP})


def test_notify_records_each_member_s_choice(demo, django_capture_on_commit_callbacks):
    one, two = member("member1@demo-bv.test"), member("member2@demo-bv.test")
    set_preferences(Actor.for_member(one), {APPROVED: Delivery.APP})
    with django_capture_on_commit_callbacks() as queued:
        made = notify([one, two, one], topic=APPROVED, compose=lambda: ("Approved", ""))
    assert {n.membership_id: n.delivery for n in made} == {one.pk: "app", two.pk: "email"}
    assert len(queued) == 1  # only the e-mail at once is queued (for `two`)
    with django_capture_on_commit_callbacks() as queued:
        made = notify([two], topic=APPROVED, compose=lambda: ("Quiet", ""), mail=False)
    assert made[0].delivery == "app" and queued == []


def test_a_member_is_offered_only_the_kinds_they_may_get(demo):
    """An employee is not asked how to hear of approvals waiting, absences of others or
    webhooks; a manager is asked about the first two, HR and owners about all three. A kind
    someone got before stays offered (a sender of an invitation, say)."""
    employee = actor_for("member1@demo-bv.test")
    offered = {p.kind.key for p in preferences_of(employee)}
    assert {"leave_request.approved", "security.new_device"} <= offered
    assert not {"leave_request.waiting", "absence.started", "webhooks.turned_off"} & offered
    manager = {p.kind.key for p in preferences_of(actor_for("manager@demo-bv.test"))}
    assert {"leave_request.waiting", "absence.started"} <= manager
    assert "webhooks.turned_off" not in manager
    owner = {p.kind.key for p in preferences_of(actor_for("owner@demo-bv.test"))}
    assert {"leave_request.waiting", "webhooks.turned_off", "invitation.accepted"} <= owner
    notify(
        [member("member1@demo-bv.test")],
        topic="invitation.accepted",
        compose=lambda: ("Ann set up her sign-in", ""),
    )
    assert "invitation.accepted" in {p.kind.key for p in preferences_of(employee)}
