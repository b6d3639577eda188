"""KLUIS_TASKS_BACKEND and KLUIS_TASKS_BROKER_URL as an operator sets them: the database
stays the default, rq and celery need a Redis broker (KLUIS_REDIS_URL serves), a wrong
value refuses the start naming the variable."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

import kluis.settings_tasks

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = pytest.mark.engine_independent

VARIABLES = ("KLUIS_TASKS_BACKEND", "KLUIS_TASKS_BROKER_URL", "KLUIS_REDIS_URL")


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Read the tasks settings module again under the given environment."""

    def reading(**env: str) -> ModuleType:
        for name in (*VARIABLES, "KLUIS_TASKS_LOST_AFTER"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(kluis.settings_tasks)

    yield reading
    monkeypatch.undo()
    importlib.reload(kluis.settings_tasks)


def test_without_any_setting_tasks_wait_in_the_database_as_before(read) -> None:  # type: ignore[no-untyped-def]
    tasks = read()
    assert tasks.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert tasks.TASKS_KIND == "database"
    assert not hasattr(tasks, "RQ_QUEUES")


def test_a_dotted_backend_path_keeps_working(read) -> None:  # type: ignore[no-untyped-def]
    path = "django.tasks.backends.immediate.ImmediateBackend"
    tasks = read(KLUIS_TASKS_BACKEND=path)
    assert tasks.TASKS["default"]["BACKEND"] == path
    assert read(KLUIS_TASKS_BACKEND="django_tasks_db.DatabaseBackend").TASKS_KIND == "database"


@pytest.mark.parametrize("backend", ["rq", "celery", "RQ"])
def test_a_broker_backend_without_a_broker_refuses_the_start(read, backend: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImproperlyConfigured, match="KLUIS_TASKS_BROKER_URL"):
        read(KLUIS_TASKS_BACKEND=backend)


def test_the_broker_is_the_redis_url_unless_one_of_its_own_is_given(read) -> None:  # type: ignore[no-untyped-def]
    tasks = read(KLUIS_TASKS_BACKEND="rq", KLUIS_REDIS_URL="redis://127.0.0.1:6379/0")
    assert tasks.TASKS_BROKER_URL == "redis://127.0.0.1:6379/0"
    assert tasks.TASKS["default"]["BACKEND"] == "kluis.operations.tasks_backends.RQBackend"
    # a broker that does not answer in 5 s is away (the task is kept in the database)
    assert tasks.RQ_QUEUES["default"]["URL"] == "redis://127.0.0.1:6379/0?socket_connect_timeout=5"
    tasks = read(
        KLUIS_TASKS_BACKEND="celery",
        KLUIS_REDIS_URL="redis://127.0.0.1:6379/0",
        KLUIS_TASKS_BROKER_URL="rediss://:secret@broker.example:6380/2",
    )
    assert tasks.TASKS_BROKER_URL == "rediss://:secret@broker.example:6380/2"
    assert tasks.TASKS["default"]["BACKEND"] == "kluis.operations.tasks_backends.CeleryBackend"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KLUIS_TASKS_BACKEND": "rabbit"}, "KLUIS_TASKS_BACKEND"),
        (
            {"KLUIS_TASKS_BACKEND": "celery", "KLUIS_TASKS_BROKER_URL": "amqp://x"},
            "KLUIS_TASKS_BROKER_URL",
        ),
        (
            {
                "KLUIS_TASKS_BACKEND": "rq",
                "KLUIS_REDIS_URL": "redis://x",
                "KLUIS_TASKS_LOST_AFTER": "1",
            },
            "KLUIS_TASKS_LOST_AFTER",
        ),
    ],
)
def test_a_wrong_value_refuses_the_start_naming_the_variable(read, env, named) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImproperlyConfigured, match=named):
        read(**env)
