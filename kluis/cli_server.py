"""The `kluis up` / `kluis serve` command-line options (host, ports, workers, certificate),
with their KLUIS_* defaults, and the argument types the `kluis` command shares."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kluis.operations.serving import default_workers


def port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return port


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def server_arguments(parser: argparse.ArgumentParser, *, redirect: bool) -> None:
    env = os.environ
    parser.add_argument(
        "--host",
        default=env.get("KLUIS_HOST", "127.0.0.1"),
        help="address to listen on (env KLUIS_HOST; default %(default)s; 0.0.0.0 for all)",
    )
    parser.add_argument(
        "--port",
        type=port,
        default=env.get("KLUIS_PORT", "8443"),
        help="HTTPS port (env KLUIS_PORT; default %(default)s)",
    )
    if redirect:
        parser.add_argument(
            "--http-port",
            type=port,
            default=env.get("KLUIS_HTTP_PORT", "8080"),
            help="plain-HTTP port that redirects to HTTPS; 0 for none "
            "(env KLUIS_HTTP_PORT; default %(default)s)",
        )
    parser.add_argument(
        "--workers",
        type=positive,
        default=env.get("KLUIS_WEB_WORKERS", str(default_workers())),
        help="web server processes (env KLUIS_WEB_WORKERS; default: CPUs, at most 4: %(default)s)",
    )
    parser.add_argument(
        "--cert",
        type=Path,
        help="PEM certificate (chain) to serve instead of a self-signed one (env KLUIS_TLS_CERT)",
    )
    parser.add_argument(
        "--key",
        type=Path,
        help="its private key, PKCS#8 PEM (env KLUIS_TLS_KEY)",
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every request the web server answers"
    )
