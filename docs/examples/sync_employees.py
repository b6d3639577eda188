"""Keep a local copy of a company's employees in sync with Kluis (docs/api.md, section 4).

    KLUIS_URL=https://kluis.example.com KLUIS_API_KEY=kluis_... python sync_employees.py

The first run lists every employee; later runs ask only for those changed since the last
run started. The copy is a JSON file keyed by employee id (employees.json; the state, with
the time of the last run, in sync_state.json). Needs only `requests`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import requests

FIELDS = "employee_number,first_name,last_name,work_email,job_title,team,status,updated_at"


def fetch_all(session: requests.Session, url: str) -> list[dict]:
    """Every row of a list, following `next`; waits when the rate limit says so."""
    rows: list[dict] = []
    while url:
        response = session.get(url, timeout=30)
        if response.status_code == 429:
            time.sleep(int(response.headers.get("Retry-After", "1")))
            continue
        if response.status_code != 200:
            problem = response.json()
            sys.exit(f"{response.status_code} {problem['title']}: {problem['detail']}")
        page = response.json()
        rows.extend(page["results"])
        url = page["next"]
    return rows


def main() -> None:
    base = os.environ["KLUIS_URL"].rstrip("/")
    folder = Path(os.environ.get("SYNC_DIR", "."))
    copy_file, state_file = folder / "employees.json", folder / "sync_state.json"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {os.environ['KLUIS_API_KEY']}"
    copy = json.loads(copy_file.read_text()) if copy_file.exists() else {}
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = f"{base}/api/v1/employees/?page_size=200&fields={FIELDS}"
    if "last_run" in state:
        url += f"&updated_since={state['last_run']}"
    changed = fetch_all(session, url)
    for row in changed:
        copy[str(row["id"])] = row
    copy_file.write_text(json.dumps(copy, indent=2, sort_keys=True))
    state_file.write_text(json.dumps({"last_run": started}))
    print(f"{len(changed)} changed, {len(copy)} in the copy")


if __name__ == "__main__":
    main()
