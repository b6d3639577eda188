"""The People forms, by screen family: hr (employee, contract and wage forms),
self_service (My profile, bank account, emergency contacts) and settings."""
