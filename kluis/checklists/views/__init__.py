"""The checklists' pages: a member's tasks and one checklist (tasks.py), HR's templates
(settings.py) and the panel on an employee's profile (profile.py)."""
