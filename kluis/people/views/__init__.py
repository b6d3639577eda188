"""The People web UI, one module per screen family: employees (list, hiring, editing),
profile (an employee's tabs and history), contracts (contracts and wages), photos,
change_feed, self_service (My profile), team (the manager's team, the org chart),
settings (HR settings pages) and import_export. `_common` holds what the HR screens share."""
