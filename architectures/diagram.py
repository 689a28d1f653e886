"""A system's architecture as a small graph, drawn from its declaration alone, and that graph as a mermaid flowchart.

:func:`architecture` reads only the :class:`~architectures.spec.System` (and :mod:`architectures.topology` for event
routing), so the README's diagrams cannot show what the declarations do not say; ``python -m tools.diagrams`` writes
them and its ``--check`` fails when one has drifted. The graph is plain frozen dataclasses of strings
(:meth:`Architecture.to_json`), so a console can serve it as JSON and draw it its own way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from architectures import spec, topology

Kind = Literal[
    "clients",
    "site",
    "user_pool",
    "api",
    "authorizer",
    "service",
    "bus",
    "queue",
    "dlq",
    "schedule",
    "table",
    "bucket",
    "topic",
    "database",
]


@dataclass(frozen=True)
class Node:
    id: str
    """A valid mermaid id: letters, digits and ``_`` only, with a prefix per kind so no name clashes with a keyword."""
    label: str
    """Plain text; ``\\n`` separates lines."""
    kind: Kind


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class Architecture:
    system: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def edges_between(self, source: str, target: str) -> list[Edge]:
        return [e for e in self.edges if e.source == source and e.target == target]

    def to_json(self) -> dict[str, Any]:
        """Lists and strings only, ready for ``json.dumps``."""
        return {
            "system": self.system,
            "title": self.title,
            "nodes": [asdict(n) for n in self.nodes],
            "edges": [asdict(e) for e in self.edges],
        }


# --- ids ----------------------------------------------------------------------------------------------------------
CLIENTS, SITE, USER_POOL, API, AUTHORIZER, BUS, DATABASE = (
    "clients",
    "site",
    "user_pool",
    "api",
    "authorizer",
    "bus",
    "database",
)


def node_id(prefix: str, *names: str) -> str:
    """``svc_stock_alerts``; declared names have no ``_`` (``[a-z0-9-]``), so ``__`` between two of them keeps
    ``a-b``/``c`` and ``a``/``b-c`` apart."""
    return f"{prefix}_" + "__".join(n.replace("-", "_") for n in names)


def service_id(service: spec.Service) -> str:
    return node_id("svc", service.name)


def queue_id(service: spec.Service, sub: spec.Subscription) -> str:
    return node_id("q", service.name, sub.name)


def dlq_id(service: spec.Service, sub: spec.Subscription) -> str:
    return node_id("dlq", service.name, sub.name)


# --- the graph ----------------------------------------------------------------------------------------------------
@dataclass
class _Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def add(self, node_id: str, kind: Kind, *lines: str) -> None:
        self.nodes.append(Node(node_id, "\n".join(lines), kind))

    def link(self, source: str, target: str, label: str = "") -> None:
        self.edges.append(Edge(source, target, label))


def architecture(system: spec.System) -> Architecture:
    """The system's graph, in declaration order: who signs in, the API and its authorizer, the services, the bus
    and each subscription's queue and DLQ, schedules, then the data."""
    graph = _Graph()
    _sign_in(system, graph)
    _api(system, graph)
    for service in system.services:
        graph.add(service_id(service), "service", service_label(service))
    _events(system, graph)
    _schedules(system, graph)
    _data(system, graph)
    return Architecture(system.name, system.title, tuple(graph.nodes), tuple(graph.edges))


def service_label(service: spec.Service) -> str:
    return f"{service.name} on EKS" if service.runtime == "kubernetes" else f"{service.name} λ"


def _sign_in(system: spec.System, graph: _Graph) -> None:
    groups = ", ".join(g.name for g in system.groups)
    graph.add(CLIENTS, "clients", f"Clients: {groups}")
    sign_up = "self sign-up" if system.self_sign_up else "no self sign-up: an admin adds users"
    graph.add(USER_POOL, "user_pool", "Cognito user pool", f"groups: {groups}", sign_up)
    graph.link(CLIENTS, USER_POOL, "sign in")
    if system.site_dir:
        # spec.System.site_dir: a static web app served by CloudFront.
        graph.add(SITE, "site", f"Web app: {system.site_dir}/", "S3 + CloudFront")
        graph.link(CLIENTS, SITE, "loads")
    graph.link(CLIENTS, API, "JWT")


def _api(system: spec.System, graph: _Graph) -> None:
    graph.add(API, "api", "HTTP API")
    signed_in = sum(1 for _, route in system.routes if not route.public)
    authorizer = system.authorizer
    if isinstance(authorizer, spec.LambdaAuthorizer):
        graph.add(AUTHORIZER, "authorizer", "Lambda authorizer", f"group rules, cache {authorizer.cache_ttl_seconds} s")
    else:
        graph.add(AUTHORIZER, "authorizer", "JWT authorizer", "Cognito JWKS")
    graph.link(API, AUTHORIZER, f"{signed_in} signed-in routes")
    if isinstance(authorizer, spec.LambdaAuthorizer):
        graph.link(AUTHORIZER, service_id(system.service(authorizer.service)), f"runs {authorizer.handler}")
    else:
        graph.link(AUTHORIZER, USER_POOL, "JWKS")
    for service in system.services:
        if service.routes:
            graph.link(API, service_id(service), routes_label(service.routes))
        if service.needs.user_pool:
            actions = ", ".join(a.removeprefix("Admin") for a in service.needs.user_pool)
            graph.link(service_id(service), USER_POOL, f"admin: {actions}")


