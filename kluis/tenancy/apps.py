from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "kluis.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kluis.tenancy.rls import on_post_migrate

        # Schema-level, not domain logic: keep PostgreSQL's row-level security policies on
        # every company table after each migrate (new tables included).
        post_migrate.connect(on_post_migrate, dispatch_uid="kluis.tenancy.rls")
