"""Code shared by every service's handlers: the mechanics each service uses once, from here.

- ``routing``, ``api``, ``http_event``, ``asgi``: routes bound to the declaration, the caller, request parsing and
  error mapping, the one builder of API Gateway payload 2.0 events, and the ASGI pieces of the Users container;
- ``usecases``, ``idempotency``, ``status``, ``paging``, ``views``: the use-case base (one transaction with its
  outbox, claims and Idempotency-Key record), status machines, the cursor codec and page shape, and view types;
- ``events``, ``outbox``, ``consumer``, ``inbox``: the event model, publishing through an outbox and its relay
  schedule, and consumers that handle each event once;
- ``db``, ``migrate``, ``migrate_handler``: portable SQL on SQLite and MySQL/MariaDB with the service's own
  database, versioned migrations, and the deploy-time migration function;
- ``entry``: the Powertools Logger and Tracer around every function; ``settings``: the environment as a validated
  model; ``aws``: lazy boto3 clients and secrets; ``clock``, ``money``: stored timestamps and two-place amounts.
"""
