"""Calendar URLs, one module per area of the UI: one's own leave (self), the team and
approvals (team), HR's set-up and exports (hr), private calendar feeds (feed), one
employee's leave and HR's balance writes (people)."""

from kluis.timeoff.urls_feed import urlpatterns as feed
from kluis.timeoff.urls_hr import urlpatterns as hr
from kluis.timeoff.urls_people import urlpatterns as people
from kluis.timeoff.urls_self import urlpatterns as self_service
from kluis.timeoff.urls_team import urlpatterns as team

app_name = "timeoff"

urlpatterns = [*self_service, *team, *hr, *feed, *people]
