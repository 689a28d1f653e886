"""One microservice: its functions (or its Kubernetes workload), routes, subscriptions, schedules and migrations.

Every function gets its own log group with retention, its own role with least privilege (logs, X-Ray, VPC access when
in a VPC, plus exactly the :class:`~components.iam.Permissions` the service declares) and X-Ray tracing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.dead_letters import dead_letter_alarm, dead_letter_queue
from aws_systems.defaults import Protection
from aws_systems.function import MEMORY_RANGE_MB, TIMEOUT_RANGE_SECONDS, LambdaFunction, lambda_function
from aws_systems.http_api import HttpApiComponent
from aws_systems.iam import (
    Permissions,
    Statement,
    account_of,
    assume_role_policy,
    keys_through,
    policy_document,
    sibling_arn,
    source_condition,
    statement,
)
from aws_systems.schedule_expressions import expression_problems, time_zone_problem
from aws_systems.validation import CLOUDWATCH_RETENTION_DAYS, check_int, check_one_of

if TYPE_CHECKING:
    from aws_systems.event_bus import EventBusComponent
    from aws_systems.kubernetes import KubernetesClusterComponent, KubernetesServiceComponent

ROLE = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
MIGRATE_HANDLER = "handlers.shared.migrate_handler.handler"
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"


@dataclass(kw_only=True)
class RouteArgs:
    """An HTTP route (``"POST /moves"``); it uses the service's authorizer unless ``public``."""

    route_key: str
    public: bool = False

    def __post_init__(self) -> None:
        if not re.fullmatch(r"(GET|POST|PUT|PATCH|DELETE) /[A-Za-z0-9/{}_.-]*", self.route_key):
            raise ValueError(f"route_key: expected 'METHOD /path' (got {self.route_key!r})")


@dataclass(kw_only=True)
class ApiArgs:
    """Where the service's routes go: the API, the routes, their authorizer and the function handler."""

    api: HttpApiComponent
    routes: Sequence[RouteArgs]
    handler: str = "api.handler"
    authorizer: aws.apigatewayv2.Authorizer | None = None
    authorization_type: Literal["JWT", "CUSTOM"] = "JWT"

    def __post_init__(self) -> None:
        if not self.routes:
            raise ValueError("routes: an API needs at least one route")
        keys = [r.route_key for r in self.routes]
        if len(set(keys)) != len(keys):
            raise ValueError(f"routes: duplicate route keys in {keys}")
        if self.authorizer is None and not all(r.public for r in self.routes):
            private = [r.route_key for r in self.routes if not r.public]
            raise ValueError(f"authorizer: routes {private} are not public and need an authorizer")


@dataclass(kw_only=True)
class SubscriptionArgs:
    """A consumer of bus events (queue, DLQ and an event source mapping are created by the bus)."""

    name: str
    handler: str
    detail_types: Sequence[str]
    batch_size: int = defaults.EVENT_SOURCE_BATCH_SIZE
    max_receive_count: int = defaults.SQS_MAX_RECEIVE_COUNT
    timeout_seconds: int = 30
    max_concurrency: int | None = None
    """Batches of the queue handled at once, 2..1000 (the mapping's maximum concurrency); None: Lambda's default."""


@dataclass(kw_only=True)
class ScheduleArgs:
    """A function on an EventBridge Scheduler schedule, with retries and a DLQ."""

    name: str
    handler: str
    expression: str
    timezone: str = "UTC"
    timeout_seconds: int = 300

    def __post_init__(self) -> None:
        problems = expression_problems(self.expression) + [p for p in [time_zone_problem(self.timezone)] if p]
        if problems:
            raise ValueError(f"expression: {'; '.join(problems)}")
        check_int("timeout_seconds", self.timeout_seconds, *TIMEOUT_RANGE_SECONDS)


