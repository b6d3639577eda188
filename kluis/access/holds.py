"""An action held for a second person's approval (the company's two-person rule).

A service raises `HeldForApproval` after storing the pending request in a transaction of
its own, before changing anything else: the caller tells the person (the web UI shows the
request's page, the API answers 202 Accepted with the request's URL) and nothing of the
action itself happened. The approval app (kluis/approvals/) stores and decides requests;
this module is low so that the API pipeline and the web shell can answer the exception
without knowing that app."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApprovalStamp:
    """Carried by the Actor that applies an approved request: the audit event of the
    action names both people, and the service's gate lets the action through."""

    request_id: int
    action: str
    requested_by: str
    approved_by: str
    requested_by_user_id: int | None = None


class HeldForApproval(Exception):
    def __init__(self, request_id: int, action: str, message: str) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.action = action
        self.message = message

    @property
    def api_path(self) -> str:
        return f"/api/v1/approvals/{self.request_id}/"

    @property
    def ui_path(self) -> str:
        return f"/approvals/{self.request_id}/"
