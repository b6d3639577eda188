from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kluis.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from allauth.account import signals
        from django.contrib.auth.signals import user_logged_in

        from kluis.identity import receivers
        from kluis.identity.middleware import session_started

        for signal in (signals.password_changed, signals.password_set, signals.password_reset):
            signal.connect(receivers.lift_sign_in_blocks, dispatch_uid=f"kluis-lift-{id(signal)}")
        signals.user_logged_in.connect(receivers.signed_in, dispatch_uid="kluis-signed-in")
        user_logged_in.connect(session_started, dispatch_uid="kluis-session-started")
