from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kluis.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from allauth.account import signals

        from kluis.identity import receivers

        for signal in (signals.password_changed, signals.password_set, signals.password_reset):
            signal.connect(receivers.lift_sign_in_blocks, dispatch_uid=f"kluis-lift-{id(signal)}")
        signals.user_logged_in.connect(receivers.signed_in, dispatch_uid="kluis-signed-in")
        _register_visibility()


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
