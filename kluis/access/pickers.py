"""The one "choose a person by typing" widget: a search box (`<name>_q`, the labelled
input) that asks a search endpoint (htmx) for matches as one types, and a hidden field
with the chosen id (`<name>`). The people app's manager picker and the audit log's person
filters are this widget with their own endpoint and their own way of naming an id
(`chosen`); the matches and the pick are their endpoints' answers.

Without JavaScript the typed text is posted with the form, and each use resolves it."""

from __future__ import annotations

from typing import Any

from django import forms


class SearchPickerWidget(forms.Widget):
    template_name = "access/widgets/picker.html"
    search_url = ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {"id": str(data.get(name) or ""), "q": str(data.get(f"{name}_q") or "")}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_q" not in data

    def chosen(self, value: Any) -> tuple[str, str]:
        """(id, text in the box) for the widget's value: each use names its ids."""
        raise NotImplementedError

    def test_ids(self, name: str) -> tuple[str, str]:
        """The picker's and its hidden value's `data-testid` (the value's may be "")."""
        return f"picker-{name}", ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen_id, text = self.chosen(value)
        widget = context["widget"]
        picker_testid, value_testid = self.test_ids(name)
        widget.update(
            {
                "chosen_id": chosen_id,
                "text": text,
                "base_id": widget["attrs"].get("id") or f"id_{name}",
                "search_url": self.search_url,
                "described_by": widget["attrs"].get("aria-describedby", ""),
                "invalid": widget["attrs"].get("aria-invalid") == "true",
                "autofocus": bool(widget["attrs"].get("autofocus")),
                "required": bool(widget["attrs"].get("required")),
                "picker_testid": picker_testid,
                "value_testid": value_testid,
            }
        )
        return context
