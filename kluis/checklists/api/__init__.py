"""The checklists' API resources, registered with kluis.api (kluis/api/registry.py):
templates, checklists (start, cancel) and their tasks (complete, reopen). Scopes:
checklists:read, checklists:write."""

from kluis.api.declared import declare
from kluis.api.exceptions import answer_as_stale
from kluis.checklists.api.checklists import CHECKLISTS
from kluis.checklists.api.tasks import TASKS
from kluis.checklists.api.templates import TEMPLATES
from kluis.checklists.services import StaleChecklistError

answer_as_stale(StaleChecklistError)

declare(TEMPLATES)
declare(CHECKLISTS)
declare(TASKS)
