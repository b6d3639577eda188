"""Employee photos: validated with Pillow and re-encoded, so what is stored is a clean JPEG
without EXIF (no camera GPS position) and no smuggled payload, sealed under the company's
data key before it is written (kluis/crypto/stored_files.py), on local disk or S3."""

from __future__ import annotations

import io
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.crypto.stored_files import CompanyFile
from kluis.integrations.events import emit
from kluis.people.models import Employee
from kluis.people.services._kit import same_company
from kluis.people.services.employees import editable_fields
from kluis.tenancy import rls

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
SIDE = 512
ACCEPTED = {"JPEG", "PNG", "WEBP"}


def _clean_image(upload: UploadedFile) -> bytes:
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError({"photo": [_("A photo can be at most 5 MB.")]})
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED:
                raise ValidationError({"photo": [_("Upload a JPEG, PNG or WebP image.")]})
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError({"photo": [_("This image is too large.")]})
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGB")
            image.thumbnail((SIDE, SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError({"photo": [_("Upload a JPEG, PNG or WebP image.")]}) from None
    return out.getvalue()


def may_change_photo(actor: Actor, employee: Employee) -> bool:
    allowed = editable_fields(actor, employee)
    return "photo" in allowed or "first_name" in allowed  # HR edits everything


def set_photo(actor: Actor, employee: Employee, upload: UploadedFile | None) -> Employee:
    """Replace (or with None, remove) the employee's photo."""
    same_company(actor, employee.tenant)
    if not may_change_photo(actor, employee):
        raise PermissionDenied(_("You do not have permission to do this."))
    content = _clean_image(upload) if upload is not None else None
    with transaction.atomic():
        current = (
            Employee.objects.for_tenant(employee.tenant_id).select_for_update().get(pk=employee.pk)
        )
        old = current.photo.name if current.photo else ""
        if content is not None:
            name = f"{current.tenant_id}/{secrets.token_hex(16)}.jpg"
            # Sealed under the company's data key before the storage writes it.
            current.photo.save(name, CompanyFile(content, current.tenant_id), save=False)
        else:
            current.photo = None
        current.version = F("version") + 1
        current.updated_by = actor.label[:254]
        current.save()
        current.refresh_from_db()
        action = "employee.photo_changed" if content is not None else "employee.photo_removed"
        record(actor, action, tenant=current.tenant, target=current)
        emit(
            "employee.updated", tenant=current.tenant, target=current, payload={"fields": ["photo"]}
        )
        if old:
            storage = current.photo.storage
            # A failed delete (storage unreachable) leaves an orphaned sealed object, never
            # fails the change that is already committed.
            transaction.on_commit(lambda: storage.delete(old), robust=True)
    return current


def photo_owners(names: list[str]) -> dict[str, int]:
    """The company of each of `names` that is an employee's photo (platform-level work:
    `seal_stored_files` seals photos stored before sealing for their company)."""
    with rls.unnarrowed():
        rows = Employee.objects.all().filter(photo__in=names).values_list("photo", "tenant_id")
        return {str(name): int(tenant_id) for name, tenant_id in rows}
