"""Turns a system declaration into AWS resources by composing the component library.

One :class:`SystemComponent` per system. Its constructor reads as the architecture: sign-in, the bus, the data, the
network and database, the API, the services, then backups, alarms, the dashboard and the web app.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from architectures import spec, topology, wiring
from architectures.archives import HANDLERS, REPO_ROOT, directory_hash, service_archive
from architectures.platform import Platform, runs_kubernetes
from aws_systems import defaults
from aws_systems._base import Component
from aws_systems.auth import AppClientArgs, AuthArgs, AuthComponent, AuthGroupArgs
from aws_systems.backup import BackupPlanArgs, BackupPlanComponent
from aws_systems.bucket import SecureBucketArgs, SecureBucketComponent
from aws_systems.database import DatabaseArgs, DatabaseComponent
from aws_systems.event_bus import EventBusArgs, EventBusComponent, EventTypeArgs
from aws_systems.http_api import HttpApiArgs, HttpApiComponent
from aws_systems.iam import Permissions
from aws_systems.kubernetes import KubernetesClusterArgs, KubernetesClusterComponent
from aws_systems.observability import AlarmsArgs, AlarmsComponent, DashboardArgs, DashboardComponent
from aws_systems.service import (
    ApiArgs,
    KubernetesArgs,
    RouteArgs,
    ScheduleArgs,
    SchemaArgs,
    ServiceArgs,
    ServiceComponent,
    SubscriptionArgs,
    VpcArgs,
)
from aws_systems.static_site import DomainArgs, SiteApiArgs, StaticSiteArgs, StaticSiteComponent
from aws_systems.table import TableArgs, TableComponent
from aws_systems.topic import TopicArgs, TopicComponent


class SystemComponent(Component):
    """One whole system from its declaration. Children are exposed as attributes for escape hatches."""

    def __init__(self, system: spec.System, platform: Platform, opts: pulumi.ResourceOptions | None = None):
        super().__init__("awssystems:system:SystemComponent", system.name, None, opts)
        self.system = system
        self.platform = platform
        self.config = platform.config
        self.protection = platform.config.protection

        self._create_alerts()
        self._create_auth()
        self._create_bus()
        self._create_data()
        self.network = platform.network
        self._create_cluster()
        self._create_database()
        self._create_api()
        self._create_services()
        if any(r.throttle for _, r in self.system.routes):  # the stage waits for the routes it throttles
            self.api.throttle_routes({k: r for s in self.services.values() for k, r in s.routes.items()})
        self._create_backups()
        self._create_monitoring()
        self._create_site()

        self.outputs: dict[str, pulumi.Input[str]] = {
            "api_url": self.api.url,
            "user_pool_id": self.auth.user_pool_id,
            "web_client_id": self.auth.client_ids.apply(lambda ids: ids["web"]),
            "issuer": self.auth.issuer,
        }
        if self.site is not None:
            self.outputs["site_url"] = self.site.url
        self.register_outputs(self.outputs)

    # --- sign-in, events and data ---------------------------------------------------------------------------
    def _create_alerts(self) -> None:
        self.alerts = TopicComponent(
            self._child_name("alerts"),
            TopicArgs(
                protection=self.protection,
                email_subscriptions=list(self.config.alert_emails),
                service_publishers=["cloudwatch.amazonaws.com", "backup.amazonaws.com"],
            ),
            opts=self._opts(),
        )

    def _create_auth(self) -> None:
        self.auth = AuthComponent(
            self._child_name("auth"),
            AuthArgs(
                protection=self.protection,
                groups=[
                    AuthGroupArgs(name=g.name, precedence=g.precedence, description=g.description, iam_role=g.iam_role)
                    for g in self.system.groups
                ],
                clients=[AppClientArgs(name="web", kind="spa")],
                self_sign_up=self.system.self_sign_up,
            ),
            opts=self._opts(),
        )

    def _create_bus(self) -> None:
        self.bus: EventBusComponent | None = None
        if not self.system.bus:
            return
        event_types = [EventTypeArgs(source=src, detail_type=dt) for src, dt in topology.event_types(self.system)]
        self.bus = EventBusComponent(
            self._child_name(self.system.bus),
            EventBusArgs(event_types=event_types, protection=self.protection, alarm_topic_arn=self.alerts.arn),
            opts=self._opts(),
        )

    def _create_data(self) -> None:
        self.tables = {
            t.name: TableComponent(
                self._child_name(f"table-{t.name}"),
                TableArgs(
                    partition_key=t.partition_key,
                    sort_key=t.sort_key,
                    ttl_attribute=t.ttl_attribute,
                    protection=self.protection,
                ),
                opts=self._opts(),
            )
            for t in self.system.tables
        }
        self.access_logs: SecureBucketComponent | None = None
        if self.system.buckets:
            self.access_logs = SecureBucketComponent(
                self._child_name("access-logs"),
                SecureBucketArgs(
                    protection=self.protection,
                    purpose="access-logs",
                    expire_after_days=self.config.log_retention_days or defaults.log_retention_days(self.protection),
                ),
                opts=self._opts(),
            )
        self.buckets = {
            b.name: SecureBucketComponent(
                self._child_name(f"bucket-{b.name}"),
                SecureBucketArgs(
                    protection=self.protection,
                    purpose=b.purpose,
                    access_logs_bucket=self.access_logs.bucket_name if self.access_logs else None,
                ),
                opts=self._opts(),
            )
            for b in self.system.buckets
        }
        self.topics = {
            t.name: TopicComponent(
                self._child_name(f"topic-{t.name}"),
                TopicArgs(protection=self.protection, email_subscriptions=self.config.emails(t.email_recipients)),
                opts=self._opts(),
            )
            for t in self.system.topics
        }

    # --- network, database and cluster ----------------------------------------------------------------------
    def _create_cluster(self) -> None:
        self.cluster: KubernetesClusterComponent | None = None
        if not runs_kubernetes(self.system):
            return
        assert self.network is not None, "a kubernetes service needs the stack's network"
        k8s = self.config.kubernetes
        self.cluster = KubernetesClusterComponent(
            self._child_name("cluster"),
            KubernetesClusterArgs(
                vpc_id=self.network.vpc_id,
                private_subnet_ids=self.network.private_subnet_ids,
                protection=self.protection,
                version=k8s.version,
                node_instance_type=k8s.node_instance_type,
                desired_nodes=k8s.desired_nodes,
                endpoint_public_access=bool(k8s.public_access_cidrs),
                public_access_cidrs=list(k8s.public_access_cidrs),
            ),
            opts=self._opts(),
        )

    def _create_database(self) -> None:
        self.database: DatabaseComponent | None = None
        self.schema_secrets: dict[str, aws.secretsmanager.Secret] = {}
        if not self.system.uses_database:
            return
        assert self.network is not None, "systems with a database need the stack's network"
        # Each schema gets its own credentials; the owner's migration function fills the secret on first deploy.
        for service in self.system.services:
            if service.schema_name:
                self.schema_secrets[service.schema_name] = aws.secretsmanager.Secret(
                    self._child_name(f"{service.schema_name}-db-credentials"),
                    description=f"{self.system.name}: credentials of the {service.schema_name} schema",
                    recovery_window_in_days=defaults.by_protection(self.protection, 7, 30),
                    opts=self._opts(),
                )
        clients = [self.network.app_security_group_id]
        if self.cluster is not None:
            clients.append(self.cluster.node_security_group_id)
        db = self.config.database
        self.database = DatabaseComponent(
            self._child_name("db"),
            DatabaseArgs(
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.private_subnet_ids,
                protection=self.protection,
                engine=self.system.database_engine,
                instance_class=db.instance_class,
                allocated_storage_gb=db.allocated_storage_gb,
                multi_az=db.multi_az,
                deletion_protection=db.deletion_protection,
                backup_retention_days=db.backup_retention_days,
                client_security_group_ids=clients,
                proxy=db.proxy,
                # Services and migrations connect as their schema's user, so the proxy must know each of them.
                proxy_user_secret_arns=[s.arn for s in self.schema_secrets.values()] if db.proxy else (),
            ),
            opts=self._opts(),
        )

    # --- the API and the services ---------------------------------------------------------------------------
    def _cors_origins(self) -> list[str]:
        """Other browser apps that call the API; the system's own web app calls it on its own origin (no CORS)."""
        return list(self.config.cors_origins) or (["*"] if self.protection == "standard" else [])

    def _create_api(self) -> None:
        self.api = HttpApiComponent(
            self._child_name("api"),
            HttpApiArgs(
                protection=self.protection,
                cors_origins=self._cors_origins(),
                log_retention_days=self.config.log_retention_days,
                route_throttles={
                    r.key: (r.throttle.rate, r.throttle.burst) for _, r in self.system.routes if r.throttle
                },
            ),
            opts=self._opts(),
        )
        self.authorizer: aws.apigatewayv2.Authorizer | None = None
        if isinstance(self.system.authorizer, spec.JwtAuthorizer):
            self.authorizer = self.auth.jwt_authorizer("jwt", self.api.api_id)

    def _lookup(self, kind: wiring.ResourceKind, name: str) -> pulumi.Input[str]:
        """Resolve a declared resource to the value its handlers get in their environment."""
        match kind:
            case "db_secret":
                return self.schema_secrets[name].arn
            case "bus":
                assert self.bus is not None
                return self.bus.bus_name
            case "table":
                return self.tables[name].table_name
            case "bucket":
                return self.buckets[name].bucket_name
            case "topic":
                return self.topics[name].arn
            case "user_pool":
                return self.auth.user_pool_id
            case "user_pool_client":
                return self.auth.client_ids.apply(lambda ids: ids["web"])
            case "jwks_url":
                return self.auth.jwks_url
            case "issuer":
                return self.auth.issuer
            case "config":
                return self.config.section_json(name)
        raise KeyError(kind)

    def _permissions(self, service: spec.Service) -> Permissions:
        needs = service.needs
        tables = [self.tables[t] for t in needs.tables]
        return Permissions(
            db_secret_arn=self.schema_secrets[needs.database].arn if needs.database else None,
            tables_read=[self.tables[t].arn for t, access in needs.tables.items() if access == "read"],
            tables_write=[self.tables[t].arn for t, access in needs.tables.items() if access == "write"],
            buckets_read=[self.buckets[b].arn for b, access in needs.buckets.items() if access == "read"],
            buckets_write=[self.buckets[b].arn for b, access in needs.buckets.items() if access == "write"],
            topics=[self.topics[t].arn for t in needs.topics],
            user_pool_arn=self.auth.user_pool_arn if needs.user_pool else None,
            user_pool_actions=needs.user_pool,
            keys=[t.kms_key_arn for t in tables if t.kms_key_arn is not None],
        )

    def _create_services(self) -> None:
        """Services in declaration order, except that a Lambda authorizer's service comes first: the others'
        routes need the authorizer it provides."""
        self.services: dict[str, ServiceComponent] = {}
        authorizer = self.system.authorizer
        ordered = list(self.system.services)
        if isinstance(authorizer, spec.LambdaAuthorizer):
            provider = self.system.service(authorizer.service)
            ordered.remove(provider)
            self.services[provider.name] = self._create_service(provider)
            function = self.services[provider.name].functions["authorizer"].function
            self.authorizer = self.auth.lambda_authorizer(
                "lambda",
                self.api.api_id,
                self.api.execution_arn,
                function,
                authorizer.cache_ttl_seconds,
                authorizer.identity_sources,
            )
        for service in ordered:
            self.services[service.name] = self._create_service(service)

    def _api_args(self, service: spec.Service) -> ApiArgs | None:
        if not service.routes:
            return None
        lambda_authorizer = isinstance(self.system.authorizer, spec.LambdaAuthorizer)
        return ApiArgs(
            api=self.api,
            routes=[RouteArgs(route_key=r.key, public=r.public) for r in service.routes],
            handler=self._handler(service, service.api_handler),
            authorizer=self.authorizer,
            authorization_type="CUSTOM" if lambda_authorizer else "JWT",
        )

    def _subscription_args(self, service: spec.Service) -> list[SubscriptionArgs]:
        return [
            SubscriptionArgs(
                name=sub.name,
                handler=self._handler(service, sub.handler),
                detail_types=sub.events,
                batch_size=sub.batch_size,
                max_receive_count=sub.max_receive_count,
                timeout_seconds=sub.timeout_seconds,
                max_concurrency=sub.max_concurrency,
            )
            for sub in service.subscriptions
        ]

    def _handler(self, service: spec.Service, handler: str) -> str:
        return spec.handler_module(self.system, service, handler)

    def _create_service(self, service: spec.Service) -> ServiceComponent:
        system = self.system
        archive = service_archive(system, service, self.platform.build_dir)
        environment = wiring.service_environment(system, service, self.platform.stack, self._lookup)
        in_vpc = service.needs.database is not None and self.network is not None
        extra_functions = {}
        if isinstance(system.authorizer, spec.LambdaAuthorizer) and system.authorizer.service == service.name:
            extra_functions["authorizer"] = self._handler(service, system.authorizer.handler)
        return ServiceComponent(
            self._child_name(service.name),
            ServiceArgs(
                code=pulumi.FileArchive(str(archive.path)),
                code_hash=archive.base64_sha256,
                protection=self.protection,
                runtime=service.runtime,
                api=self._api_args(service),
                subscriptions=self._subscription_args(service),
                schedules=[
                    ScheduleArgs(
                        name=s.name,
                        handler=self._handler(service, s.handler),
                        expression=s.expression,
                        timezone=s.timezone,
                        timeout_seconds=s.timeout_seconds,
                    )
                    for s in service.schedules
                ],
                functions=extra_functions,
                bus=self.bus,
                publishes=bool(service.needs.publishes),
                event_sources=[system.source(service)] if service.needs.publishes else [],
                permissions=self._permissions(service),
                schema=self._schema_args(service),
                environment=environment,
                vpc=VpcArgs(
                    subnet_ids=self.network.private_subnet_ids,
                    security_group_ids=[self.network.app_security_group_id],
                )
                if in_vpc and self.network
                else None,
                kubernetes=self._kubernetes_args(service),
                layers=[self.platform.layer_arn],
                architecture=self.config.lambda_.architecture,
                memory_mb=service.memory_mb or self.config.lambda_.memory_mb,
                timeout_seconds=service.timeout_seconds,
                log_retention_days=self.config.log_retention_days,
                reserved_concurrency=service.reserved_concurrency,
                alarm_topic_arn=self.alerts.arn,
            ),
            opts=self._opts(),
        )

    def _schema_args(self, service: spec.Service) -> SchemaArgs | None:
        if not service.schema_name or self.database is None:
            return None
        migrations_dir = f"{spec.service_folder(self.system, service)}/migrations"
        migrations = REPO_ROOT / migrations_dir
        return SchemaArgs(
            schema=service.schema_name,
            master_secret_arn=self.database.master_secret_arn,
            service_secret_arn=self.schema_secrets[service.schema_name].arn,
            host=self.database.proxy_endpoint or self.database.endpoint,
            port=self.database.port,
            migrations_dir=migrations_dir,
            migrations_hash=directory_hash(migrations),
            master_secret_key_arn=self.database.master_secret_kms_key_arn,
            wait_for=self.database.ready,
        )

    def _kubernetes_args(self, service: spec.Service) -> KubernetesArgs | None:
        if service.runtime != "kubernetes":
            return None
        assert self.cluster is not None and self.network is not None
        return KubernetesArgs(
            cluster=self.cluster,
            build_context=str(HANDLERS),
            dockerfile=f"{spec.service_folder(self.system, service).removeprefix('handlers/')}/Dockerfile",
            named_contexts={"declarations": REPO_ROOT / "architectures"},
            image_uri=self.config.kubernetes.image_uri,
            vpc_id=self.network.vpc_id,
            subnet_ids=self.network.private_subnet_ids,
        )

    # --- operations and the web app -------------------------------------------------------------------------
    def _create_backups(self) -> None:
        self.backup_plan: BackupPlanComponent | None = None
        arns: list[pulumi.Input[str]] = [t.arn for t in self.tables.values()]
        if self.database is not None:
            arns.append(self.database.instance.arn)
        if arns:
            self.backup_plan = BackupPlanComponent(
                self._child_name("backup"),
                BackupPlanArgs(resource_arns=arns, protection=self.protection, notification_topic_arn=self.alerts.arn),
                opts=self._opts(),
            )

    def _function_names(self) -> dict[str, pulumi.Input[str]]:
        return {
            f"{service}-{role}": fn.function.name
            for service, component in self.services.items()
            for role, fn in component.functions.items()
        }

    def _create_monitoring(self) -> None:
        db_instance = self.database.instance.identifier if self.database else None
        self.alarms = AlarmsComponent(
            self._child_name("alarms"),
            AlarmsArgs(
                alarm_topic_arn=self.alerts.arn,
                api_id=self.api.api_id,
                db_instance_id=db_instance,
                function_names=self._function_names(),
            ),
            opts=self._opts(),
        )
        self.dashboard = DashboardComponent(
            self._child_name("dashboard"),
            DashboardArgs(
                title=f"{self.system.name}-{self.platform.stack}",
                region=self.config.region,
                api_id=self.api.api_id,
                db_instance_id=db_instance,
                function_names=self._function_names(),
            ),
            opts=self._opts(),
        )

    def _create_site(self) -> None:
        self.site: StaticSiteComponent | None = None
        if not self.system.site_dir:
            return
        site = self.config.site
        region = self.config.region
        api = SiteApiArgs(url=self.api.url)
        self.site = StaticSiteComponent(
            self._child_name("site"),
            StaticSiteArgs(
                site_dir=REPO_ROOT / self.system.site_dir,
                protection=self.protection,
                runtime_config=wiring.site_config(
                    api_url=api.path,
                    region=region,
                    user_pool_id=self.auth.user_pool_id,
                    client_id=self.auth.client_ids.apply(lambda ids: ids["web"]),
                    cognito_endpoint=f"https://cognito-idp.{region}.amazonaws.com/",
                ),
                api=api,
                connect_origins=[f"https://cognito-idp.{region}.amazonaws.com"],
                domain=DomainArgs(name=site.domain, zone_id=site.hosted_zone_id)
                if site.domain and site.hosted_zone_id
                else None,
                waf=site.waf,
                us_east_1=self.platform.us_east_1,
            ),
            opts=self._opts(),
        )
