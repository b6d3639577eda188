"""The API's one JSON renderer: DRF's, with one repair. Python's JSON parser accepts a lone
surrogate (`"\\ud83d"`), which no UTF-8 text can hold; when a response echoes one back (an
error naming the key that was sent), the body is written with every non-ASCII character
escaped instead, which is the same JSON to any client, rather than failing with a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import JSONRenderer


class _EscapedJSONRenderer(JSONRenderer):
    ensure_ascii = True


class KluisJSONRenderer(JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _ESCAPED.render(data, accepted_media_type, renderer_context)


_ESCAPED = _EscapedJSONRenderer()
