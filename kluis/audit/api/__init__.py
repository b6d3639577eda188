"""The audit app's API resources, registered with kluis.api."""

from kluis.api.registry import register
from kluis.audit.api.events import AuditEventViewSet

register(
    "audit-events",
    AuditEventViewSet,
    name="audit_events",
    collection={"get": "list"},
    item_name="audit_event",
    lookup="audit_event_pk",
    item={"get": "retrieve"},
)
