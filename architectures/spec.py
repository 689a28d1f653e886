"""The declaration language for a system: services, routes, events, schedules and data, declared once.

Both runtimes read these declarations: the Pulumi components turn them into AWS resources, and the local runtime turns
them into a gateway, queue pollers and timers. Nothing here imports Pulumi or boto3, so the declarations are cheap to
load anywhere and the rules below are checked before any resource exists.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME = r"^[a-z][a-z0-9-]{0,30}$"
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Spec(BaseModel):
    """Declarations are immutable and reject unknown fields, so a typo is an error rather than a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Group(Spec):
    """A Cognito group. ``iam_role`` gives the group an IAM role through the identity pool's role mapping."""

    name: str = Field(pattern=NAME)
    precedence: int = Field(ge=0)
    description: str = ""
    iam_role: bool = False


class EventType(Spec):
    """An event type on the system's bus (its EventBridge ``detail-type``).

    Its sources are not written here: each service that lists it in ``needs.publishes`` publishes it with the source
    ``<system>.<service>``, so the bus's allowed (source, detail-type) pairs follow from the services.
    """

    detail_type: str = Field(pattern=r"^[A-Z][A-Za-z]+$")
    description: str = ""


class Throttle(Spec):
    """A route's own limit at the gateway, tighter than the stage's (100 requests a second, bursts of 200)."""

    rate: float = Field(gt=0, le=10000)
    """Requests a second, on average."""
    burst: int = Field(ge=1, le=5000)
    """Requests at once."""


PUBLIC_WRITE = Throttle(rate=10, burst=20)
"""A public route that acts (log in, refresh a session): anyone may call it, so one caller must not get the stage's
whole budget, nor Cognito's quota behind it."""
SIGN_UP = Throttle(rate=2, burst=5)
"""Creating accounts from the internet: a handful a second is more than people sign up at, and little for a bot."""


class Route(Spec):
    """An HTTP route. Every route needs a signed-in caller unless it is declared ``public``.

    ``groups`` lists the Cognito groups allowed to call it; empty means any signed-in user. ``throttle`` is the
    route's own limit at the gateway; every public route of the systems that is not a GET declares one
    (:data:`PUBLIC_WRITE`, :data:`SIGN_UP`), so no unauthenticated write has only the stage's limit (the declaration
    tests check it).
    """

    method: HttpMethod
    path: str = Field(pattern=r"^/[a-z0-9/{}_-]*$")
    public: bool = False
    groups: tuple[str, ...] = ()
    throttle: Throttle | None = None

    @property
    def key(self) -> str:
        """The API Gateway route key, e.g. ``POST /moves``."""
        return f"{self.method} {self.path}"

    @model_validator(mode="after")
    def _public_routes_have_no_groups(self) -> Route:
        if self.public and self.groups:
            raise ValueError(f"route {self.key}: a public route cannot also require groups")
        return self


class Subscription(Spec):
    """A consumer of bus events: its own queue, DLQ and function."""

    name: str = Field(pattern=NAME)
    events: tuple[str, ...] = Field(min_length=1)
    handler: str
    batch_size: int = Field(default=10, ge=1, le=10000)
    max_receive_count: int = Field(default=5, ge=1, le=1000)
    timeout_seconds: int = Field(default=30, ge=1, le=900)
    max_concurrency: int | None = Field(default=None, ge=2, le=1000)
    """How many batches of the subscription's queue are handled at once (the SQS event source mapping's
    ``ScalingConfig.MaximumConcurrency``); None: Lambda's default, no cap beyond the function's own."""


class Schedule(Spec):
    """A function run on a schedule (EventBridge Scheduler in the cloud, a timer locally)."""

    name: str = Field(pattern=NAME)
    expression: str = Field(pattern=r"^(rate|cron)\(.+\)$")
    timezone: str = "UTC"
    handler: str
    timeout_seconds: int = Field(default=300, ge=1, le=900)


