"""`kluis keys rotate` and `kluis keys status`, in this process on the test database."""

from __future__ import annotations

import base64
import json

import pytest

from kluis.audit.models import AuditEvent
from kluis.audit.services import verify_all
from kluis.cli import main
from kluis.crypto import keyring, vault
from kluis.crypto.models import TenantKey
from kluis.tenancy.models import Tenant
from tests.crypto.conftest import new_key_text, token_version

PURPOSE = "people.employee.iban"


def _seal_for_every_company() -> dict[int, str]:
    tokens = {}
    for tenant in Tenant.objects.all():
        token = vault.seal(tenant.pk, PURPOSE, f"BE68 5390 0754 7034 of {tenant.slug}")
        assert token is not None
        tokens[tenant.pk] = token
    return tokens


def _all_open(tokens: dict[int, str]) -> bool:
    vault.forget_keys()
    keyring.forget()
    slugs = dict(Tenant.objects.values_list("pk", "slug"))
    return all(
        vault.unseal(pk, PURPOSE, token) == f"BE68 5390 0754 7034 of {slugs[pk]}"
        for pk, token in tokens.items()
    )


def test_master_key_rotation_rewraps_every_company_and_old_tokens_still_open(
    demo, private_keyring, capsys
):
    tokens = _seal_for_every_company()
    old_id = keyring.current().active_id
    wrapped_before = {row.pk: bytes(row.wrapped_key) for row in TenantKey.objects.all()}

    assert main(["keys", "rotate"]) == 0

    out = capsys.readouterr().out
    ring = keyring.read_keyring_file(private_keyring)
    assert ring.active_id != old_id and old_id in ring.keys
    rows = list(TenantKey.objects.all())
    assert {row.master_key_id for row in rows} == {ring.active_id}
    assert all(bytes(row.wrapped_key) != wrapped_before[row.pk] for row in rows)
    for tenant in Tenant.objects.all():
        assert f"{tenant.slug}: re-wrapped " in out
    assert f"Added master key {ring.active_id}" in out
    assert "Kept the previous master key(s)" in out
    assert _all_open(tokens)


def test_each_rewrap_is_in_the_company_audit_log_without_key_material(demo, private_keyring):
    _seal_for_every_company()
    old_id = keyring.current().active_id
    secrets_ = [vault.unwrap_row(row) for row in TenantKey.objects.all()]
    assert main(["keys", "rotate"]) == 0
    new_id = keyring.read_keyring_file(private_keyring).active_id
    for tenant in Tenant.objects.all():
        events = AuditEvent.objects.filter(tenant=tenant, action="crypto.key_rewrapped")
        assert events.count() == TenantKey.objects.filter(tenant=tenant).count()
        for event in events:
            assert event.actor_kind == "system" and event.actor_label == "cli:keys rotate"
            assert event.object_type == "crypto.tenantkey"
            assert event.changes == {"master_key_id": {"old": old_id, "new": new_id}}
    dumped = json.dumps(list(AuditEvent.objects.values("changes", "object_repr"))).encode()
    for secret in secrets_ + [k.secret for k in keyring.current().keys.values()]:
        assert base64.b64encode(secret) not in dumped and secret.hex().encode() not in dumped
    assert all(report.ok for report in verify_all())


def test_retire_old_removes_the_old_master_key_after_rewrapping(demo, private_keyring, capsys):
    tokens = _seal_for_every_company()
    old_ring = keyring.current()
    assert main(["keys", "rotate", "--retire-old"]) == 0
    ring = keyring.read_keyring_file(private_keyring)
    assert list(ring.keys) == [ring.active_id]
    assert not set(old_ring.keys) & set(ring.keys)
    assert "Retired master key(s)" in capsys.readouterr().out
    assert _all_open(tokens)
    for row in TenantKey.objects.all():  # nothing is left that only the old key opens
        with pytest.raises(vault.TamperedError):
            vault.unwrap_data_key(old_ring.active, row)


def test_the_new_master_key_can_come_from_a_file(demo, private_keyring, tmp_path):
    tokens = _seal_for_every_company()
    key_file = tmp_path / "new.key"
    text = new_key_text()
    key_file.write_text(text + "\n")
    assert main(["keys", "rotate", "--new-key-file", str(key_file)]) == 0
    expected = keyring.key_id(base64.b64decode(text))
    assert keyring.read_keyring_file(private_keyring).active_id == expected
    assert set(TenantKey.objects.values_list("master_key_id", flat=True)) == {expected}
    assert _all_open(tokens)


def test_a_bad_new_key_file_changes_nothing(demo, private_keyring, tmp_path, capsys):
    _seal_for_every_company()
    before = private_keyring.read_bytes()
    bad = tmp_path / "bad.key"
    bad.write_text("too short")
    assert main(["keys", "rotate", "--new-key-file", str(bad)]) == 2
    assert "must be 32 random bytes in base64, not 6 bytes" in capsys.readouterr().err
    assert main(["keys", "rotate", "--new-key-file", str(tmp_path / "missing")]) == 1
    assert private_keyring.read_bytes() == before


