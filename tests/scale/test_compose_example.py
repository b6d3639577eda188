"""The reference deployment for Docker Compose / Podman (docs/examples/several-nodes/
compose.yaml, haproxy-compose.cfg, kluis.env.example) against what Kluis has: no
container engine runs here, so the file is checked as an operator's first `up` would find
it. Every Kluis command parses with `kluis`'s own parser; every setting named is one
Kluis reads; each node keeps its own data directory while the stored files are one volume
they all share; the nodes start after the migration, which waits for PostgreSQL; HAProxy's
configuration passes `haproxy -c` (with names that do not resolve yet, as at the first
start) and balances exactly the web services, checking /health/ready with a host Kluis
allows."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands, load_command_class

from kluis.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "several-nodes"
KLUIS_SOURCE = "\n".join(p.read_text() for p in (ROOT / "kluis").rglob("*.py"))

pytestmark = pytest.mark.engine_independent


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((EXAMPLE / "compose.yaml").read_text())


def kluis_services(compose: dict) -> dict[str, dict]:
    return {
        name: service
        for name, service in compose["services"].items()
        if service["image"].startswith("${KLUIS_IMAGE")
    }


def test_every_kluis_command_parses(compose):
    services = kluis_services(compose)
    assert set(services) == {"migrate", "web1", "web2", "worker1", "worker2"}
    parser = build_parser()
    for name, service in services.items():
        command = service["command"]
        assert command[0] == "kluis", name
        try:
            if command[1] == "manage":  # Django's command, with its own parser
                app = get_commands()[command[2]]
                django_command = load_command_class(app, command[2])
                django_command.create_parser("kluis manage", command[2]).parse_args(command[3:])
            else:
                parser.parse_args(command[1:])
        except SystemExit as exc:  # argparse's way of refusing
            raise AssertionError(f"{name}: `{' '.join(command)}` is refused") from exc


def test_every_setting_named_is_one_kluis_reads(compose):
    names = set()
    for service in kluis_services(compose).values():
        names.update(name for name in service["environment"] if name.startswith("KLUIS_"))
    env_example = (EXAMPLE / "kluis.env.example").read_text()
    names.update(re.findall(r"^#? ?(KLUIS_[A-Z0-9_]+)=", env_example, flags=re.MULTILINE))
    assert {"KLUIS_SECRET_KEY", "KLUIS_MASTER_KEY", "KLUIS_STORAGE_URL"} <= names
    unknown = sorted(name for name in names if f'"{name}' not in KLUIS_SOURCE)
    assert unknown == []


def test_the_nodes_share_the_engines_and_the_stored_files_not_their_data_dirs(compose):
    services = kluis_services(compose)
    environments = {name: service["environment"] for name, service in services.items()}
    assert len({tuple(sorted(env.items())) for env in environments.values()}) == 1
    env = environments["web1"]
    assert env["KLUIS_ENV"] == "production"
    assert urlsplit(env["KLUIS_DATABASE_URL"]).hostname in compose["services"]
    assert urlsplit(env["KLUIS_REDIS_URL"]).hostname in compose["services"]
    assert env["KLUIS_TASKS_BACKEND"] in {"rq", "celery"}
    data_dir = Path(env["KLUIS_DATA_DIR"])
    media = data_dir / Path(settings.MEDIA_ROOT).relative_to(settings.DATA_DIR)
    own: dict[str, str] = {}
    for name, service in services.items():
        if name == "migrate":
            continue
        mounts = dict(reversed(volume.split(":")[:2]) for volume in service["volumes"])
        own[name] = mounts[str(data_dir)]
        assert mounts[str(media)] == "files", name
    assert len(set(own.values())) == len(own), own  # never one data directory for two
    assert set(own.values()) | {"files"} <= set(compose["volumes"])


def test_nodes_start_after_the_migration_which_waits_for_postgres(compose):
    services = kluis_services(compose)
    migrate = services.pop("migrate")
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert compose["services"]["postgres"]["healthcheck"]
    for name, service in services.items():
        condition = service["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


@pytest.mark.skipif(not shutil.which("haproxy"), reason="haproxy is not installed")
def test_haproxy_balances_the_web_services_and_its_configuration_is_valid(compose, tmp_path):
    from kluis.operations.tls import ensure_certificate

    text = (EXAMPLE / "haproxy-compose.cfg").read_text()
    servers = dict(re.findall(r"^\s+server (\S+) (\S+)$", text, flags=re.MULTILINE))
    web = {
        name: service
        for name, service in kluis_services(compose).items()
        if service["command"][1] == "serve"
    }
    assert set(servers) == set(web)
    for name, service in web.items():
        port = service["command"][service["command"].index("--port") + 1]
        assert servers[name] == f"{name}:{port}"
    host = re.search(r"http-check send .* uri /health/ready .* hdr Host (\S+)", text)
    assert host is not None
    allowed = kluis_services(compose)["web1"]["environment"]["KLUIS_ALLOWED_HOSTS"].split(",")
    assert host.group(1) in allowed
    mounted = compose["services"]["haproxy"]["volumes"]
    assert "./haproxy-compose.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in mounted

    certificate, key = ensure_certificate(tmp_path / "tls")
    pem = tmp_path / "site.pem"
    pem.write_bytes(certificate.read_bytes() + key.read_bytes())
    referenced = "/etc/haproxy/certs/hr.example.com.pem"
    assert referenced in text
    config = tmp_path / "haproxy.cfg"
    config.write_text(text.replace(referenced, str(pem)))
    checked = subprocess.run(
        ["haproxy", "-c", "-f", str(config)], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Configuration file is valid" in checked.stdout
