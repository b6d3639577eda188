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

        from allauth.mfa import signals as mfa_signals

        from kluis.identity import mfa

        mfa_signals.authenticator_added.connect(mfa.factor_added, dispatch_uid="kluis-mfa-add")
        mfa_signals.authenticator_reset.connect(mfa.factor_reset, dispatch_uid="kluis-mfa-reset")
        mfa_signals.authenticator_removed.connect(
            mfa.factor_removed, dispatch_uid="kluis-mfa-removed"
        )