OUTBOX_RELAY = Schedule(
    name="outbox-relay", expression="rate(1 minute)", handler="handlers.shared.outbox.relay_handler", timeout_seconds=60
)
"""A writer that must publish keeps an outbox in the same transaction; this timer relays what a failed publish left."""

Access = Literal["read", "write"]


class Needs(Spec):
    """What a service's functions may touch. IAM is derived from this and nothing else."""

    database: str | None = None
    """The relational schema the service connects to: its own, or one another service of the system owns."""
    publishes: tuple[str, ...] = ()
    tables: dict[str, Access] = Field(default_factory=dict)
    buckets: dict[str, Access] = Field(default_factory=dict)
    topics: tuple[str, ...] = ()
    user_pool: tuple[str, ...] = ()
    """Cognito admin actions on the system's user pool, e.g. ``("AdminConfirmSignUp",)``."""
    config: tuple[Literal["store"], ...] = ()
    """Sections of the stack config the functions get as JSON, in ``CONFIG_<SECTION>`` (``store``: the retail
    store's defaults). Left out locally, where the handlers' own defaults apply."""


class Service(Spec):
    """One microservice: its code lives in ``handlers/<system>/<name>/``."""

    name: str = Field(pattern=NAME)
    description: str = ""
    runtime: Literal["lambda", "kubernetes"] = "lambda"
    schema_name: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,40}$")
    """The service's own relational schema (database); ``None`` for a service with no SQL data."""
    api_handler: str = "api.handler"
    routes: tuple[Route, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    needs: Needs = Needs()
    memory_mb: int | None = Field(default=None, ge=128, le=10240)
    """The memory of this service's functions; None: the stack's ``lambda.memoryMb``."""
    timeout_seconds: int = Field(default=10, ge=1, le=29)
    """API functions must answer within API Gateway's 29 s integration limit."""
    reserved_concurrency: int | None = Field(default=None, ge=0, le=1000)
    """The most execution environments each of the service's functions may use at once (Lambda's reserved
    concurrency; it also reserves them out of the account's pool, and the preflight's ``lambda-concurrency`` rule
    checks that the account keeps its 100 unreserved). None: no cap (the account's unreserved pool). The local
    runtime uses it as each function's concurrency limit. Not for ``kubernetes`` services."""

    @model_validator(mode="after")
    def _owner_uses_its_schema(self) -> Service:
        if self.schema_name and self.needs.database != self.schema_name:
            raise ValueError(f"service {self.name}: owns schema {self.schema_name!r}, so needs.database must name it")
        return self

    @model_validator(mode="after")
    def _concurrency_fits(self) -> Service:
        """A subscription may not handle more batches at once than its function may run: with reserved concurrency
        below the mapping's maximum concurrency, Lambda throttles the function and messages go back to the queue."""
        if self.reserved_concurrency is not None and self.runtime == "kubernetes":
            raise ValueError(f"service {self.name}: reserved_concurrency is for Lambda functions, not kubernetes")
        for sub in self.subscriptions:
            cap, reserved = sub.max_concurrency, self.reserved_concurrency
            if cap is not None and reserved is not None and cap > reserved:
                raise ValueError(
                    f"service {self.name}: subscription {sub.name} max_concurrency {cap} is above the service's "
                    f"reserved_concurrency {reserved}"
                )
        return self


class LambdaAuthorizer(Spec):
    """Routes are authorized by a function of one of the system's services (a Lambda authorizer)."""

    kind: Literal["lambda"] = "lambda"
    service: str
    handler: str = "app.handler"
    cache_ttl_seconds: int = Field(default=300, ge=0, le=3600)
    """How long API Gateway reuses an answer for the same identity sources (0: it asks every time)."""
    identity_sources: tuple[str, ...] = Field(
        default=("$request.header.Authorization", "$context.routeKey"), min_length=1
    )
    """What a request must carry (else 401, without calling the function), and the cache key. With the route in it,
    an answer that depends on the route's groups is never reused for another route."""


class JwtAuthorizer(Spec):
    """Routes are authorized by API Gateway itself, validating the Cognito JWT against the pool's JWKS."""

    kind: Literal["jwt"] = "jwt"


class Table(Spec):
    """A DynamoDB table (on-demand, point-in-time recovery, optional TTL attribute)."""

    name: str = Field(pattern=NAME)
    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str | None = None


class Bucket(Spec):
    """A private S3 bucket. ``backups`` buckets move old objects to Glacier."""

    name: str = Field(pattern=NAME)
    purpose: Literal["data", "reports", "backups"] = "data"


class Topic(Spec):
    """An SNS topic (KMS-encrypted)."""

    name: str = Field(pattern=NAME)
    description: str = ""
    email_recipients: Literal["store.reportRecipients"] | None = None
    """The stack config key whose email addresses are subscribed to the topic."""


class System(Spec):
    """A whole system: who signs in, what runs, what talks to what, and what data it keeps."""

    name: str = Field(pattern=NAME)
    title: str
    groups: tuple[Group, ...]
    self_sign_up: bool = False
    """Whether anyone may create an account through Cognito's public sign-up (customers). Off, only an admin adds
    users (``python -m tools.staff``): a staff-only pool."""
    sessions_table: str | None = None
    """A table (declared in ``tables``) where a sign-out is recorded, so that every signed-in route of every service
    refuses the user's older tokens (``handlers/shared/sessions.py``); every such service must read it."""
    authorizer: LambdaAuthorizer | JwtAuthorizer = Field(discriminator="kind")
    bus: str | None = Field(default=None, pattern=NAME)
    events: tuple[EventType, ...] = ()
    services: tuple[Service, ...]
    database_engine: Literal["mysql", "mariadb"] = "mysql"
    tables: tuple[Table, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    topics: tuple[Topic, ...] = ()
    site_dir: str | None = None
    """A static web app (relative to the repository root) served by CloudFront."""

    # --- lookups -----------------------------------------------------------------------------------------------
    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(f"system {self.name} has no service {name!r}")

    def event(self, detail_type: str) -> EventType:
        for event in self.events:
            if event.detail_type == detail_type:
                return event
        raise KeyError(f"system {self.name} declares no event {detail_type!r}")

    @property
    def routes(self) -> list[tuple[Service, Route]]:
        return [(s, r) for s in self.services for r in s.routes]

    def route_groups(self) -> dict[str, tuple[str, ...]]:
        """Each non-public route's groups by route key (empty: any signed-in user). The one form of the group rules:
        a Lambda authorizer applies it at the gateway and every service's router applies it again."""
        return {r.key: r.groups for _, r in self.routes if not r.public}

    @property
    def uses_database(self) -> bool:
        return any(s.needs.database for s in self.services)

    def source(self, service: Service) -> str:
        """The EventBridge source a service publishes with."""
        return f"{self.name}.{service.name}"

    def publishers(self, detail_type: str) -> list[Service]:
        return [s for s in self.services if detail_type in s.needs.publishes]

    def subscribers(self, detail_type: str) -> list[tuple[Service, Subscription]]:
        return [(s, sub) for s in self.services for sub in s.subscriptions if detail_type in sub.events]

    def schema_owner(self, schema: str) -> Service:
        return next(s for s in self.services if s.schema_name == schema)

    # --- the rules every system obeys -------------------------------------------------------------------------
    @model_validator(mode="after")
    def _check(self) -> System:
        problems = [*self._unique_names(), *self._references(), *self._sessions()]
        if problems:
            raise ValueError(f"system {self.name}: " + "; ".join(problems))
        return self

    def _sessions(self) -> list[str]:
        """The sessions table is declared, and every service with signed-in routes may read it."""
        if self.sessions_table is None:
            return []
        if self.sessions_table not in {t.name for t in self.tables}:
            return [f"sessions_table {self.sessions_table!r} is not a declared table"]
        return [
            f"service {s.name}: has signed-in routes but does not need the sessions table {self.sessions_table!r}"
            for s in self.services
            if any(not r.public for r in s.routes) and self.sessions_table not in s.needs.tables
        ]

    def _unique_names(self) -> list[str]:
        problems: list[str] = []
        for label, names in (
            ("group", [g.name for g in self.groups]),
            ("group precedence", [str(g.precedence) for g in self.groups]),
            ("service", [s.name for s in self.services]),
            ("schema", [s.schema_name for s in self.services if s.schema_name]),
            ("route", [r.key for _, r in self.routes]),
            ("event", [e.detail_type for e in self.events]),
            ("subscription", [f"{s.name}/{sub.name}" for s in self.services for sub in s.subscriptions]),
            ("table", [t.name for t in self.tables]),
            ("bucket", [b.name for b in self.buckets]),
            ("topic", [t.name for t in self.topics]),
        ):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                problems.append(f"duplicate {label} {', '.join(dupes)}")
        return problems

    def _references(self) -> list[str]:
        problems: list[str] = []
        groups = {g.name for g in self.groups}
        events = {e.detail_type for e in self.events}
        if self.events and not self.bus:
            problems.append("events are declared but no bus")
        if isinstance(self.authorizer, LambdaAuthorizer) and self.authorizer.service not in {
            s.name for s in self.services
        }:
            problems.append(f"authorizer service {self.authorizer.service!r} is not declared")
        for service in self.services:
            where = f"service {service.name}"
            for route in service.routes:
                problems += [
                    f"{where}: route {route.key} names unknown group {g!r}" for g in route.groups if g not in groups
                ]
            consumed = [e for sub in service.subscriptions for e in sub.events]
            problems += [f"{where}: subscribes to undeclared event {e!r}" for e in consumed if e not in events]
            problems += [
                f"{where}: publishes undeclared event {e!r}" for e in service.needs.publishes if e not in events
            ]
            for kind, declared, used in (
                ("table", {t.name for t in self.tables}, service.needs.tables),
                ("bucket", {b.name for b in self.buckets}, service.needs.buckets),
                ("topic", {t.name for t in self.topics}, service.needs.topics),
            ):
                problems += [f"{where}: needs undeclared {kind} {n!r}" for n in used if n not in declared]
            schemas = {s.schema_name for s in self.services if s.schema_name}
            if service.needs.database and service.needs.database not in schemas:
                problems.append(f"{where}: needs schema {service.needs.database!r}, which no service owns")
            if service.runtime == "kubernetes" and (service.subscriptions or service.schedules):
                problems.append(f"{where}: kubernetes services cannot declare subscriptions or schedules")
        return problems


def service_package(system: System, service: Service) -> str:
    """The one place a service's code is located: ``handlers.moving.moves`` (a ``-`` in a name becomes ``_``). Its
    folder is the same path with ``/`` (:func:`service_folder`)."""
    return f"handlers.{system.name}.{service.name.replace('-', '_')}"


def service_folder(system: System, service: Service) -> str:
    """The service's folder relative to the repository root, e.g. ``handlers/moving/moves``."""
    return service_package(system, service).replace(".", "/")


def handler_module(system: System, service: Service, handler: str) -> str:
    """The importable path of a handler: ``api.handler`` in the service's package becomes
    ``handlers.moving.moves.api.handler``; a path already starting with ``handlers.`` (shared code) is kept."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+", handler):
        raise ValueError(f"handler {handler!r}: expected 'module.function'")
    if handler.startswith("handlers."):
        return handler
    return f"{service_package(system, service)}.{handler}"


def service_handlers(system: System, service: Service) -> list[str]:
    """Every handler path of a service's functions: its API, subscriptions and schedules, and the system's Lambda
    authorizer when this service hosts it (what its code archive must be able to import on its own)."""
    paths = [handler_module(system, service, service.api_handler)] if service.routes else []
    paths += [handler_module(system, service, s.handler) for s in service.subscriptions]
    paths += [handler_module(system, service, s.handler) for s in service.schedules]
    authorizer = system.authorizer
    if isinstance(authorizer, LambdaAuthorizer) and authorizer.service == service.name:
        paths.append(handler_module(system, service, authorizer.handler))
    return paths
