"""Load through HAProxy for the fault and upgrade tests: a few threads hiring employees
(POST /api/v1/employees/, each with an Idempotency-Key) round the pool of load keys, each
request's outcome kept: when it started and ended, its status or error, which node
answered (HAProxy's X-Kluis-Node header) and the id a 201 acknowledged."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field

import requests

from tests.multinode.client import Api
from tests.multinode.cluster import RATE_PER_KEY, Cluster


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all
    error: str = ""
    node: str = ""
    employee: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == 201 and self.employee is not None


@dataclass
class Load:
    cluster: Cluster
    threads: int = 3
    outcomes: list[Outcome] = field(default_factory=list)
    _running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        keys = self.cluster.setup["load"]
        # Each key at most RATE_PER_KEY - 5 requests a minute: a request every `pace`
        # seconds per thread, spread over the keys in turn.
        self.pace = max(0.05, 60 * self.threads / (len(keys) * (RATE_PER_KEY - 5)))
        apis = [Api(key, self.cluster.certificate) for key in keys]
        self._apis = itertools.cycle(apis)

    def start(self) -> Load:
        for number in range(self.threads):
            thread = threading.Thread(target=self._run, name=f"load-{number}", daemon=True)
            thread.start()
            self._workers.append(thread)
        return self

    def in_flight(self) -> int:
        with self._lock:
            return self._running

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._workers:
            thread.join(timeout=60)
        return list(self.outcomes)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                api = next(self._apis)
                self._running += 1
            started = time.monotonic()
            try:
                answer = api.hire(self.cluster.url, tag="load ")
            except requests.RequestException as exc:
                outcome = Outcome(started, time.monotonic(), None, type(exc).__name__)
            else:
                employee = answer.json().get("id") if answer.status_code == 201 else None
                outcome = Outcome(
                    started,
                    time.monotonic(),
                    answer.status_code,
                    "" if answer.status_code == 201 else answer.text[:200],
                    answer.headers.get("X-Kluis-Node", ""),
                    employee,
                )
            with self._lock:
                self._running -= 1
                self.outcomes.append(outcome)
            self._stop.wait(max(0.0, self.pace - (outcome.ended - started)))

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def acknowledged(self) -> list[int]:
        return [o.employee for o in self.outcomes if o.ok and o.employee is not None]


def missing_employees(cluster: Cluster, ids: list[int]) -> list[int]:
    """Of these acknowledged hires, those the API does not list (every page, through HAProxy)."""
    api = Api(cluster.setup["verify"], cluster.certificate)
    found: set[int] = set()
    url: str | None = f"{cluster.url}/api/v1/employees/?page_size=200&fields=id"
    while url:
        page = api.get(url)
        assert page.status_code == 200, page.text
        found.update(row["id"] for row in page.json()["results"])
        url = page.json()["next"]
    return sorted(set(ids) - found)


def wait_for_events(
    receiver_events: list[tuple[object, str]], employees: list[int], timeout: float = 60.0
) -> dict[int, set[int]]:
    """Wait until every receiver got an employee.created event for each employee; what is
    still missing per receiver (index) when the time is up."""
    wanted = set(employees)
    deadline = time.monotonic() + timeout
    missing: dict[int, set[int]] = {}
    while time.monotonic() < deadline:
        missing = {}
        for index, (receiver, _secret) in enumerate(receiver_events):
            got = {
                r.json["data"]["id"]
                for r in receiver.events()  # type: ignore[attr-defined]
                if r.json.get("type") == "employee.created"
            }
            if wanted - got:
                missing[index] = wanted - got
        if not missing:
            return {}
        time.sleep(0.3)
    return missing
