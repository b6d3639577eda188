from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kluis.audit"
    label = "audit"
    verbose_name = "Audit log"
