"""Every log line of a request carries its request id, company and actor (ids only, no
personal data); JSON when KLUIS_LOG_FORMAT=json; the worker's lines carry the task."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from kluis.identity.mfa_reset import send_mfa_reset_notice
from kluis.operations import logging as log_context
from kluis.operations.logging import RefusalFilter
from kluis.tenancy.models import Membership


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """A handler with the configured filters and the JSON formatter of settings.LOGGING."""
    configured = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RefusalFilter) for f in h.filters)
    )
    formatter_config = settings.LOGGING["formatters"]["json"]  # type: ignore[index]
    options = {k: v for k, v in formatter_config.items() if k not in ("()", "format")}
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter(formatter_config["format"], **options))
    for kept in configured.filters:
        handler.addFilter(kept)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_a_request_s_lines_carry_its_id_company_and_actor_and_no_personal_data(
    demo, login, json_log
):
    email = "auditor@demo-bv.test"
    membership = Membership.objects.select_related("user").get(user__email=email)
    response = login(email).get(reverse("people:list"), secure=True)
    assert response.status_code == 403
    (line,) = [entry for entry in lines(json_log) if entry["logger"] == "django.request"]
    assert line["level"] == "WARNING" and "/people/" in str(line["message"])
    assert line["request_id"] == response["X-Request-ID"]
    assert line["tenant_id"] == str(membership.tenant_id)
    assert line["actor_id"] == f"user:{membership.user_id}"
    assert str(line["timestamp"]).endswith("+00:00")
    assert "request" not in line and line["status_code"] == 403
    text = json_log.getvalue()
    assert email not in text and membership.user.email.split("@")[0] not in text


def test_an_api_request_is_bound_to_the_client_s_company(api):
    client = api()
    response = client.get("/api/v1/employees/")
    assert response.status_code == 200
    # The test client answers on this thread: the context is the request's.
    assert log_context.current_request_id.get() == response["X-Request-ID"]
    assert log_context.current_tenant_id.get() != log_context.NONE
    assert log_context.current_actor_id.get().startswith("api_client:")
    client.client.get("/health/live")
    assert log_context.current_actor_id.get() == log_context.NONE


def test_the_worker_s_lines_carry_the_task(db, json_log):
    from django.tasks.signals import task_finished, task_started

    result = send_mfa_reset_notice.enqueue(1, "Demo BV")
    task_started.send(sender=None, task_result=result)
    logging.getLogger("kluis.tests").warning("inside the task")
    task_finished.send(sender=None, task_result=result)
    logging.getLogger("kluis.tests").warning("after the task")
    inside, after = lines(json_log)[-2:]
    assert inside["task_id"] == str(result.id)
    assert inside["task"] == "kluis.identity.mfa_reset.send_mfa_reset_notice"
    assert after["task_id"] == "-" and after["task"] == "-"
