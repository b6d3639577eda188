"""Leave law as data and pure functions: working hours per day from contracts, the yearly
entitlement per country (Belgium, the Netherlands) and the balance ledger's arithmetic
(tranches, oldest used first, expiry). No database: table-tested (tests/timeoff/law/)."""
