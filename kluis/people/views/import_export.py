"""CSV import (upload, preview, confirm) and CSV/XLSX export of the HR list. Thin: the
work is in kluis.people.imports, import_uploads and exports."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.identity.stepup import require_recent_factor
from kluis.people import export_requests, exports, import_uploads, imports
from kluis.people.filters import EmployeeFilter
from kluis.people.models import CustomFieldDefinition

PREVIEW_LIMIT = 1000  # rows listed on the preview page; every error is counted


# --- export ---------------------------------------------------------------------------


def _applied(employee_filter: EmployeeFilter) -> dict[str, str]:
    """The filter as given (valid filters only), for the export's audit event."""
    if not employee_filter.is_bound or not employee_filter.is_valid():
        return {}
    out: dict[str, str] = {}
    for name, value in employee_filter.form.cleaned_data.items():
        if value in (None, ""):
            continue
        if isinstance(value, Model):
            out[name] = str(value.pk)
        elif isinstance(value, dt.date):
            out[name] = value.isoformat()
        else:
            out[name] = str(value)
    return out


def _export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    tenant = request.tenant  # type: ignore[attr-defined]
    data = request.GET.copy()
    data.pop("page", None)
    data.pop("per_page", None)
    employee_filter = EmployeeFilter(data or None, actor=actor)
    if employee_filter.is_bound and not employee_filter.is_valid():
        return render(
            request,
            "people/io/export_invalid.html",
            {"errors": employee_filter.errors},
            status=400,
        )
    columns = exports.columns_for(actor)
    if export_requests.is_held(actor, columns):
        # The two-person rule: ask first, then store the request (HeldForApproval: the
        # web shell shows the waiting request).
        if page := confirm_first(
            request,
            title=_("Ask a second person to approve this export?"),
            message=_(
                "This export holds sensitive data (identity, bank account or wage). Your "
                "company wants a second person to approve it; once approved you can "
                "download it once, within a day."
            ),
            button=_("Ask for approval"),
            cancel=reverse("people:list"),
        ):
            return page
        export_requests.hold_export(actor, tenant, fmt=fmt, query=data.urlencode(), columns=columns)
    return _stream(actor, tenant, fmt, employee_filter, columns)


def _stream(
    actor: Actor,
    tenant: Any,
    fmt: str,
    employee_filter: EmployeeFilter,
    columns: list[exports.Column],
) -> HttpResponseBase:
    queryset = employee_filter.qs
    exports.record_people_export(
        actor,
        tenant,
        export_format=fmt,
        filters=_applied(employee_filter),
        columns=columns,
        rows=queryset.count(),
    )
    if fmt == "xlsx":
        return exports.xlsx_response(tenant, queryset, columns)
    return exports.csv_response(tenant, queryset, columns)


@require_http_methods(["GET", "POST"])
@member_required("people.view")
@require_recent_factor
def export_csv(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "csv")


@require_http_methods(["GET", "POST"])
@member_required("people.view")
@require_recent_factor
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "xlsx")


@never_cache
@require_http_methods(["GET", "POST"])
@member_required("people.view")
@require_recent_factor
def export_approved(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The requester's one download of an approved export (the two-person rule). Anyone
    else of the company is sent to the request's page."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    held = export_requests.released(actor, pk)
    if actor.user_id != held.requested_by_user_id:
        messages.info(request, export_requests.unavailable(actor, held))
        return HttpResponseRedirect(f"/approvals/{held.pk}/")
    reason = export_requests.unavailable(actor, held)
    if request.method != "POST" or reason:
        return render(
            request,
            "people/io/export_approved.html",
            {"held": held, "reason": reason},
            status=410 if reason and request.method == "POST" else 200,
        )
    stamped, payload = export_requests.claim(actor, held)
    data = QueryDict(payload.get("query") or "")
    employee_filter = EmployeeFilter(data or None, actor=stamped)
    if employee_filter.is_bound and not employee_filter.is_valid():
        return render(
            request, "people/io/export_invalid.html", {"errors": employee_filter.errors}, status=400
        )
    approved = set(payload.get("columns") or [])
    columns = [c for c in exports.columns_for(stamped) if c.name in approved]
    fmt = export_requests.check_format(str(payload.get("format")))
    return _stream(stamped, request.tenant, fmt, employee_filter, columns)  # type: ignore[attr-defined]


# --- import ---------------------------------------------------------------------------


class CappedMemoryUpload(FileUploadHandler):
    """Keeps an upload in memory, never in a plaintext temporary file on disk, and stops
    reading it at the size limit (the rest of the request is read and thrown away)."""

    def __init__(self, request: HttpRequest | None = None, limit: int = imports.MAX_BYTES):
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self.buffer = io.BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)  # member_required: always signed in here


