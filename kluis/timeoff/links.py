"""Paths of the calendar's pages, for notices and e-mails (services know no views)."""


def request_page(pk: int) -> str:
    return f"/time-off/requests/{pk}/"


def absence_page(pk: int) -> str:
    return f"/time-off/absences/{pk}/"


APPROVALS = "/time-off/approvals/"
