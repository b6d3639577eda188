"""HEAD answered without content, whatever the server does.

RFC 9110 §9.3.2: a response to HEAD carries the headers a GET would (Content-Length
included) and no content. Django leaves dropping the body to the server; granian does so
over HTTP/1.1 but sends it as DATA frames over HTTP/2, which clients refuse as a protocol
error (curl: "stream was not closed cleanly: PROTOCOL_ERROR"). This WSGI wrapper around
Django in kluis.wsgi drops it itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class HeadWithoutBody:
    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        result = self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "HEAD":
            return result
        # Iterating runs start_response for apps that call it lazily; close() releases
        # what the response holds (files, database connections: Django's request_finished).
        try:
            for _chunk in result:
                pass
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return []
