"""Employee photos: served only through a permission check, changed through the photo
service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.people import selectors
from kluis.people.services import photos
from kluis.people.views._common import _actor


@member_required("people.view")
def employee_photo(request: HttpRequest, pk: int) -> FileResponse:
    employee = selectors.employee_for(_actor(request), pk)
    if not employee.photo:
        raise Http404("No photo")
    response = FileResponse(employee.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = "inline"
    return response


@require_POST
@member_required("people.view")
def employee_photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    upload = request.FILES.get("photo")
    remove = request.POST.get("remove") == "1"
    back = request.POST.get("next", "")
    if remove and upload is None:
        if not photos.may_change_photo(actor, employee):
            raise PermissionDenied
        page = confirm_first(
            request,
            title=_("Remove the photo of %(name)s?") % {"name": employee.display_name},
            message=_("Their initials are shown instead until a new photo is uploaded."),
            button=_("Remove photo"),
            cancel=reverse("people:my_profile")
            if back == "me"
            else reverse("people:detail", args=[employee.pk]),
        )
        if page is not None:
            return page
    if upload is None and not remove:
        messages.error(request, _("Choose a photo to upload."))
    else:
        try:
            photos.set_photo(actor, employee, None if remove else upload)
        except PermissionDenied:
            raise
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The photo was saved.") if not remove else _("The photo was removed.")
            )
    if back == "me":
        return redirect("people:my_profile")
    return redirect("people:detail", pk=employee.pk)
