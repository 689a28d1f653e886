"""The architecture diagrams are drawn from the declarations: the README shows what they draw, and the drawing says
what each declaration says (small hand-built systems, one feature at a time)."""

from __future__ import annotations

import json
import re

import pytest

from architectures import SYSTEMS, diagram, spec
from tools import diagrams


def system(*services: spec.Service, **fields) -> spec.System:
    """One group, a JWT authorizer, a bus with two events, and the given services."""
    base = {
        "name": "demo",
        "title": "Demo",
        "groups": (spec.Group(name="staff", precedence=1), spec.Group(name="guests", precedence=2)),
        "authorizer": spec.JwtAuthorizer(),
        "bus": "demo",
        "events": (spec.EventType(detail_type="Made"), spec.EventType(detail_type="Sold")),
        "services": services,
    }
    return spec.System(**{**base, **fields})


MAKER = spec.Service(name="maker", needs=spec.Needs(publishes=("Made",), topics=("news",)))
SELLER = spec.Service(
    name="seller",
    routes=(spec.Route(method="GET", path="/sales"), spec.Route(method="GET", path="/shop/open", public=True)),
    subscriptions=(
        spec.Subscription(name="made-things", events=("Made", "Sold"), handler="events.handler", max_receive_count=3),
    ),
)


def edge_labels(graph: diagram.Architecture, source: str, target: str) -> list[str]:
    return [e.label for e in graph.edges_between(source, target)]


# --- the README -----------------------------------------------------------------------------------------------------
def test_the_readme_shows_what_the_declarations_draw():
    assert diagrams.main(["--check"]) == 0, "run python -m tools.diagrams"


def test_the_check_names_the_system_whose_diagram_differs_and_a_rewrite_keeps_the_prose(tmp_path, capsys):
    readme = tmp_path / "README.md"
    original = diagrams.README.read_text()
    readme.write_text(original.replace("  svc_orders", "  svc_ORDERS", 1))

    assert diagrams.main(["--check"], readme=readme) == 1
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1
    assert "shop" in message and "moving" not in message and "retail" not in message

    assert diagrams.main([], readme=readme) == 0
    assert readme.read_text() == original
    assert diagrams.main(["--check"], readme=readme) == 0


def test_missing_markers_fail_the_check_naming_the_system(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(diagrams.README.read_text().replace("<!-- /architecture:retail -->", ""))
    assert diagrams.main(["--check"], readme=readme) == 1
    assert "architecture:retail" in capsys.readouterr().err


# --- the three systems ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_every_declared_part_is_a_node_and_every_edge_joins_two(name):
    declared, graph = SYSTEMS[name], diagram.architecture(SYSTEMS[name])
    ids = [n.id for n in graph.nodes]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)
    assert {e.source for e in graph.edges} | {e.target for e in graph.edges} <= set(ids)
    expected = [diagram.service_id(s) for s in declared.services]
    expected += [diagram.queue_id(s, sub) for s in declared.services for sub in s.subscriptions]
    expected += [diagram.dlq_id(s, sub) for s in declared.services for sub in s.subscriptions]
    expected += [diagram.node_id("sched", s.name, x.name) for s in declared.services for x in s.schedules]
    data = {"table": declared.tables, "bucket": declared.buckets, "topic": declared.topics}
    expected += [diagram.node_id(kind, x.name) for kind, xs in data.items() for x in xs]
    assert set(expected) <= set(ids)
    assert [n.id for n in graph.nodes if n.kind == "service"] == [diagram.service_id(s) for s in declared.services]


def test_the_graph_is_json():
    graph = diagram.architecture(SYSTEMS["shop"])
    loaded = json.loads(json.dumps(graph.to_json()))
    assert loaded["system"] == "shop"
    assert [n["id"] for n in loaded["nodes"]] == [n.id for n in graph.nodes]
    assert loaded["edges"][0] == {"source": "clients", "target": "user_pool", "label": "sign in"}


# --- one feature at a time ------------------------------------------------------------------------------------------
def test_a_subscription_is_a_queue_with_a_dlq_fed_by_a_rule_of_its_published_events():
    graph = diagram.architecture(system(MAKER, SELLER, topics=(spec.Topic(name="news"),)))
    queue, dlq = diagram.queue_id(SELLER, SELLER.subscriptions[0]), diagram.dlq_id(SELLER, SELLER.subscriptions[0])
    assert (graph.node(queue).kind, graph.node(dlq).kind) == ("queue", "dlq")
    assert edge_labels(graph, "bus", queue) == ["Made"]  # nobody publishes Sold, so the rule cannot match it
    assert edge_labels(graph, queue, "svc_seller") == ["batch 10"]
    assert edge_labels(graph, queue, dlq) == ["after 3 receives"]
    drawn = diagram.mermaid(graph)
    assert f'  {queue} -.->|"after 3 receives"| {dlq}\n' in drawn
    assert f'  bus -->|"Made"| {queue}\n' in drawn


def test_publishers_have_edges_to_the_bus_and_their_topics():
    graph = diagram.architecture(system(MAKER, SELLER, topics=(spec.Topic(name="news"),)))
    assert edge_labels(graph, "svc_maker", "bus") == ["Made"]
    assert edge_labels(graph, "svc_seller", "bus") == []
    assert edge_labels(graph, "svc_maker", "topic_news") == ["publish"]
    assert graph.node("topic_news").kind == "topic"


