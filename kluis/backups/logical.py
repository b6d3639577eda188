"""The logical dump: every table's rows as engine-neutral JSON lines, and back.

One line per row, a JSON list of the row's values in column order, ordered by primary key.
Values are normalised by the column's kind (a datetime is ISO 8601 UTC, a boolean is
true/false, a decimal a string with its places, JSON canonical text, bytes base64, ...), so
the same data reads to the same bytes from SQLite and from PostgreSQL: a table's sha256 over
its lines is the checksum the manifest carries, and a restore on either engine is proven
by reading it back to the same checksum.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Field, ForeignKey
from django.utils.dateparse import parse_date, parse_datetime, parse_time

BATCH = 2000

_KINDS = {
    "BooleanField": "bool",
    "NullBooleanField": "bool",
    "DateTimeField": "datetime",
    "DateField": "date",
    "TimeField": "time",
    "DecimalField": "decimal",
    "JSONField": "json",
    "BinaryField": "binary",
    "UUIDField": "uuid",
    "DurationField": "duration",
    "FloatField": "float",
    "AutoField": "int",
    "BigAutoField": "int",
    "SmallAutoField": "int",
    "IntegerField": "int",
    "BigIntegerField": "int",
    "SmallIntegerField": "int",
    "PositiveIntegerField": "int",
    "PositiveBigIntegerField": "int",
    "PositiveSmallIntegerField": "int",
    "GenericIPAddressField": "ip",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    places: int = 0


@dataclass(frozen=True)
class Table:
    name: str
    pk: str
    columns: tuple[Column, ...]
    model: Any

    def select_sql(self, vendor: str) -> str:
        """Ordered by primary key, text keys in byte order on both engines (PostgreSQL's
        default collation sorts text otherwise than SQLite)."""
        names = ", ".join(f'"{c.name}"' for c in self.columns)
        pk_kind = next((c.kind for c in self.columns if c.name == self.pk), "int")
        collate = ' COLLATE "C"' if vendor == "postgresql" and pk_kind == "text" else ""
        return f'SELECT {names} FROM "{self.name}" ORDER BY "{self.pk}"{collate}'  # noqa: S608


def _kind(field: Field[Any, Any]) -> Column:
    target: Any = field
    while isinstance(target, ForeignKey):
        target = target.target_field
    internal = target.get_internal_type()
    kind = _KINDS.get(internal, "text")
    return Column(str(field.column), kind, int(getattr(target, "decimal_places", 0) or 0))


def tables(existing: Iterable[str] | None = None) -> list[Table]:
    """Every table Kluis keeps (managed models, many-to-many tables included), by name;
    only those in `existing` when given (the tables of an older schema state)."""
    present = set(existing) if existing is not None else None
    out: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in out:
            continue
        if present is not None and meta.db_table not in present:
            continue
        columns = tuple(_kind(f) for f in meta.local_concrete_fields)
        out[meta.db_table] = Table(meta.db_table, str(meta.pk.column), columns, model)
    return [out[name] for name in sorted(out)]


# -- normalising a value read from either engine -----------------------------------------


def _utc_text(value: Any) -> str:
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"not a datetime: {value!r}")
        value = parsed
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def dump_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.kind
    if kind == "int":
        return int(value)
    if kind == "text":
        return str(value)
    if kind == "bool":
        return bool(value)
    if kind == "datetime":
        return _utc_text(value)
    if kind == "date":
        parsed: Any = parse_date(value) if isinstance(value, str) else value
        return parsed.isoformat()
    if kind == "time":
        parsed_time: Any = parse_time(value) if isinstance(value, str) else value
        return parsed_time.isoformat()
    if kind == "decimal":
        number = Decimal(str(value))
        return str(number.quantize(Decimal(1).scaleb(-column.places)))
    if kind == "json":
        # In a list, so that SQL NULL (None) and JSON null ([None]) stay apart; the keys in
        # the order stored (a restore writes the same text), sorted for the checksum.
        return [json.loads(value) if isinstance(value, (str, bytes)) else value]
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "uuid":
        return value.hex if isinstance(value, uuid.UUID) else str(value).replace("-", "").lower()
    if kind == "duration":
        if isinstance(value, timedelta):
            return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "ip":
        text = str(value)
        return text.removesuffix("/32").removesuffix("/128")
    return value


def load_value(column: Column, value: Any, vendor: str) -> Any:
    """A dumped value as a parameter for `vendor`'s driver (Django's storage conventions)."""
    if value is None:
        return None
    kind = column.kind
    if kind == "datetime":
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        if vendor == "sqlite":
            return moment.replace(tzinfo=None).isoformat(sep=" ")
        return moment
    if kind == "date":
        return value if vendor == "sqlite" else date.fromisoformat(value)
    if kind == "time":
        return value if vendor == "sqlite" else time.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value) if vendor != "sqlite" else str(value)
    if kind == "json":
        return json.dumps(value[0])  # as Django's JSONField writes it
    if kind == "binary":
        return base64.b64decode(value)
    if kind == "uuid":
        return value if vendor == "sqlite" else uuid.UUID(value)
    if kind == "duration":
        return value if vendor == "sqlite" else timedelta(microseconds=value)
    return value


def dump_rows(table: Table, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[bytes, bytes]]:
    """Each row as one JSON line (bytes with its newline), and the same line in canonical
    form (JSON keys sorted) for the checksum: the two differ only for JSON columns, whose
    key order PostgreSQL's jsonb does not keep."""
    columns = table.columns
    has_json = any(c.kind == "json" for c in columns)
    for row in rows:
        values = [dump_value(c, v) for c, v in zip(columns, row, strict=True)]
        line = (json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        if not has_json:
            yield line, line
            continue
        canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        yield line, (canonical + "\n").encode()


def canonical_lines(table: Table, lines: Iterable[bytes]) -> Iterator[bytes]:
    """The checksum form of an archive's lines (see dump_rows)."""
    if not any(c.kind == "json" for c in table.columns):
        yield from lines
        return
    for line in lines:
        values = json.loads(line)
        text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        yield (text + "\n").encode()


def read_table(cursor: Any, table: Table, vendor: str) -> Iterator[tuple[Any, ...]]:
    """The table's rows in primary-key order from a DB-API cursor, in batches."""
    cursor.execute(table.select_sql(vendor))
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            return
        yield from batch


def checksum_lines(lines: Iterable[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for line in lines:
        digest.update(line)
        count += 1
    return count, digest.hexdigest()


def insert_sql(table: Table, vendor: str, quote: Any) -> str:
    names = ", ".join(quote(c.name) for c in table.columns)
    marks = ", ".join(
        "%s::jsonb" if (c.kind == "json" and vendor == "postgresql") else "%s"
        for c in table.columns
    )
    return f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608


def parse_line(table: Table, line: bytes, vendor: str) -> tuple[Any, ...]:
    values = json.loads(line)
    return tuple(load_value(c, v, vendor) for c, v in zip(table.columns, values, strict=True))


def archived_table(name: str, entry: dict[str, Any]) -> Table:
    """A table as the manifest describes it (its columns as they were archived)."""
    columns = tuple(Column(str(c[0]), str(c[1]), int(c[2])) for c in entry["columns"])
    return Table(name, str(entry["pk"]), columns, None)
