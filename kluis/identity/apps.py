from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kluis.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        _register_audit_sentences()  # helper auditorg
        from allauth.account import signals
        from django.contrib.auth.signals import user_logged_in

        from kluis.api.views import require_recent_factor
        from kluis.identity import app_tokens, receivers, signing_keys, stepup

        require_recent_factor(stepup.api_step_up)
        from kluis.identity.middleware import session_started

        for signal in (signals.password_changed, signals.password_set, signals.password_reset):
            signal.connect(receivers.lift_sign_in_blocks, dispatch_uid=f"kluis-lift-{id(signal)}")
            signal.connect(
                app_tokens.revoke_on_new_password, dispatch_uid=f"kluis-app-tokens-{id(signal)}"
            )
        signals.user_logged_in.connect(receivers.signed_in, dispatch_uid="kluis-signed-in")

        from allauth.mfa import signals as mfa_signals

        from kluis.identity import mfa

        mfa_signals.authenticator_added.connect(mfa.factor_added, dispatch_uid="kluis-mfa-add")
        mfa_signals.authenticator_reset.connect(mfa.factor_reset, dispatch_uid="kluis-mfa-reset")
        mfa_signals.authenticator_removed.connect(
            mfa.factor_removed, dispatch_uid="kluis-mfa-removed"
        )
        user_logged_in.connect(session_started, dispatch_uid="kluis-session-started")
        from kluis.crypto import platform_seal
        from kluis.identity import mfa_secrets

        platform_seal.register_resealer("second-factor secrets", mfa_secrets.reseal)
        platform_seal.register_resealer("app token signing keys", signing_keys.reseal)
        _declare_audited_fields()
        _register_visibility()


def _declare_audited_fields() -> None:
    """What the audit viewer shows of identity's events: the sign-in policy is no secret
    to whoever reads the log (its diff names roles, minutes and networks)."""
    from kluis.access import visibility

    visibility.register(
        "identity.signinpolicy",
        {
            name: visibility.PLAIN
            for name in (
                "mfa_required_for",
                "mfa_roles",
                "idle_timeout_seconds",
                "absolute_lifetime_seconds",
                "allowed_networks",
                "password_sign_in_allowed",
            )
        },
    )
    # Two-factor events (kluis/identity/mfa.py, mfa_reset.py): which kind of factor, never
    # a secret.
    visibility.register(
        "identity.user",
        {
            "sessions": visibility.PLAIN,
            "factor": visibility.PLAIN,
            "removed": visibility.PLAIN,
            "by_company": visibility.PLAIN,
        },
    )
    visibility.register("tenancy.membership", {"removed": "tenancy.view_members"})
    visibility.register("identity.user", {"sessions": visibility.PLAIN})


def _register_visibility() -> None:
    """What the audit viewer shows of single sign-on changes (no value is secret: the
    client secret is recorded as "[replaced]", never its value)."""
    from kluis.access.visibility import PLAIN, register

    register(
        "identity.identityprovider",
        {
            name: PLAIN
            for name in (
                "kind",
                "issuer",
                "directory",
                "client_id",
                "enabled",
                "allow_just_in_time",
                "password_sign_in_allowed",
                "domains",
                "client_secret",
                "unlinked_accounts",
            )
        },
    )
    register("identity.user", {"issuer": PLAIN, "subject": PLAIN, "how": PLAIN, "reason": PLAIN})


# --- audit sentences (helper auditorg) ---------------------------------------------------
def _register_audit_sentences() -> None:
    """The audit log's sentences for accounts and sign-in (kluis.audit.sentences)."""
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences

    sentences.register_all(
        "members",
        {
            "invitation.sent": _("%(actor)s invited %(object)s"),
            "invitation.resent": _("%(actor)s sent the invitation of %(object)s again"),
            "invitation.revoked": _("%(actor)s withdrew the invitation of %(object)s"),
            "invitation.accepted": _("%(actor)s accepted the invitation of %(object)s"),
        },
    )
    sentences.register_all(
        "signin",
        {
            "signin.failed": _("A sign-in as %(object)s failed"),
            "signin.succeeded": _("%(object)s signed in"),
            "signin.blocked": _("%(actor)s blocked sign-ins as %(object)s from an address"),
            "signin.unblocked": _("%(actor)s lifted the sign-in blocks of %(object)s"),
            "signin.address_throttled": _("%(actor)s slowed down sign-ins from %(object)s"),
            "signin.signed_out_everywhere": _("%(actor)s signed %(object)s out everywhere"),
            "signin_policy.changed": (
                _("%(actor)s changed the sign-in settings"),
                _("%(actor)s changed %(fields)s of the sign-in settings"),
            ),
            "app_tokens.revoked": _("%(actor)s revoked the app tokens of %(object)s"),
            "mfa.added": _("%(object)s added a second factor"),
            "mfa.totp_added": _("%(object)s set up an authenticator app"),
            "mfa.passkey_added": _("%(object)s added a passkey"),
            "mfa.recovery_codes_generated": _("%(object)s made new recovery codes"),
            "mfa.removed": _("%(object)s removed a second factor"),
            "sso.configured": _("%(actor)s set up single sign-on"),
            "sso.changed": (
                _("%(actor)s changed single sign-on"),
                _("%(actor)s changed %(fields)s of single sign-on"),
            ),
            "sso.removed": _("%(actor)s removed single sign-on"),
            "sso.linked": _("%(actor)s linked %(object)s to single sign-on"),
        },
    )


# --- end of audit sentences (helper auditorg) ---------------------------------------------
