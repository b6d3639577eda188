"""No server banner: responses do not say which web server runs Kluis.

Granian adds `server: granian` to every response unless the application sent a Server
header of its own, and has no option to leave it out (granian issue 594). So this WSGI
wrapper (kluis.wsgi) gives every response an empty Server header, which granian then sends
instead of its name: nothing for a scanner to match against a list of known flaws."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class NoServerBanner:
    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            headers = [(k, v) for k, v in headers if k.lower() != "server"]
            headers.append(("Server", ""))
            return start_response(status, headers, *exc_info)

        return self.app(environ, start)
