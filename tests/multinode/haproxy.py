"""HAProxy in front of the web nodes, as docs/operations.md ("Several nodes") deploys it:
TLS at the front with its own certificate, re-encrypted to the nodes (which serve HTTPS
only), round robin, health checks on GET /health/ready, a request that could not reach a
node (refused, reset before an answer) retried on the other one, and a runtime socket to
drain a node before it is stopped."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

from tests.multinode.processes import Process

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"

CONFIG = """\
global
    log stderr format raw local0 info
    maxconn 512
    stats socket {socket} mode 600 level admin

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 2s
    # A request that cannot reach its node (refused, reset before an answer) goes to the
    # other one: a node killed or stopped costs only the requests it was answering.
    retries 3
    retry-on conn-failure empty-response
    option redispatch 1

frontend kluis
    bind 127.0.0.1:{port} ssl crt {pem} alpn http/1.1
    option forwardfor
    http-request set-header X-Forwarded-Proto https
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    # Which node answered (the tests count on it; harmless in production).
    http-response set-header X-Kluis-Node %s
    default-server ssl verify required ca-file {ca} check inter 500ms fall 2 rise 2
{servers}
"""


def write_config(
    directory: Path, port: int, nodes: dict[str, int], certificate: Path, key: Path
) -> tuple[Path, Path]:
    """The configuration file and the admin socket's path."""
    pem = directory / "haproxy.pem"
    pem.write_bytes(certificate.read_bytes() + key.read_bytes())
    pem.chmod(0o600)
    admin = directory / "haproxy.sock"
    servers = "\n".join(
        f"    server {name} 127.0.0.1:{node_port}" for name, node_port in nodes.items()
    )
    config = directory / "haproxy.cfg"
    config.write_text(
        CONFIG.format(socket=admin, port=port, pem=pem, ca=certificate, servers=servers)
    )
    return config, admin


class HAProxy(Process):
    admin: Path
    port: int

    @classmethod
    def make(
        cls,
        directory: Path,
        port: int,
        nodes: dict[str, int],
        env: dict[str, str],
        tls: tuple[Path, Path],
    ) -> HAProxy:
        config, admin = write_config(directory, port, nodes, *tls)
        proxy = cls("haproxy", [HAPROXY, "-db", "-f", str(config)], env, directory / "haproxy.log")
        proxy.admin = admin
        proxy.port = port
        return proxy

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def command_socket(self, command: str) -> str:
        """One command on HAProxy's runtime API (e.g. `set server nodes/a state drain`)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(5)
            conn.connect(str(self.admin))
            conn.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self) -> dict[str, dict[str, str]]:
        """Each node's row of `show stat`: status (UP, DOWN, MAINT, DRAIN ...), scur ..."""
        lines = self.command_socket("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "nodes" and row.get("svname") not in ("BACKEND", None):
                rows[row["svname"]] = row
        return rows

    def server_states(self) -> dict[str, str]:
        return {name: row["status"] for name, row in self.servers().items()}

    def wait_idle(self, server: str, timeout: float = 15.0) -> None:
        """Until HAProxy has no request open on `server` (its `scur` is 0)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.servers().get(server, {}).get("scur") == "0":
                return
            time.sleep(0.05)
        raise AssertionError(f"{server} still has requests open after {timeout} s")

    def wait_for_state(self, server: str, wanted: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            state = self.server_states().get(server, "")
            if state.startswith(wanted):
                return
            time.sleep(0.1)
        raise AssertionError(f"HAProxy: server {server} is {state!r}, not {wanted}\n{self.tail()}")

    def wait_listening(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise AssertionError(f"haproxy exited:\n{self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"haproxy does not listen on {self.port}:\n{self.tail()}")
