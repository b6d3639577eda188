"""HAProxy in front of the web nodes, with the configuration docs/operations.md ("Several
nodes") gives (docs/examples/several-nodes/haproxy.cfg): TLS at the front with its own
certificate, re-encrypted to the nodes (which serve HTTPS only), round robin, health
checks on GET /health/ready, a request that could not reach a node (refused, reset before
an answer) retried on the other one, and a runtime socket to drain a node before it is
stopped."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

from tests.multinode.processes import REPO_ROOT, Process

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"

# The reference configuration of docs/operations.md, run here with loopback addresses, the
# test certificate and faster health checks: each line replaced must be in it as written.
REFERENCE = REPO_ROOT / "docs" / "examples" / "several-nodes" / "haproxy.cfg"


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
    replacements = {
        "    stats socket /run/haproxy/admin.sock": f"    stats socket {admin}",
        "    bind :443 ssl crt /etc/haproxy/certs/hr.example.com.pem": (
            f"    bind 127.0.0.1:{port} ssl crt {pem}"
        ),
        "    bind :80\n": "",
        "    http-request redirect scheme https unless { ssl_fc }\n": "",
        "hdr Host hr.example.com": "hdr Host 127.0.0.1",
        "ca-file /etc/haproxy/certs/kluis-nodes-ca.pem": f"ca-file {certificate}",
        "check inter 2s": "check inter 500ms",
        "    server web1 10.0.0.11:8443\n    server web2 10.0.0.12:8443": servers
        # Which node answered (the tests count on it).
        + "\n    http-response set-header X-Kluis-Node %s",
    }
    text = REFERENCE.read_text()
    for old, new in replacements.items():
        assert old in text, f"{REFERENCE} no longer has {old!r}"
        text = text.replace(old, new)
    config = directory / "haproxy.cfg"
    config.write_text(text)
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
