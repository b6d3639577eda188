from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kluis.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from allauth.account import signals

        from kluis.identity import app_tokens, receivers

        for signal in (signals.password_changed, signals.password_set, signals.password_reset):
            signal.connect(receivers.lift_sign_in_blocks, dispatch_uid=f"kluis-lift-{id(signal)}")
            signal.connect(
                app_tokens.revoke_on_new_password, dispatch_uid=f"kluis-app-tokens-{id(signal)}"
            )
        signals.user_logged_in.connect(receivers.signed_in, dispatch_uid="kluis-signed-in")