def _may_import(actor: Actor) -> None:
    """Importing hires people for the whole company: `people.edit` with company scope."""
    if not can_for(actor, "people.edit"):
        raise PermissionDenied


def _importable(actor: Actor) -> list[exports.Column]:
    """The export's columns that the import reads, in the export's order."""
    known = set(imports.known_columns(actor.tenant))  # type: ignore[arg-type]
    custom = CustomFieldDefinition.objects.for_actor(actor).filter(is_active=True)
    return [c for c in exports.all_columns(custom) if c.name in known]


def _form(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "people/io/import.html",
        {
            "error": error,
            "columns": _importable(request.actor),  # type: ignore[attr-defined]
            "required": imports.REQUIRED_COLUMNS,
            "max_mb": imports.MAX_BYTES // (1024 * 1024),
            "max_rows": imports.MAX_ROWS,
        },
        status=status,
    )


def _preview(
    request: HttpRequest, result: imports.ImportResult, *, token: str, name: str, status: int
) -> HttpResponse:
    failed = result.failed
    return render(
        request,
        "people/io/import_preview.html",
        {
            "result": result,
            "rows": result.rows[:PREVIEW_LIMIT],
            "more": max(0, len(result.rows) - PREVIEW_LIMIT),
            "failed": failed,
            "error_lines": [line for r in failed[:PREVIEW_LIMIT] for line in r.error_lines()],
            "more_failed": max(0, len(failed) - PREVIEW_LIMIT),
            "token": token,
            "name": name,
        },
        status=status,
    )


def _upload(request: HttpRequest, handler: CappedMemoryUpload) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    tenant = request.tenant  # type: ignore[attr-defined]
    upload = request.FILES.get("file")
    if handler.too_large:
        return _form(
            request,
            _("The file is larger than %(mb)d MB; split it into smaller files.")
            % {"mb": imports.MAX_BYTES // (1024 * 1024)},
            status=400,
        )
    if upload is None:
        return _form(request, _("Choose a CSV file to upload."), status=400)
    name = upload.name or "upload.csv"
    if not name.lower().endswith((".csv", ".txt")):
        return _form(
            request,
            _("This is not a CSV file. Save the spreadsheet as “CSV UTF-8” and upload that."),
            status=400,
        )
    try:
        text = imports.decode(upload.read())
        parsed = imports.parse(text, tenant)
    except imports.ImportFileError as exc:
        return _form(request, str(exc), status=400)
    result = imports.run_import(actor, tenant, parsed, commit=False)
    token = ""
    if result.ok:
        token = import_uploads.stash_upload(
            request.session,
            tenant_id=tenant.pk,
            user_id=_user_id(request),
            text=text,
            name=name,
            rows=len(parsed.rows),
        )
    else:
        import_uploads.discard_upload(request.session)
    return _preview(request, result, token=token, name=name, status=200)


def _confirm(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    tenant = request.tenant  # type: ignore[attr-defined]
    loaded = import_uploads.load_upload(
        request.session,
        tenant_id=tenant.pk,
        user_id=_user_id(request),
        token=request.POST.get("token", ""),
    )
    if loaded is None:
        raise Http404("No such import")
    text, name = loaded
    import_uploads.discard_upload(request.session)
    try:
        parsed = imports.parse(text, tenant)
    except imports.ImportFileError as exc:  # e.g. a custom field removed meanwhile
        return _form(request, str(exc), status=409)
    result = imports.run_import(actor, tenant, parsed, commit=True, source=name)
    if not result.committed:
        return _preview(request, result, token="", name=name, status=409)
    messages.success(
        request,
        _("Imported %(n)d employees from %(name)s.") % {"n": len(result.rows), "name": name},
    )
    return HttpResponseRedirect(_after_import())


def _after_import() -> str:
    try:
        return reverse("people:list")
    except NoReverseMatch:
        return reverse("people:import")


@csrf_protect
@member_required("people.edit")
def _import_view(request: HttpRequest, handler: CappedMemoryUpload) -> HttpResponseBase:
    _may_import(request.actor)  # type: ignore[attr-defined]
    if request.method != "POST":
        return _form(request)
    step = request.POST.get("step", "preview")
    if step == "confirm":
        return _confirm(request)
    if step == "cancel":
        import_uploads.discard_upload(request.session)
        messages.info(request, _("The import was cancelled; nothing was imported."))
        return HttpResponseRedirect(reverse("people:import"))
    return _upload(request, handler)


@csrf_exempt  # checked by csrf_protect above, once the upload handler is in place
@require_http_methods(["GET", "HEAD", "POST"])
def import_people(request: HttpRequest) -> HttpResponseBase:
    handler = CappedMemoryUpload(request)
    request.upload_handlers = [handler]
    return _import_view(request, handler)
