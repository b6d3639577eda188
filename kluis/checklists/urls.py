"""The checklists' pages, under /checklists/."""

from django.urls import URLPattern, path

from kluis.checklists.views import settings, tasks

app_name = "checklists"

urlpatterns: list[URLPattern] = [
    path("my-tasks/", tasks.my_tasks, name="my_tasks"),
    path("<int:checklist_pk>/", tasks.checklist_detail, name="checklist"),
    path("<int:checklist_pk>/cancel/", tasks.checklist_cancel, name="checklist_cancel"),
    path("tasks/<int:task_pk>/complete/", tasks.task_complete, name="task_complete"),
    path("tasks/<int:task_pk>/reopen/", tasks.task_reopen, name="task_reopen"),
    path("people/<int:employee_pk>/start/<str:kind>/", tasks.start, name="start"),
    path("templates/", settings.templates, name="templates"),
    path("templates/new/", settings.template_new, name="template_new"),
    path("templates/<int:template_pk>/", settings.template_edit, name="template_edit"),
    path(
        "templates/<int:template_pk>/archive/", settings.template_archive, name="template_archive"
    ),
    path("template-tasks/<int:task_pk>/", settings.template_task_edit, name="template_task_edit"),
    path(
        "template-tasks/<int:task_pk>/move/", settings.template_task_move, name="template_task_move"
    ),
    path(
        "template-tasks/<int:task_pk>/remove/",
        settings.template_task_remove,
        name="template_task_remove",
    ),
]
