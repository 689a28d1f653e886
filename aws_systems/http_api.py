"""An API Gateway HTTP API with a logged, throttled default stage and CORS. Services add their own routes to it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.defaults import Protection
from aws_systems.validation import CLOUDWATCH_RETENTION_DAYS, check_int, check_one_of, origin_problem

ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "principal": "$context.authorizer.principalId",
}

DEFAULT_CORS_HEADERS = ("authorization", "content-type", "idempotency-key")
CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@dataclass(kw_only=True)
class HttpApiArgs:
    """Arguments of :class:`HttpApiComponent`.

    - ``protection``: ``standard`` or ``hardened`` (default ``standard``).
    - ``cors_origins``: origins allowed to call the API from a browser (default: none; ``"*"`` is refused when
      hardened, where CORS must name the site's origin).
    - ``cors_headers``: request headers allowed by CORS (default: authorization, content-type, idempotency-key).
    - ``throttle_rate`` / ``throttle_burst``: the stage's default throttling (defaults 100 rps / 200).
    - ``route_throttles``: routes with their own ``(rate, burst)``, such as public sign-up and login (default none).
      API Gateway refuses settings for a route that does not exist yet, so with any, the stage is created by
      :meth:`HttpApiComponent.throttle_routes` once the routes are.
    - ``log_retention_days``: access-log retention (default: 14, or 365 when hardened; shorter warns).
    """

    protection: Protection = "standard"
    cors_origins: Sequence[pulumi.Input[str]] = ()
    cors_headers: Sequence[str] = DEFAULT_CORS_HEADERS
    throttle_rate: float = defaults.API_THROTTLE_RATE
    throttle_burst: int = defaults.API_THROTTLE_BURST
    log_retention_days: int | None = None
    route_throttles: Mapping[str, tuple[float, int]] = field(default_factory=dict)
    transforms: Transforms | None = field(default=None)

    def __post_init__(self) -> None:
        defaults.check_protection(self.protection)
        if self.throttle_rate <= 0:
            raise ValueError(f"throttle_rate: must be greater than 0 (got {self.throttle_rate})")
        check_int("throttle_burst", self.throttle_burst, 1)
        for key, (rate, burst) in self.route_throttles.items():
            if not re.fullmatch(r"(GET|POST|PUT|PATCH|DELETE) /[A-Za-z0-9/{}_.-]*", key) or rate <= 0:
                raise ValueError(f"route_throttles: expected 'METHOD /path': (rate > 0, burst) (got {key!r})")
            check_int(f"route_throttles[{key!r}] burst", burst, 1)
        origins = [o for o in self.cors_origins if isinstance(o, str)]  # an Output is checked by API Gateway
        problem = origin_problem(origins, hardened=self.protection == "hardened")
        if problem:
            raise ValueError(f"cors_origins: {problem}")
        if self.log_retention_days is not None:
            check_one_of("log_retention_days", self.log_retention_days, CLOUDWATCH_RETENTION_DAYS)


class HttpApiComponent(Component):
    """One HTTP API (payload 2.0) per system, with JSON access logs, throttling and CORS on its ``$default`` stage.

    Children: ``api``, ``access-logs`` (log group), ``stage``. Routes, integrations and authorizers are added by
    the services and the auth component, which receive ``api_id`` and ``execution_arn``.
    """

    api: aws.apigatewayv2.Api
    stage: aws.apigatewayv2.Stage
    access_logs: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: HttpApiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:api:HttpApiComponent", name, args.transforms, opts)
        self._args = args
        self._create_api()
        self._create_access_logs()
        if not args.route_throttles:
            self._create_stage()
        self.api_id: pulumi.Output[str] = self.api.id
        self.execution_arn: pulumi.Output[str] = self.api.execution_arn
        self.url: pulumi.Output[str] = self.api.api_endpoint
        self._check_transforms_used()
        self.register_outputs({"api_id": self.api_id, "url": self.url})

    def _create_api(self) -> None:
        cors = None
        if self._args.cors_origins:
            cors = aws.apigatewayv2.ApiCorsConfigurationArgs(
                allow_origins=list(self._args.cors_origins),
                allow_methods=list(CORS_METHODS),
                allow_headers=list(self._args.cors_headers),
                max_age=defaults.API_CORS_MAX_AGE_SECONDS,
            )
        self.api = self._child(aws.apigatewayv2.Api, "api", protocol_type="HTTP", cors_configuration=cors)

    def _create_access_logs(self) -> None:
        retention = defaults.secure_at_least(
            f"HttpApiComponent {self._name}",
            "log_retention_days",
            defaults.log_retention_days(self._args.protection),
            self._args.log_retention_days,
        )
        self.access_logs = self._child(aws.cloudwatch.LogGroup, "access-logs", retention_in_days=retention)

    def throttle_routes(self, routes: Mapping[str, aws.apigatewayv2.Route]) -> aws.apigatewayv2.Stage:
        """Create the stage with ``route_throttles``, after ``routes`` (by route key), which must hold every
        throttled route: API Gateway refuses settings for a route it does not know yet."""
        missing = sorted(set(self._args.route_throttles) - set(routes))
        if missing:
            raise ValueError(f"routes: no route for the throttled {missing}")
        self._create_stage([routes[key] for key in self._args.route_throttles])
        return self.stage

    def _create_stage(self, throttled: Sequence[aws.apigatewayv2.Route] = ()) -> None:
        # A route's settings replace the stage's defaults for it, so each keeps the detailed metrics.
        route_settings = [
            aws.apigatewayv2.StageRouteSettingArgs(
                route_key=key,
                throttling_rate_limit=rate,
                throttling_burst_limit=burst,
                detailed_metrics_enabled=True,
            )
            for key, (rate, burst) in self._args.route_throttles.items()
        ]
        self.stage = self._child(
            aws.apigatewayv2.Stage,
            "stage",
            depends_on=throttled,
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
                destination_arn=self.access_logs.arn,
                format=pulumi.Output.json_dumps(ACCESS_LOG_FORMAT),
            ),
            default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
                throttling_rate_limit=self._args.throttle_rate,
                throttling_burst_limit=self._args.throttle_burst,
                detailed_metrics_enabled=True,
            ),
            route_settings=route_settings or None,
        )

    def route_source_arn(self, route_key: str) -> pulumi.Output[str]:
        """The exact ``execute-api`` ARN of one route, for a Lambda permission (path parameters become ``*``)."""
        method, path = route_key.split(" ", 1)
        resource = "/".join("*" if part.startswith("{") else part for part in path.split("/"))
        return pulumi.Output.concat(self.execution_arn, "/*/", method, resource)
