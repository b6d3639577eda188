"""Who an event is about and who did it, by name: the people app registers how.

The audit log stores plain values (the chain must outlive a person), and knows nothing of
the HR file (it sits below it). People registers, from its AppConfig.ready:

- `register_people(finder, namer)`: `finder(actor, text)` gives the ids of the employees
  whose name matches (as far as the reader may see people), `namer(actor, user_ids)` the
  display names of the accounts that acted;
- `register_records(object_type, model, field)`: a record type whose rows belong to one
  employee (`field` = the employee's foreign key, "pk" for the employee itself), so that
  "events about Bob" finds his wages and contracts too;
- `register_labels(object_type, labeler)`: `labeler(actor, object_ids)` gives each row's
  label as a person reads it today, in the active language ("Legal holiday of Lotte Maes,
  14 December 2026 - 18 December 2026"), for the reader's company's rows; the stored
  `object_repr` (plain text, kept for the chain) shows where there is none (a deleted row);
- `register_picker(search, labels)`: for the log's person and actor pickers,
  `search(actor, text, limit)` gives (employee id, "Name (number)") of the reader's
  company, by name, and `labels(actor, ids)` the same for known ids (another company's
  ids are simply not there).

Without people (or for a deleted row) the log still works: names fall back to the
account's e-mail address, the person filter matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import CharField, Q
from django.db.models.functions import Cast

from kluis.access.actor import Actor

Finder = Callable[[Actor, str], list[int]]
Namer = Callable[[Actor, Iterable[int]], dict[int, str]]
Searcher = Callable[[Actor, str, int], list[tuple[int, str]]]
Labeler = Callable[[Actor, list[int]], dict[int, str]]

_PEOPLE: dict[str, Any] = {}
_RECORDS: dict[str, tuple[Any, str]] = {}


def register_people(finder: Finder, namer: Namer) -> None:
    _PEOPLE["finder"], _PEOPLE["namer"] = finder, namer


def register_picker(search: Searcher, labels: Labeler) -> None:
    _PEOPLE["search"], _PEOPLE["labels"] = search, labels


def search_people(actor: Actor, text: str, limit: int) -> list[tuple[int, str]]:
    """(id, label) of the reader's company's employees matching `text`, by name."""
    search: Searcher | None = _PEOPLE.get("search")
    return search(actor, text, limit) if search is not None and text.strip() else []


def labels_of(actor: Actor, employee_ids: list[int]) -> dict[int, str]:
    """The label of each of these employees of the reader's company (others are absent)."""
    labels: Labeler | None = _PEOPLE.get("labels")
    return labels(actor, employee_ids) if labels is not None and employee_ids else {}


def register_records(object_type: str, model: Any, field: str) -> None:
    _RECORDS[object_type] = (model, field)


def names_of(actor: Actor, user_ids: Iterable[int | None]) -> dict[int, str]:
    namer: Namer | None = _PEOPLE.get("namer")
    ids = sorted({i for i in user_ids if i is not None})
    return namer(actor, ids) if namer is not None and ids else {}


def people_matching(actor: Actor, text: str) -> list[int]:
    finder: Finder | None = _PEOPLE.get("finder")
    return finder(actor, text) if finder is not None and text.strip() else []


def about(actor: Actor, employee_ids: list[int]) -> Q:
    """Events about these employees: on their file and on records that belong to them."""
    if not employee_ids:
        return Q(pk__in=[])
    query = Q(pk__in=[])
    for object_type, (model, field) in _RECORDS.items():
        if field == "pk":
            ids: Any = [str(i) for i in employee_ids]
        else:
            ids = (
                model.objects.for_actor(actor)
                .filter(**{f"{field}__in": employee_ids})
                .annotate(text_id=Cast("pk", CharField()))
                .values("text_id")
            )
        query |= Q(object_type=object_type, object_id__in=ids)
    return query


def actor_user_ids(actor: Actor, employee_ids: list[int]) -> list[int]:
    """The accounts of these employees (to find what they did)."""
    namer_ids = _PEOPLE.get("accounts")
    return list(namer_ids(actor, employee_ids)) if namer_ids is not None else []


def register_accounts(accounts: Callable[[Actor, list[int]], Iterable[int]]) -> None:
    _PEOPLE["accounts"] = accounts


Linker = Callable[[Actor, str], str]
_LINKS: dict[str, Linker] = {}


def register_link(object_type: str, linker: Linker) -> None:
    """`linker(actor, object_id)`: the URL of the object's page for this reader, or ""."""
    _LINKS[object_type] = linker


def link_of(actor: Actor, object_type: str, object_id: str) -> str:
    linker = _LINKS.get(object_type)
    return linker(actor, object_id) if linker is not None and object_id else ""


ObjectLabeler = Callable[[Actor, list[str]], dict[str, str]]
_OBJECT_LABELS: dict[str, ObjectLabeler] = {}


def register_labels(object_type: str, labeler: ObjectLabeler) -> None:
    """`labeler(actor, object_ids)`: {object id: its label for this reader}, for the rows of
    the reader's company among `object_ids` (others are absent)."""
    _OBJECT_LABELS[object_type] = labeler


def object_labels(actor: Actor, objects: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The live label of each (object type, object id) that has one: one call (a query)
    per registered type, not per event."""
    wanted: dict[str, set[str]] = {}
    for object_type, object_id in objects:
        if object_type in _OBJECT_LABELS and object_id:
            wanted.setdefault(object_type, set()).add(object_id)
    found: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        for object_id, label in _OBJECT_LABELS[object_type](actor, sorted(ids)).items():
            found[(object_type, object_id)] = label
    return found
