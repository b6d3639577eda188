from django.urls import path

from kluis.audit import views, views_pickers

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.json", views.export_json, name="export_json"),
    path("<int:pk>/", views.event_detail, name="event"),
    # The person and actor filters' pickers (htmx fragments).
    path("search/people/", views_pickers.person_search, name="person_search"),
    path("search/people/pick/", views_pickers.person_pick, name="person_pick"),
]
