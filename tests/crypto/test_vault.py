"""Sealing, opening and blind indexes with each company's data key (real database)."""

from __future__ import annotations

import base64
import time

import pytest
from django.db import connection, transaction

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.company.services import create_tenant
from kluis.crypto import keyring, vault
from kluis.crypto.models import TenantKey
from kluis.tenancy.models import Tenant
from tests.crypto.conftest import token_version

PURPOSE = "people.employee.national_id"


@pytest.fixture
def acme(db: None) -> Tenant:
    return create_tenant(Actor.system("test"), name="Acme BV", slug="acme-bv")


@pytest.fixture
def globex(db: None) -> Tenant:
    return create_tenant(Actor.system("test"), name="Globex NV", slug="globex-nv")


def _flip(token: str, index: int) -> str:
    body = token.removeprefix("k1.")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[index] ^= 0x01
    return "k1." + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "plaintext", ["85.07.30-033.28", "", "Zoë Ñúñez-Ødegård 🇧🇪", "x" * 10_000, "\x00line\nbreak"]
)
def test_sealed_values_open_to_the_same_text(acme, plaintext):
    token = vault.seal(acme.pk, PURPOSE, plaintext)
    assert token is not None and token.startswith("k1.") and token.isascii()
    assert plaintext == "" or plaintext not in token
    assert vault.unseal(acme.pk, PURPOSE, token) == plaintext


def test_none_stays_none(acme):
    assert vault.seal(acme.pk, PURPOSE, None) is None
    assert vault.unseal(acme.pk, PURPOSE, None) is None


def test_a_token_does_not_open_under_another_purpose(acme):
    token = vault.seal(acme.pk, PURPOSE, "85073003328")
    with pytest.raises(vault.TamperedError):
        vault.unseal(acme.pk, "people.employee.iban", token)


def test_a_token_does_not_open_in_another_company(acme, globex):
    token = vault.seal(acme.pk, PURPOSE, "85073003328")
    vault.ensure_tenant_key(globex.pk)
    with pytest.raises(vault.TamperedError):
        vault.unseal(globex.pk, PURPOSE, token)


def test_a_token_does_not_open_in_a_company_without_that_key_version(acme, globex):
    token = vault.seal(acme.pk, PURPOSE, "85073003328")
    with pytest.raises(vault.TamperedError):
        vault.unseal(globex.pk, PURPOSE, token)
    assert not TenantKey.objects.filter(tenant=globex).exists()  # opening makes no key


def test_tampered_error_is_a_value_error():
    assert issubclass(vault.TamperedError, ValueError)
    assert issubclass(vault.UnknownKeyError, vault.TamperedError)


@pytest.mark.parametrize("index", [3, 4, 15, 16, -17, -1], ids=lambda i: f"byte{i}")
def test_a_flipped_byte_anywhere_does_not_open(acme, index):
    token = vault.seal(acme.pk, PURPOSE, "85073003328")
    assert token is not None
    with pytest.raises(vault.TamperedError):
        vault.unseal(acme.pk, PURPOSE, _flip(token, index))


@pytest.mark.parametrize(
    "damaged", ["", "k1.", "k1.AAAA", "k2.AAAAAQ", "k1.***", "plain text", "k1.ü", "k1.A"]
)
def test_damaged_tokens_raise_tampered_error(acme, damaged):
    vault.ensure_tenant_key(acme.pk)
    with pytest.raises(vault.TamperedError):
        vault.unseal(acme.pk, PURPOSE, damaged)


def test_a_truncated_token_does_not_open(acme):
    token = vault.seal(acme.pk, PURPOSE, "85073003328")
    assert token is not None
    with pytest.raises(vault.TamperedError):
        vault.unseal(acme.pk, PURPOSE, token[:-4])


def test_the_same_plaintext_seals_to_different_tokens(acme):
    tokens = {vault.seal(acme.pk, PURPOSE, "85073003328") for _ in range(20)}
    assert len(tokens) == 20


def test_blind_index_is_stable_within_a_company(acme):
    first = vault.blind_index(acme.pk, PURPOSE, "85073003328")
    vault.forget_keys()
    assert vault.blind_index(acme.pk, PURPOSE, "85073003328") == first
    assert len(first) == 64 and int(first, 16) >= 0
    assert vault.blind_index(acme.pk, PURPOSE, "85073003329") != first


def test_blind_index_differs_across_companies_and_purposes(acme, globex):
    index = vault.blind_index(acme.pk, PURPOSE, "85073003328")
    assert vault.blind_index(globex.pk, PURPOSE, "85073003328") != index
    assert vault.blind_index(acme.pk, "people.employee.iban", "85073003328") != index
    # the purpose and the value cannot be shifted into each other
    assert vault.blind_index(acme.pk, "ab", "c") != vault.blind_index(acme.pk, "a", "bc")


def test_blind_index_survives_a_new_data_key_version(acme):
    before = vault.blind_index(acme.pk, PURPOSE, "85073003328")
    vault.rotate_data_key(acme.pk, actor_label="test")
    vault.forget_keys()
    assert vault.blind_index(acme.pk, PURPOSE, "85073003328") == before


def test_the_first_seal_makes_one_audited_data_key(acme):
    vault.seal(acme.pk, PURPOSE, "x")
    vault.seal(acme.pk, PURPOSE, "y")
    key = TenantKey.objects.get(tenant=acme)
    assert (key.version, key.is_active) == (1, True)
    assert key.master_key_id == keyring.current().active_id
    event = AuditEvent.objects.filter(tenant=acme, action="crypto.data_key_created").get()
    assert event.actor_kind == "system"
    assert event.changes["version"] == {"old": None, "new": 1}


