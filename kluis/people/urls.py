"""People URLs, one module per area of the UI (HR screens, self-service, settings, files)."""

from kluis.people.urls_hr import urlpatterns as hr
from kluis.people.urls_io import urlpatterns as io
from kluis.people.urls_self import urlpatterns as self_service
from kluis.people.urls_settings import urlpatterns as settings_pages

app_name = "people"

urlpatterns = [*io, *self_service, *settings_pages, *hr]
