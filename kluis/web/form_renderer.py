"""The one look of a form field on every page (FORM_RENDERER in settings): the label with
no trailing colon, the errors, the input, then its help text (tied to the input by
aria-describedby, as Django does). Templates render a field with `{{ field.as_field_group }}`
and the form's errors with `{% error_summary form %}` (kluis/web/templatetags/kluis_ui.py)."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


class KluisFormRenderer(DjangoTemplates):
    field_template_name = "web/includes/form_field.html"
