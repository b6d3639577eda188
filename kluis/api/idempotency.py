"""`Idempotency-Key` on POST: the first response is stored with a hash of the request for
24 hours; the same key with the same request replays it (`Idempotent-Replayed: true`),
with another request it is a 422 (as the IETF Idempotency-Key draft has it: the key is
not usable for this payload). The record is written in the same transaction as the
change, so two racing requests with one key cannot both write."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.access.holds import HeldForApproval
from kluis.api.exceptions import HeaderError, UnprocessableContent, held_response
from kluis.api.models import IdempotencyRecord
from kluis.api.renderers import KluisJSONRenderer

WINDOW = dt.timedelta(hours=24)
IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,255}")  # the schema's pattern (rest/schema.py)
REPLAYED_HEADERS = ("Location", "ETag")


def request_hash(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    raw = f"{request.method} {request.path}\n{body}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise UnprocessableContent(
            [
                {
                    "field": "Idempotency-Key",
                    "message": "This key was used for a different request; use a new key"
                    " for a new request.",
                }
            ]
        )
    response = Response(record.body, status=record.status, headers=dict(record.headers))
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a viewset's `create`."""

    @wraps(method)
    def wrapped(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.META.get("HTTP_IDEMPOTENCY_KEY")
        if key is None:
            return method(view, request, *args, **kwargs)
        key = key.strip()
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise HeaderError(
                {"Idempotency-Key": ["Use 1 to 255 visible ASCII characters, no spaces."]}
            )
        client = request.user.client  # type: ignore[union-attr]
        if client is None:
            # An app's member token: retries of an app are not replayed (the stored
            # answers belong to API clients); say so rather than ignore the header.
            raise HeaderError(
                {"Idempotency-Key": ["Idempotency keys are for API clients, not app sessions."]}
            )
        digest = request_hash(request)
        IdempotencyRecord.objects.filter(
            client=client, key=key, created_at__lt=timezone.now() - WINDOW
        ).delete()
        existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
        if existing is not None:
            return _replay(existing, digest)
        try:
            with transaction.atomic():
                try:
                    response = method(view, request, *args, **kwargs)
                except HeldForApproval as held:
                    # Answered inside the transaction, so the held request it names is
                    # kept (and a retry with the key is answered the same 202).
                    response = held_response(held)
                if 200 <= response.status_code < 300:
                    body = json.loads(KluisJSONRenderer().render(response.data))
                    IdempotencyRecord.objects.create(
                        tenant_id=client.tenant_id,
                        client=client,
                        key=key,
                        request_hash=digest,
                        status=response.status_code,
                        body=body,
                        headers={h: response[h] for h in REPLAYED_HEADERS if h in response},
                    )
        except IntegrityError:
            # A concurrent request with the same key won; our change was rolled back.
            return _replay(IdempotencyRecord.objects.get(client=client, key=key), digest)
        except Exception:
            # Refused (e.g. "another department has this name") because a concurrent request
            # with the same key has just made it: that request's answer is ours too.
            winner = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if winner is not None:
                return _replay(winner, digest)
            raise
        return response

    return wrapped
