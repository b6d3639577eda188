"""An Atom feed of incidents and maintenance (/status/feed.atom): one entry per incident,
its latest update as the summary."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from kluis.status.incidents import status_label
from kluis.status.models import Incident


class IncidentFeed(Feed[Incident, None]):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("%(title)s status: incidents") % {"title": settings.STATUS_TITLE}

    def subtitle(self) -> str:
        return _("Incidents and planned maintenance")

    def link(self) -> str:
        return reverse("status:page")

    def items(self) -> QuerySet[Incident]:
        return Incident.objects.prefetch_related("updates").order_by("-updated_at", "-pk")[:50]

    def item_title(self, item: Incident) -> str:
        return f"{item.title} ({status_label(item.kind, item.status)})"

    def item_description(self, item: Incident) -> str:
        updates = list(item.updates.all())
        lines = [
            f"{u.created_at:%Y-%m-%d %H:%M} UTC · {status_label(item.kind, u.status)}: {u.message}"
            for u in updates
        ]
        return "\n\n".join(lines)

    def item_link(self, item: Incident) -> str:
        return reverse("status:page") + f"#incident-{item.pk}"

    def item_guid(self, item: Incident) -> str:
        return f"incident-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Incident) -> dt.datetime:
        return item.starts_at

    def item_updateddate(self, item: Incident) -> dt.datetime:
        return item.updated_at