@dataclass(kw_only=True)
class SchemaArgs:
    """The relational schema this service owns; its migrations are applied on every deploy that changes them."""

    schema: str
    master_secret_arn: pulumi.Input[str]
    service_secret_arn: pulumi.Input[str]
    host: pulumi.Input[str]
    port: pulumi.Input[int] = 3306
    migrations_dir: str = "migrations"
    migrations_hash: str = ""
    """A hash of the migration files: the migrations run again when it changes."""
    master_secret_key_arn: pulumi.Input[str] | None = None
    """The customer-managed key of the master secret, if it has one (the migration decrypts through Secrets
    Manager)."""
    wait_for: Sequence[pulumi.Resource] = ()
    """What must exist before the migrations can connect (the database, or a proxy's registered target)."""


@dataclass(kw_only=True)
class VpcArgs:
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    security_group_ids: Sequence[pulumi.Input[str]]


@dataclass(kw_only=True)
class KubernetesArgs:
    """How a ``kubernetes`` service runs: its cluster, image build context and port.

    When ``image_uri`` is given (an image CI already pushed) nothing is built and ``build_context`` is ignored.
    """

    cluster: KubernetesClusterComponent
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    build_context: str | None = None
    dockerfile: str = "Dockerfile"
    named_contexts: Mapping[str, str | Path] = field(default_factory=dict)
    """More build contexts the Dockerfile copies from with ``COPY --from=<name>``."""
    image_uri: pulumi.Input[str] | None = None
    port: int = 8080


@dataclass(kw_only=True)
class ServiceArgs:
    """Arguments of :class:`ServiceComponent`; everything but ``code`` is optional.

    - ``code``: the service's code archive; ``code_hash`` its base64 SHA-256 (so unchanged code gives no diff).
    - ``runtime``: ``lambda`` (default) or ``kubernetes`` (then ``kubernetes`` is required).
    - ``api``, ``subscriptions`` (need ``bus``), ``schedules``: how the service is invoked.
    - ``bus`` + ``publishes``: the bus it consumes from and, when ``publishes``, may put events on.
    - ``permissions``: the resources it may touch; ``schema``: the relational schema it owns.
    - ``environment``: settings for every function (never secrets: pass a secret's ARN).
    - ``vpc``: private subnets + security groups (needed to reach the database).
    - ``layers``, ``lambda_runtime`` (python3.12), ``architecture`` (arm64), ``memory_mb`` (512),
      ``timeout_seconds`` (10), ``log_retention_days`` (14, or 365 when hardened; shorter warns),
      ``reserved_concurrency`` (none; set it where it protects a downstream; it also takes that many from the
      account's unreserved pool, of which Lambda keeps 100; 0 switches the functions off). A subscription's
      ``max_concurrency`` may not exceed it.
    """

    code: pulumi.Archive
    code_hash: str | None = None
    protection: Protection = "standard"
    runtime: Literal["lambda", "kubernetes"] = "lambda"
    api: ApiArgs | None = None
    subscriptions: Sequence[SubscriptionArgs] = ()
    schedules: Sequence[ScheduleArgs] = ()
    bus: EventBusComponent | None = None
    publishes: bool = False
    event_sources: Sequence[str] = ()
    """The EventBridge sources the service may publish with (default: any source declared on the bus)."""
    permissions: Permissions = field(default_factory=Permissions)
    schema: SchemaArgs | None = None
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    vpc: VpcArgs | None = None
    kubernetes: KubernetesArgs | None = None
    functions: Mapping[str, str] = field(default_factory=dict)
    """Other functions by role → handler, invoked by something else than the above (e.g. a Lambda authorizer)."""
    layers: Sequence[pulumi.Input[str]] = ()
    lambda_runtime: str = defaults.LAMBDA_RUNTIME
    architecture: str = defaults.LAMBDA_ARCHITECTURE
    memory_mb: int = defaults.LAMBDA_MEMORY_MB
    timeout_seconds: int = defaults.LAMBDA_TIMEOUT_SECONDS
    log_retention_days: int | None = None
    reserved_concurrency: int | None = None
    alarm_topic_arn: pulumi.Input[str] | None = None
    transforms: Transforms | None = None

    def __post_init__(self) -> None:
        defaults.check_protection(self.protection)
        check_one_of("runtime", self.runtime, ("lambda", "kubernetes"))
        check_one_of("lambda_runtime", self.lambda_runtime, defaults.SUPPORTED_LAMBDA_RUNTIMES)
        check_one_of("architecture", self.architecture, ("arm64", "x86_64"))
        check_int("memory_mb", self.memory_mb, *MEMORY_RANGE_MB)
        check_int("timeout_seconds", self.timeout_seconds, *TIMEOUT_RANGE_SECONDS)
        if self.runtime == "kubernetes":
            if self.kubernetes is None:
                raise ValueError("kubernetes: required when runtime is 'kubernetes'")
            if self.subscriptions or self.schedules:
                raise ValueError("subscriptions: a kubernetes service cannot consume events or run schedules")
        elif self.kubernetes is not None:
            raise ValueError("kubernetes: only allowed when runtime is 'kubernetes'")
        if (self.subscriptions or self.publishes) and self.bus is None:
            raise ValueError("bus: required when the service subscribes to or publishes events")
        names = [s.name for s in self.subscriptions] + [s.name for s in self.schedules] + list(self.functions)
        bad = [n for n in names if not ROLE.fullmatch(n)]
        if bad:
            raise ValueError(
                f"subscriptions/schedules/functions: names must be lowercase words with dashes (got {bad})"
            )
        if len(set(names)) != len(names):
            raise ValueError(f"subscriptions/schedules/functions: names must be unique (got {names})")
        if self.log_retention_days is not None:
            check_one_of("log_retention_days", self.log_retention_days, CLOUDWATCH_RETENTION_DAYS)
        if self.reserved_concurrency is not None:
            check_int("reserved_concurrency", self.reserved_concurrency, 0)
            over = [s.name for s in self.subscriptions if (s.max_concurrency or 0) > self.reserved_concurrency]
            if over:
                raise ValueError(
                    f"subscriptions: max_concurrency of {over} is above reserved_concurrency "
                    f"{self.reserved_concurrency}: Lambda would throttle the function and return messages to the queue"
                )