def test_ensure_tenant_key_is_idempotent(acme):
    vault.ensure_tenant_key(acme.pk)
    vault.ensure_tenant_key(acme.pk)
    vault.forget_keys()
    vault.ensure_tenant_key(acme.pk)
    assert TenantKey.objects.filter(tenant=acme).count() == 1


def test_ensure_tenant_key_for_a_missing_company_fails(db):
    with pytest.raises(Tenant.DoesNotExist):
        vault.ensure_tenant_key(987654)


def test_the_database_holds_no_data_key_in_the_clear(acme, globex):
    for tenant in (acme, globex):
        vault.seal(tenant.pk, PURPOSE, "85073003328")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM crypto_tenantkey")
        rows = cursor.fetchall()
    dump = b"\x00".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for row in rows
        for value in row
    )
    keys = list(TenantKey.objects.all())
    assert len(keys) >= 2
    secrets_ = [vault.unwrap_row(key) for key in keys] + [
        k.secret for k in keyring.current().keys.values()
    ]
    for secret in secrets_:
        assert len(secret) == 32
        for form in (
            secret,
            secret.hex().encode(),
            secret.hex().upper().encode(),
            base64.b64encode(secret),
            base64.urlsafe_b64encode(secret),
            base64.b64encode(secret).rstrip(b"="),
        ):
            assert form not in dump


def test_a_new_data_key_version_seals_new_values_and_old_tokens_still_open(acme):
    old_token = vault.seal(acme.pk, PURPOSE, "old value")
    assert old_token is not None and token_version(old_token) == 1
    assert vault.rotate_data_key(acme.pk, actor_label="test") == 2
    new_token = vault.seal(acme.pk, PURPOSE, "new value")
    assert new_token is not None and token_version(new_token) == 2
    assert vault.unseal(acme.pk, PURPOSE, old_token) == "old value"
    vault.forget_keys()
    assert vault.unseal(acme.pk, PURPOSE, old_token) == "old value"
    assert vault.unseal(acme.pk, PURPOSE, new_token) == "new value"
    assert list(TenantKey.objects.filter(tenant=acme).values_list("version", "is_active")) == [
        (1, False),
        (2, True),
    ]


def test_destroying_the_keys_makes_every_token_unreadable(acme, globex):
    tokens = [vault.seal(acme.pk, PURPOSE, f"value {n}") for n in range(3)]
    vault.rotate_data_key(acme.pk, actor_label="test")
    tokens.append(vault.seal(acme.pk, PURPOSE, "newest"))
    other = vault.seal(globex.pk, PURPOSE, "other company")
    vault.destroy_tenant_keys(acme.pk)
    assert not TenantKey.objects.filter(tenant=acme).exists()
    for token in tokens:
        with pytest.raises(vault.TamperedError):
            vault.unseal(acme.pk, PURPOSE, token)
    # A new key for the company (new seals) does not bring the old values back.
    vault.ensure_tenant_key(acme.pk)
    for token in tokens:
        with pytest.raises(vault.TamperedError):
            vault.unseal(acme.pk, PURPOSE, token)
    assert vault.unseal(globex.pk, PURPOSE, other) == "other company"
    event = AuditEvent.objects.get(tenant=acme, action="crypto.keys_destroyed")
    assert event.changes == {"versions": [1, 2]}


def test_a_key_made_in_a_rolled_back_transaction_is_never_used_again(acme):
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = vault.seal(acme.pk, PURPOSE, "rolled back")
        raise RuntimeError("the hire failed")
    assert not TenantKey.objects.filter(tenant=acme).exists()
    token = vault.seal(acme.pk, PURPOSE, "kept")
    assert TenantKey.objects.filter(tenant=acme).count() == 1
    vault.forget_keys()  # as a fresh process would: only what the database holds
    assert vault.unseal(acme.pk, PURPOSE, token) == "kept"
    with pytest.raises(vault.TamperedError):
        vault.unseal(acme.pk, PURPOSE, lost)


def test_a_committed_key_is_cached_and_read_again_after_the_cache_time(
    acme, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        token = vault.seal(acme.pk, PURPOSE, "85073003328")
    vault.unseal(acme.pk, PURPOSE, token)  # loads and caches the committed key
    with django_assert_num_queries(0):
        vault.unseal(acme.pk, PURPOSE, token)
        vault.seal(acme.pk, PURPOSE, "x")
        vault.blind_index(acme.pk, PURPOSE, "x")
    settings.DATA_KEY_CACHE_SECONDS = 0
    vault.forget_keys()
    vault.unseal(acme.pk, PURPOSE, token)
    TenantKey.objects.filter(tenant=acme).delete()  # as another process's destroy would
    time.sleep(0.01)
    with pytest.raises(vault.UnknownKeyError):
        vault.unseal(acme.pk, PURPOSE, token)


def test_ten_thousand_unseals_with_a_cached_key_need_no_query_and_little_time(
    acme, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        vault.ensure_tenant_key(acme.pk)
    tokens = [vault.seal(acme.pk, PURPOSE, f"{n:011d}") for n in range(100)]
    with django_assert_num_queries(0):
        started = time.perf_counter()
        for n in range(10_000):
            vault.unseal(acme.pk, PURPOSE, tokens[n % 100])
        elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"10,000 unseals took {elapsed:.2f} s"