def test_routes_are_counted_by_prefix_and_only_signed_in_ones_reach_the_authorizer():
    graph = diagram.architecture(system(MAKER, SELLER, topics=(spec.Topic(name="news"),)))
    assert edge_labels(graph, "api", "svc_seller") == ["2 routes: /sales, /shop, 1 public"]
    assert edge_labels(graph, "api", "authorizer") == ["1 signed-in routes"]
    assert edge_labels(graph, "api", "svc_maker") == []


def test_a_jwt_authorizer_checks_the_pool_and_a_lambda_authorizer_runs_in_its_service():
    guard = spec.Service(name="guard")
    jwt = diagram.architecture(system(guard, bus=None, events=()))
    lam = diagram.architecture(system(guard, bus=None, events=(), authorizer=spec.LambdaAuthorizer(service="guard")))
    assert jwt.node("authorizer").label.startswith("JWT authorizer")
    assert edge_labels(jwt, "authorizer", "user_pool") == ["JWKS"]
    assert lam.node("authorizer").label == "Lambda authorizer\ngroup rules, cache 300 s"
    assert edge_labels(lam, "authorizer", "svc_guard") == ["runs app.handler"]
    assert edge_labels(lam, "authorizer", "user_pool") == []
    assert diagram.mermaid(jwt) != diagram.mermaid(lam)
    assert 'authorizer{{"Lambda authorizer<br/>group rules, cache 300 s"}}' in diagram.mermaid(lam)


def test_the_runtime_is_in_the_service_label():
    graph = diagram.architecture(
        system(spec.Service(name="web", runtime="kubernetes"), MAKER, topics=(spec.Topic(name="news"),))
    )
    assert graph.node("svc_web").label == "web on EKS"
    assert graph.node("svc_maker").label == "maker λ"


def test_labels_escape_what_would_end_a_label_or_a_shape():
    tick = spec.Schedule(name="tick", expression='cron(0 "3" [x] | {y} <b> & #1;)', handler="tick.handler")
    graph = diagram.architecture(
        system(spec.Service(name="clock", schedules=(tick,)), bus=None, events=(), site_dir="a|b")
    )
    drawn = diagram.mermaid(graph)
    assert (
        'sched_clock__tick("tick<br/>cron#40;0 #34;3#34; #91;x#93; #124; #123;y#125; #60;b#62; #38; #35;1;#41;")'
        in drawn
    )
    for line in drawn.splitlines()[1:]:
        if "-->" in line or "-.->" in line:
            inside = re.findall(r'\|"(.*?)"\|', line)
        else:
            inside = [line[line.index('"') + 1 : line.rindex('"')]]
        assert all(not set(text.replace("<br/>", "")) & set('"[](){}|<>`') for text in inside), line
    assert graph.node("sched_clock__tick").label == 'tick\ncron(0 "3" [x] | {y} <b> & #1;)'  # the graph keeps it plain


def test_ids_of_hyphenated_names_do_not_clash():
    first = spec.Service(
        name="a-b", subscriptions=(spec.Subscription(name="c", events=("Made",), handler="e.handler"),)
    )
    second = spec.Service(
        name="a", subscriptions=(spec.Subscription(name="b-c", events=("Made",), handler="e.handler"),)
    )
    graph = diagram.architecture(system(first, second, MAKER, topics=(spec.Topic(name="news"),)))
    assert diagram.queue_id(first, first.subscriptions[0]) != diagram.queue_id(second, second.subscriptions[0])
    assert len({n.id for n in graph.nodes}) == len(graph.nodes)


def test_data_edges_say_how_each_service_uses_it():
    keeper = spec.Service(
        name="keeper",
        schema_name="keep",
        needs=spec.Needs(database="keep", tables={"prefs": "write"}, buckets={"files": "read"}),
    )
    reader = spec.Service(name="reader", needs=spec.Needs(database="keep"))
    prefs, files = spec.Table(name="prefs", partition_key="pk", ttl_attribute="ttl"), spec.Bucket(name="files")
    graph = diagram.architecture(
        system(keeper, reader, bus=None, events=(), database_engine="mariadb", tables=(prefs,), buckets=(files,))
    )
    assert edge_labels(graph, "svc_keeper", "table_prefs") == ["write"]
    assert edge_labels(graph, "svc_keeper", "bucket_files") == ["read"]
    assert graph.node("table_prefs").label == "DynamoDB: prefs\nkey pk, TTL ttl"
    assert graph.node("database").label == "RDS MariaDB\nschemas: keep"
    assert edge_labels(graph, "svc_reader", "database") == ["schema keep"]
    assert "bus" not in {n.id for n in graph.nodes}


def test_a_system_without_sql_or_a_bus_draws_neither():
    graph = diagram.architecture(system(spec.Service(name="plain"), bus=None, events=()))
    assert {n.kind for n in graph.nodes} == {"clients", "user_pool", "api", "authorizer", "service"}


def test_schedules_name_their_expression_and_zone():
    tick = spec.Schedule(name="tick", expression="rate(1 hour)", timezone="America/Lima", handler="tick.handler")
    graph = diagram.architecture(system(spec.Service(name="clock", schedules=(tick,)), bus=None, events=()))
    assert graph.node("sched_clock__tick").label == "tick\nrate(1 hour) America/Lima"
    assert edge_labels(graph, "sched_clock__tick", "svc_clock") == [""]
