"""Every action the code records in a company's audit log has a sentence and a kind.

The actions are read from the source: the literal action of every `record(...)` call, the
literal actions handed to the few functions that pass theirs on to `record`, and, for the
call sites that compute their action, the actions listed below with the site. A new call
site that computes its action fails here until it is listed with what it records."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import kluis
from kluis.audit import sentences
from kluis.audit.policy import KINDS

KLUIS = Path(kluis.__file__).resolve().parent
ACTION = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*")

# Functions that hand their action argument on to record() (literal calls of them count).
FORWARDERS = {"_audit", "_record", "_record_client", "_record_in_each", "audit"}

# Call sites of record() whose action is computed: (file, expression) -> what it records.
COMPUTED: dict[tuple[str, str], set[str]] = {
    ("approvals/services.py", "action"): {
        "approval.approved",
        "approval.rejected",
        "approval.withdrawn",
        "approval.expired",
        "approval.stale",
        "approval.failed",
    },
    ("flags/services.py", "ACTION"): {"flag.changed"},
    ("identity/brute_force.py", "action"): {"signin.blocked", "signin.unblocked"},
    ("identity/invitations.py", "action"): {
        "invitation.sent",
        "invitation.resent",
        "invitation.revoked",
        "invitation.accepted",
    },
    ("identity/sso/services.py", "'sso.changed' if current else 'sso.configured'"): {
        "sso.changed",
        "sso.configured",
    },
    ("integrations/credentials.py", "action.replace('signin.', 'api_client.secret_')"): {
        "api_client.secret_blocked",
        "api_client.secret_unblocked",
    },
    (
        "integrations/oauth.py",
        "'oauth_token.refreshed' if grant_type == 'refresh_token' else 'oauth_token.issued'",
    ): {"oauth_token.refreshed", "oauth_token.issued"},
    ("integrations/services.py", "action"): {
        "api_client.created",
        "oauth_client.created",
        "oauth_connection.created",
        "oauth_connection.updated",
    },
    ("people/services/_org.py", "action"): {
        "department.archived",
        "department.unarchived",
        "team.archived",
        "team.unarchived",
    },
    (
        "people/services/contracts.py",
        "'employment.ended' if 'end_date' in changed else 'employment.updated'",
    ): {"employment.ended", "employment.updated"},
    ("people/services/pay.py", "action"): {"wage.deleted", "wage_component.deleted"},
    ("people/services/photos.py", "action"): {"employee.photo_changed", "employee.photo_removed"},
    ("timeoff/services/approvals.py", "name"): {
        "leave_request.approved",
        "leave_request.rejected",
    },
}
# Second factors: identity/mfa.py records through a table of actions.
TABLES = {"mfa.totp_added", "mfa.passkey_added", "mfa.added", "mfa.recovery_codes_generated"}


def _name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Call):  # audit_for_user(login)("signin.blocked", ...)
        inner = _name(func)
        return "audit" if inner and inner.startswith("audit_for") else None
    return None


def _forwarders(tree: ast.Module) -> set[str]:
    """The FORWARDERS this module defines that write to a company's log (a status page's
    `_audit` writes to the operators' log and does not count)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in FORWARDERS:
            called = {_name(c) for c in ast.walk(node) if isinstance(c, ast.Call)}
            if called & {"record", "audit", "_record_in_each"}:
                out.add(node.name)
    return out


def recorded_actions() -> tuple[set[str], list[str]]:
    """(the actions found, the computed call sites nobody listed)."""
    found: set[str] = set(TABLES)
    unlisted: list[str] = []
    for path in sorted(KLUIS.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        where = path.relative_to(KLUIS).as_posix()
        tree = ast.parse(path.read_text())
        forwarders = _forwarders(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node)
            if name == "record":
                action = node.args[1] if len(node.args) >= 2 else None
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        action = keyword.value
                if action is None:
                    continue
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    found.add(action.value)
                elif (where, ast.unparse(action)) in COMPUTED:
                    found |= COMPUTED[(where, ast.unparse(action))]
                else:
                    unlisted.append(f"{where}:{node.lineno} {ast.unparse(action)}")
            elif name in forwarders:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    value = arg.value if isinstance(arg, ast.Constant) else None
                    if isinstance(value, str) and ACTION.fullmatch(value):
                        found.add(value)
    return found, unlisted


def test_the_scan_finds_the_actions_it_should():
    found, _unlisted = recorded_actions()
    # One of each way an action reaches record(): literal, forwarded, computed, a table.
    assert {"employee.hired", "invitation.revoked", "leave_request.approved"} <= found
    assert {"signin.blocked", "mfa.totp_added", "api_client.secret_blocked"} <= found
    assert len(found) > 90


def test_every_computed_action_site_is_listed():
    _found, unlisted = recorded_actions()
    assert not unlisted, "record() sites that compute their action; list them in COMPUTED"


def test_every_recorded_action_has_a_sentence():
    found, _unlisted = recorded_actions()
    missing = sorted(action for action in found if sentences.sentence_of(action) is None)
    assert not missing, f"register a sentence (kluis.audit.sentences) for: {missing}"


def test_every_sentence_has_a_known_kind_and_its_placeholders():
    for action in sentences.actions():
        sentence = sentences.sentence_of(action)
        assert sentence is not None and sentence.kind in KINDS
        text = str(sentence.text)
        assert "%(actor)s" in text or "%(object)s" in text, action
        assert set(re.findall(r"%\((\w+)\)s", text)) <= {"actor", "object"}, action
        if sentence.with_fields is not None:
            assert "%(fields)s" in str(sentence.with_fields), action
