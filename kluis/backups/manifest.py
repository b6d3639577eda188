"""The manifest: what an archive holds, serialised as JSON inside it (manifest.json)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from kluis.backups.errors import BackupError

FORMAT = "kluis-backup/1"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    format: str  # FORMAT
    kluis_version: str
    created_at: str  # ISO 8601 UTC
    vendor: str  # "sqlite" | "postgresql"
    migrations: dict[str, str]  # app label -> last applied migration (the schema state)
    tables: dict[str, dict[str, Any]]  # table -> {"rows": int, "sha256": str} (logical)
    files: dict[str, dict[str, Any]]  # path under MEDIA_ROOT -> {"bytes": int, "sha256": str}
    native: dict[str, Any] = field(default_factory=dict)  # {"name", "bytes", "sha256", "tool"}

    @property
    def total_rows(self) -> int:
        return sum(int(t["rows"]) for t in self.tables.values())

    @property
    def total_file_bytes(self) -> int:
        return sum(int(f["bytes"]) for f in self.files.values())

    def to_json(self) -> bytes:
        return (json.dumps(asdict(self), indent=1, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise BackupError("the archive's manifest is not readable JSON") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            found = raw.get("format") if isinstance(raw, dict) else None
            raise BackupError(
                f"the archive is in format {found!r}, which this version of Kluis does not "
                f"read (it reads {FORMAT!r}); restore it with the Kluis version that made it"
            )
        try:
            return cls(
                format=str(raw["format"]),
                kluis_version=str(raw["kluis_version"]),
                created_at=str(raw["created_at"]),
                vendor=str(raw["vendor"]),
                migrations={str(k): str(v) for k, v in raw["migrations"].items()},
                tables={str(k): dict(v) for k, v in raw["tables"].items()},
                files={str(k): dict(v) for k, v in raw["files"].items()},
                native=dict(raw.get("native") or {}),
            )
        except (KeyError, AttributeError, TypeError):
            raise BackupError("the archive's manifest lacks required fields") from None
