"""Offboarding's API resource, registered with kluis.api: `/api/v1/offboardings/`
(scope offboardings:write)."""

from kluis.api.declared import declare
from kluis.offboarding.api.offboardings import OFFBOARDINGS

declare(OFFBOARDINGS)