def routes_label(routes: tuple[spec.Route, ...]) -> str:
    """``7 routes: /users, 4 public``: how many, under which first path segments (in order), how many public."""
    prefixes = list(dict.fromkeys("/" + r.path.strip("/").split("/")[0] for r in routes))
    public = sum(1 for r in routes if r.public)
    label = f"{len(routes)} route{'s' if len(routes) > 1 else ''}: {', '.join(prefixes)}"
    return label + (f", {public} public" if public else "")


def _events(system: spec.System, graph: _Graph) -> None:
    """Who publishes what (from the event types the bus allows), then each subscription's rule, queue and DLQ."""
    if not system.bus:
        return
    graph.add(BUS, "bus", f"EventBridge bus: {system.bus}")
    published: dict[str, list[str]] = {}
    for source, detail_type in topology.event_types(system):
        published.setdefault(source, []).append(detail_type)
    for service in system.services:
        if system.source(service) in published:
            graph.link(service_id(service), BUS, ", ".join(published[system.source(service)]))
    for service, sub in topology.subscriptions(system):
        queue, dlq = queue_id(service, sub), dlq_id(service, sub)
        graph.add(queue, "queue", f"SQS: {sub.name}")
        graph.add(dlq, "dlq", f"DLQ: {sub.name}")
        # The rule matches what its pattern says: only the subscribed events some service publishes.
        graph.link(BUS, queue, ", ".join(topology.subscription_pattern(system, sub).get("detail-type", [])))
        batches = f", {sub.max_concurrency} batches at once" if sub.max_concurrency else ""
        graph.link(queue, service_id(service), f"batch {sub.batch_size}{batches}")
        graph.link(queue, dlq, f"after {sub.max_receive_count} receives")


def _schedules(system: spec.System, graph: _Graph) -> None:
    for service in system.services:
        for schedule in service.schedules:
            schedule_node = node_id("sched", service.name, schedule.name)
            zone = "" if schedule.timezone == "UTC" else f" {schedule.timezone}"
            graph.add(schedule_node, "schedule", schedule.name, f"{schedule.expression}{zone}")
            graph.link(schedule_node, service_id(service))


def _data(system: spec.System, graph: _Graph) -> None:
    """Tables, buckets and topics, each with the services that use it and how; then the database's schemas."""
    for table in system.tables:
        keys = " + ".join(k for k in (table.partition_key, table.sort_key) if k)
        ttl = f", TTL {table.ttl_attribute}" if table.ttl_attribute else ""
        role = ["sign-outs"] if table.name == system.sessions_table else []
        graph.add(node_id("table", table.name), "table", f"DynamoDB: {table.name}", *role, f"key {keys}{ttl}")
    for bucket in system.buckets:
        purpose = [bucket.purpose] if bucket.purpose != bucket.name else []
        graph.add(node_id("bucket", bucket.name), "bucket", f"S3 bucket: {bucket.name}", *purpose)
    for topic in system.topics:
        email = [f"email: {topic.email_recipients}"] if topic.email_recipients else []
        graph.add(node_id("topic", topic.name), "topic", f"SNS topic: {topic.name}", *email)
    for service in system.services:
        for name, access in service.needs.tables.items():
            graph.link(service_id(service), node_id("table", name), access)
        for name, access in service.needs.buckets.items():
            graph.link(service_id(service), node_id("bucket", name), access)
        for name in service.needs.topics:
            graph.link(service_id(service), node_id("topic", name), "publish")
    if system.uses_database:
        schemas = ", ".join(s.schema_name for s in system.services if s.schema_name)
        engine = {"mysql": "MySQL", "mariadb": "MariaDB"}[system.database_engine]
        graph.add(DATABASE, "database", f"RDS {engine}", f"schemas: {schemas}")
        for service in system.services:
            if service.needs.database:
                graph.link(service_id(service), DATABASE, f"schema {service.needs.database}")


# --- mermaid ------------------------------------------------------------------------------------------------------
SHAPES: dict[Kind, tuple[str, str]] = {
    "clients": ("([", "])"),
    "site": ("[/", "\\]"),
    "user_pool": ("[[", "]]"),
    "api": ("[", "]"),
    "authorizer": ("{{", "}}"),
    "service": ("[", "]"),
    "bus": ("((", "))"),
    "queue": ("[/", "/]"),
    "dlq": ("[/", "/]"),
    "schedule": ("(", ")"),
    "table": ("[(", ")]"),
    "bucket": ("[(", ")]"),
    "topic": (">", "]"),
    "database": ("[(", ")]"),
}
"""Each kind's mermaid shape: people as a stadium, the bus as a circle, queues as parallelograms, stores as
cylinders, topics as flags."""

# Mermaid reads ``#name;``/``#123;`` as an entity, so ``#`` goes first; the rest would end a label or a shape.
ESCAPES = {c: f"#{ord(c)};" for c in '#"[](){}|<>&`'}


def escape(text: str) -> str:
    """A label's text as mermaid shows it inside double quotes: every character that could end the label or the
    shape as an entity code, each line break as ``<br/>``."""
    return "".join(ESCAPES.get(c, c) for c in text).replace("\n", "<br/>")


def mermaid(graph: Architecture) -> str:
    """The graph as a ``flowchart LR`` (what goes inside the fenced block): the nodes, then the edges, in order.
    Edges into a DLQ are dotted: only what fails goes that way."""
    lines = ["flowchart LR"]
    for node in graph.nodes:
        start, end = SHAPES[node.kind]
        lines.append(f'  {node.id}{start}"{escape(node.label)}"{end}')
    kinds = {n.id: n.kind for n in graph.nodes}
    for edge in graph.edges:
        arrow = "-.->" if kinds[edge.target] == "dlq" else "-->"
        label = f'|"{escape(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(lines) + "\n"
