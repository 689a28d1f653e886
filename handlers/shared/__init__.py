"""Code shared by every service's handlers.

- ``settings``: the environment as a validated model; ``aws``: lazy boto3 clients and secrets;
- ``db``, ``database``, ``migrations``: portable SQL on SQLite and MySQL/MariaDB, the service's own database, and
  versioned migrations (plus ``migrate_handler``, the deploy-time migration function);
- ``api``: the HTTP resolver with the caller, group rules and error mapping;
- ``events``, ``outbox``, ``consumer``: publishing through an outbox, the relay schedule, and idempotent consumers;
- ``clock``, ``money``, ``paging``: the stored timestamp formats, amounts as two-place Decimals, page sizes and
  cursors.
"""
