"""Real HTTPS clients of the harness: an API client (a key, any base URL: HAProxy or one
node) and a browser without a screen (a cookie jar, the sign-in form with its CSRF token)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 30


@dataclass
class Api:
    key: str
    certificate: str
    session: requests.Session = field(default_factory=requests.Session)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.key}", **kwargs.pop("headers", {})}
        return self.session.request(
            method, url, headers=headers, verify=self.certificate, timeout=TIMEOUT, **kwargs
        )

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, body: dict[str, Any], **kwargs: Any) -> requests.Response:
        return self.request("POST", url, json=body, **kwargs)

    def hire(self, base: str, tag: str = "") -> requests.Response:
        """POST /api/v1/employees/ (201 with the new employee), with an Idempotency-Key so
        that a retry can never hire twice."""
        unique = uuid.uuid4().hex[:10]
        body = {
            # Numbered by the client: Kluis's own next number (the highest plus one) is
            # taken twice by hires at the same moment (a unique violation, answered 500).
            "employee_number": f"MN-{unique}",
            "first_name": "Multi",
            "last_name": f"Node {tag}{unique}",
            "work_email": f"multinode.{unique}@demo-bv.test",
            "employment": {"start_date": "2026-04-01", "job_title": "Tester"},
        }
        return self.post(
            f"{base}/api/v1/employees/", body, headers={"Idempotency-Key": f"hire-{unique}"}
        )


@dataclass
class Browser:
    """One person's browser: cookies, and forms posted with their CSRF token."""

    certificate: str
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, url: str) -> requests.Response:
        return self.session.get(
            url, verify=self.certificate, timeout=TIMEOUT, allow_redirects=False
        )

    def post_form(self, url: str, form: dict[str, str]) -> requests.Response:
        """GET the page for its CSRF token, then POST the form to it (as a browser does)."""
        page = self.get(url)
        token = CSRF_FIELD.search(page.text)
        assert token, f"no CSRF token on {url} ({page.status_code}):\n{page.text[:500]}"
        return self.post(url, {"csrfmiddlewaretoken": token.group(1), **form})

    def post(self, url: str, form: dict[str, str], page: str | None = None) -> requests.Response:
        origin = "/".join(url.split("/")[:3])
        return self.session.post(
            url,
            data=form,
            headers={"Origin": origin, "Referer": page or url},
            verify=self.certificate,
            timeout=TIMEOUT,
            allow_redirects=False,
        )

    def sign_in(self, base: str, email: str, password: str) -> requests.Response:
        return self.post_form(f"{base}/accounts/login/", {"login": email, "password": password})

    @staticmethod
    def signed_in(answer: requests.Response) -> bool:
        location = answer.headers.get("Location", "")
        return answer.status_code == 302 and "/accounts/" not in location