def test_with_keys_from_the_environment_rotation_rewraps_under_the_first_one(
    demo, settings, capsys, tmp_path
):
    tokens = _seal_for_every_company()
    ring = keyring.current()
    new = new_key_text()
    settings.MASTER_KEY = ",".join(
        [new] + [base64.b64encode(k.secret).decode() for k in ring.keys.values()]
    )
    keyring.forget()
    assert main(["keys", "rotate", "--retire-old"]) == 0
    new_id = keyring.key_id(base64.b64decode(new))
    assert set(TenantKey.objects.values_list("master_key_id", flat=True)) == {new_id}
    out = capsys.readouterr().out
    assert "remove it from KLUIS_MASTER_KEY" in out
    assert _all_open(tokens)
    key_file = tmp_path / "k"
    key_file.write_text(new_key_text())
    assert main(["keys", "rotate", "--new-key-file", str(key_file)]) == 1
    assert "KLUIS_MASTER_KEY, which Kluis cannot change" in capsys.readouterr().err


def test_a_data_key_rotation_for_one_company_switches_new_seals_to_the_new_version(demo, capsys):
    tenant, other = demo["demo-bv"], demo["other-nv"]
    old = vault.seal(tenant.pk, PURPOSE, "before")
    other_token = vault.seal(other.pk, PURPOSE, "untouched")
    assert old is not None and other_token is not None
    version = token_version(old)
    assert main(["keys", "rotate", "--tenant", "demo-bv", "--data-key"]) == 0
    assert f"demo-bv: data key v{version + 1} now seals new values" in capsys.readouterr().out
    new = vault.seal(tenant.pk, PURPOSE, "after")
    assert new is not None and token_version(new) == version + 1
    assert token_version(vault.seal(other.pk, PURPOSE, "x") or "") == token_version(other_token)
    vault.forget_keys()
    assert vault.unseal(tenant.pk, PURPOSE, old) == "before"
    assert vault.unseal(tenant.pk, PURPOSE, new) == "after"
    event = (
        AuditEvent.objects.filter(tenant=tenant, action="crypto.data_key_created")
        .order_by("sequence")
        .last()
    )
    assert event is not None
    assert event.changes["version"] == {"old": version, "new": version + 1}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--data-key"], 2, "--data-key needs --tenant SLUG"),
        (["--tenant", "demo-bv"], 2, "--tenant goes with --data-key"),
        (["--tenant", "nope", "--data-key"], 1, "no company with slug 'nope'"),
        (["--tenant", "demo-bv", "--data-key", "--retire-old"], 2, "are for the master key"),
    ],
)
def test_rotate_arguments_that_do_not_fit_are_refused(demo, capsys, args, code, message):
    assert main(["keys", "rotate", *args]) == code
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_status_names_key_ids_and_versions_but_never_keys(demo, private_keyring, capsys):
    tokens = _seal_for_every_company()
    vault.rotate_data_key(demo["other-nv"].pk, actor_label="test")
    assert tokens
    ring = keyring.current()
    assert main(["keys", "status"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Master keys from KLUIS_MASTER_KEY_FILE {private_keyring}: ")
    assert f"{ring.active_id} (active)" in out
    versions = TenantKey.objects.filter(tenant=demo["other-nv"]).order_by("version")
    *older, newest = versions
    line = next(li for li in out.splitlines() if li.startswith("other-nv: "))
    assert f"v{newest.version} (active) wrapped by {ring.active_id}" in line
    for row in older:
        assert f"v{row.version} wrapped by {row.master_key_id}" in line
    for row in TenantKey.objects.all():
        secret = vault.unwrap_row(row)
        assert base64.b64encode(secret).decode() not in out and secret.hex() not in out
    for key in ring.keys.values():
        assert base64.b64encode(key.secret).decode() not in out


def test_status_of_a_company_without_keys_and_of_one_company(demo, capsys):
    Tenant.objects.create(slug="empty-bv", name="Empty BV")
    assert main(["keys", "status", "--tenant", "empty-bv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == ["empty-bv: no data key yet"]


def test_status_exits_1_when_a_data_key_cannot_be_opened(demo, capsys):
    _seal_for_every_company()
    TenantKey.objects.filter(tenant=demo["demo-bv"]).update(master_key_id="mk-gone")
    row = TenantKey.objects.filter(tenant=demo["other-nv"]).first()
    assert row is not None
    damaged = bytearray(bytes(row.wrapped_key))
    damaged[-1] ^= 1
    TenantKey.objects.filter(pk=row.pk).update(wrapped_key=bytes(damaged))
    assert main(["keys", "status"]) == 1
    captured = capsys.readouterr()
    assert "demo-bv: CANNOT OPEN v1: master key mk-gone is not in the keyring" in captured.out
    assert "other-nv: CANNOT OPEN" in captured.out and "(altered)" in captured.out
    assert "kluis: the data keys of 2 company(ies) cannot be opened" in captured.err


def test_rotation_refuses_when_a_data_key_is_wrapped_by_an_unknown_master_key(
    demo, private_keyring, capsys
):
    _seal_for_every_company()
    TenantKey.objects.filter(tenant=demo["other-nv"]).update(master_key_id="mk-gone")
    assert main(["keys", "rotate", "--retire-old"]) == 2
    assert "other-nv: data key v1 is wrapped by master key mk-gone" in capsys.readouterr().err
    # the old key is still in the keyring: nothing was retired
    assert len(keyring.read_keyring_file(private_keyring).keys) == 2