ServiceFunction = LambdaFunction
"""A function of the service with the children built for it (``function``, ``role``, ``log_group``)."""


class ServiceComponent(Component):
    """A microservice. ``functions`` maps a role (``api``, ``sub-<name>``, ``sched-<name>``, ``migrate``) to its
    :class:`ServiceFunction`; ``workload`` is the Kubernetes service for the ``kubernetes`` runtime."""

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:service:ServiceComponent", name, args.transforms, opts)
        self._args = args
        self.functions: dict[str, ServiceFunction] = {}
        self.routes: dict[str, aws.apigatewayv2.Route] = {}
        self.workload: KubernetesServiceComponent | None = None
        self._retention = defaults.secure_at_least(
            f"ServiceComponent {name}",
            "log_retention_days",
            defaults.log_retention_days(args.protection),
            args.log_retention_days,
        )

        if args.schema is not None:
            self._create_migrations(args.schema)
        if args.runtime == "kubernetes":
            self._create_workload()
        elif args.api is not None:
            self._create_function("api", args.api.handler, args.timeout_seconds)
        if args.api is not None:
            self._create_routes(args.api)
        for sub in args.subscriptions:
            self._create_subscription(sub)
        for schedule in args.schedules:
            self._create_schedule(schedule)
        for role, handler in args.functions.items():
            self._create_function(role, handler, args.timeout_seconds)

        self._check_transforms_used()
        self.register_outputs({"functions": {role: f.function.name for role, f in self.functions.items()}})

    # --- functions --------------------------------------------------------------------------------------------
    def _create_function(
        self,
        role: str,
        handler: str,
        timeout: int,
        extra_statements: Sequence[Statement] = (),
        environment: Mapping[str, pulumi.Input[str]] | None = None,
        service_permissions: bool = True,
    ) -> ServiceFunction:
        """A function with its log group and its own role; ``service_permissions`` adds what the service needs."""
        args = self._args
        vpc = args.vpc
        placement = (
            aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=vpc.subnet_ids, security_group_ids=list(vpc.security_group_ids)
            )
            if vpc
            else None
        )
        built = lambda_function(
            self,
            role,
            log_retention_days=self._retention,
            statements=[*(args.permissions.statements() if service_permissions else []), *extra_statements],
            vpc=placement,
            runtime=args.lambda_runtime,
            architectures=[args.architecture],
            handler=handler,
            code=args.code,
            source_code_hash=args.code_hash,
            layers=list(args.layers) or None,
            memory_size=args.memory_mb,
            timeout=timeout,
            # The cap protects what the service calls; the deploy-time migration must never be throttled by it.
            reserved_concurrent_executions=args.reserved_concurrency if service_permissions else None,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={**args.environment, **(environment or {})}),
        )
        if service_permissions:
            self._grant_publish(role, built.role.name)
        self.functions[role] = built
        return built

    def _create_migrations(self, schema: SchemaArgs) -> None:
        """A migration function, invoked on deploy whenever the migrations or the code change."""
        secrets = statement(
            ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            [schema.master_secret_arn, schema.service_secret_arn],
            "ReadDatabaseSecrets",
        )
        write = statement(["secretsmanager:PutSecretValue"], [schema.service_secret_arn], "WriteServiceSecret")
        key = schema.master_secret_key_arn
        decrypt = [keys_through(["kms:Decrypt"], [key], ["secretsmanager"], "MasterSecretKey")] if key else []
        migrate = self._create_function(
            "migrate",
            MIGRATE_HANDLER,
            300,
            extra_statements=[secrets, write, *decrypt],
            service_permissions=False,
            environment={
                "MASTER_SECRET_ARN": schema.master_secret_arn,
                "SERVICE_SECRET_ARN": schema.service_secret_arn,
                "DB_HOST": schema.host,
                "DB_PORT": pulumi.Output.from_input(schema.port).apply(str),
                "DB_SCHEMA": schema.schema,
                "MIGRATIONS_DIR": schema.migrations_dir,
            },
        )
        self._child(
            aws.lambda_.Invocation,
            "migrate-run",
            function_name=migrate.function.name,
            input=json.dumps({"schema": schema.schema}),
            triggers={"migrations": schema.migrations_hash, "code": self._args.code_hash or ""},
            depends_on=list(schema.wait_for),
        )

    def _create_workload(self) -> None:
        from aws_systems.kubernetes import KubernetesServiceArgs, KubernetesServiceComponent

        k8s = self._args.kubernetes
        assert k8s is not None
        self.workload = KubernetesServiceComponent(
            self._child_name("workload"),
            KubernetesServiceArgs(
                cluster=k8s.cluster,
                protection=self._args.protection,
                build_context=None if k8s.image_uri is not None else k8s.build_context,
                dockerfile=k8s.dockerfile,
                named_contexts=k8s.named_contexts,
                image_uri=k8s.image_uri,
                port=k8s.port,
                environment=dict(self._args.environment),
                policy_statements=self._args.permissions.statements(),
                vpc_id=k8s.vpc_id,
                subnet_ids=k8s.subnet_ids,
            ),
            opts=self._opts(),
        )
        self._grant_publish("workload", self.workload.role.name)

    def _grant_publish(self, role: str, role_name: pulumi.Input[str]) -> None:
        """Let a publishing service's role put events on the bus, with its declared sources only."""
        args = self._args
        if args.publishes and args.bus is not None:
            args.bus.grant_publish(
                self._child_name(f"{role}-publish"), role_name, opts=self._opts(), sources=args.event_sources or None
            )

    # --- how the service is invoked -------------------------------------------------------------------------
    def _create_routes(self, api: ApiArgs) -> None:
        if self.workload is not None:
            integration = self._child(
                aws.apigatewayv2.Integration,
                "integration",
                api_id=api.api.api_id,
                integration_type="HTTP_PROXY",
                integration_method="ANY",
                integration_uri=self.workload.listener_arn,
                connection_type="VPC_LINK",
                connection_id=self.workload.vpc_link_id,
                payload_format_version="1.0",
            )
        else:
            function = self.functions["api"].function
            integration = self._child(
                aws.apigatewayv2.Integration,
                "integration",
                api_id=api.api.api_id,
                integration_type="AWS_PROXY",
                integration_uri=function.invoke_arn,
                payload_format_version="2.0",
            )
        for route in api.routes:
            slug = route_slug(route.route_key)
            secured = not route.public
            self.routes[route.route_key] = self._child(
                aws.apigatewayv2.Route,
                f"route-{slug}",
                api_id=api.api.api_id,
                route_key=route.route_key,
                target=pulumi.Output.concat("integrations/", integration.id),
                authorization_type=api.authorization_type if secured else "NONE",
                authorizer_id=api.authorizer.id if secured and api.authorizer else None,
            )
            if self.workload is None:
                self._child(
                    aws.lambda_.Permission,
                    f"route-{slug}-invoke",
                    action="lambda:InvokeFunction",
                    function=self.functions["api"].function.name,
                    principal="apigateway.amazonaws.com",
                    source_arn=api.api.route_source_arn(route.route_key),
                )

    def _create_subscription(self, sub: SubscriptionArgs) -> None:
        bus = self._args.bus
        assert bus is not None
        role = f"sub-{sub.name}"
        fn = self._create_function(role, sub.handler, sub.timeout_seconds)
        bus.subscribe(
            self._child_name(role),
            sub.detail_types,
            function=fn.function,
            role_name=fn.role.name,
            function_timeout_seconds=sub.timeout_seconds,
            batch_size=sub.batch_size,
            max_receive_count=sub.max_receive_count,
            opts=self._opts(),
            max_concurrency=sub.max_concurrency,
        )

    def _create_schedule(self, schedule: ScheduleArgs) -> None:
        role = f"sched-{schedule.name}"
        fn = self._create_function(role, schedule.handler, schedule.timeout_seconds)
        dlq = dead_letter_queue(self, f"{role}-dlq")
        # Only this account's schedules in the default group (the schedule below sets no group) may use the role.
        group = sibling_arn(fn.function.arn, "scheduler", "schedule-group/default")
        trust = assume_role_policy(SCHEDULER_PRINCIPAL, source_condition(account_of(fn.function.arn), group))
        invoker = self._child(aws.iam.Role, f"{role}-invoker", assume_role_policy=trust)
        self._child(
            aws.iam.RolePolicy,
            f"{role}-invoker-policy",
            role=invoker.name,
            policy=policy_document(
                [
                    statement(["lambda:InvokeFunction"], [fn.function.arn], "Invoke"),
                    statement(["sqs:SendMessage"], [dlq.arn], "DeadLetters"),
                ]
            ),
        )
        self._dlq_alarm(role, dlq)
        self._child(
            aws.scheduler.Schedule,
            f"{role}-schedule",
            schedule_expression=schedule.expression,
            schedule_expression_timezone=schedule.timezone,
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=fn.function.arn,
                role_arn=invoker.arn,
                input=json.dumps({"schedule": schedule.name}),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=defaults.SCHEDULE_MAX_RETRY_ATTEMPTS,
                    maximum_event_age_in_seconds=defaults.EVENT_TARGET_MAX_EVENT_AGE_SECONDS,
                ),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=dlq.arn),
            ),
        )

    def _dlq_alarm(self, role: str, dlq: aws.sqs.Queue) -> None:
        description = f"Messages in the dead-letter queue of {self._name} {role}"
        dead_letter_alarm(self, f"{role}-dlq-alarm", dlq, description, self._args.alarm_topic_arn)


def route_slug(route_key: str) -> str:
    """A stable child-name fragment for a route: ``GET /moves/{id}`` → ``get-moves-id``."""
    return re.sub(r"[^a-z0-9]+", "-", route_key.lower()).strip("-")
