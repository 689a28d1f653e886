"""The three declarations obey the rules of the declaration language (pure checks, no Pulumi runtime)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from architectures import SYSTEMS, wiring
from architectures.spec import (
    EventType,
    Group,
    JwtAuthorizer,
    LambdaAuthorizer,
    Needs,
    Route,
    Service,
    Subscription,
    System,
    handler_module,
    service_handlers,
)

SYSTEM_NAMES = sorted(SYSTEMS)


def minimal(**overrides) -> dict:
    """The smallest valid system, as keyword arguments to change one thing at a time."""
    base = {
        "name": "demo",
        "title": "Demo",
        "groups": (Group(name="staff", precedence=1),),
        "authorizer": JwtAuthorizer(),
        "bus": "demo",
        "events": (EventType(detail_type="ThingHappened"),),
        "services": (
            Service(
                name="things",
                schema_name="things",
                routes=(Route(method="GET", path="/things", groups=("staff",)),),
                subscriptions=(Subscription(name="audit", events=("ThingHappened",), handler="events.handler"),),
                needs=Needs(database="things", publishes=("ThingHappened",)),
            ),
        ),
    }
    return {**base, **overrides}


def test_minimal_system_is_valid():
    assert System(**minimal()).service("things").schema_name == "things"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"groups": (Group(name="a", precedence=1), Group(name="a", precedence=2))}, "duplicate group a"),
        ({"groups": (Group(name="a", precedence=1), Group(name="b", precedence=1))}, "duplicate group precedence"),
        ({"bus": None}, "events are declared but no bus"),
        ({"authorizer": LambdaAuthorizer(service="nobody")}, "authorizer service 'nobody' is not declared"),
        (
            {"services": (Service(name="x", routes=(Route(method="GET", path="/x", groups=("ghosts",)),)),)},
            "names unknown group 'ghosts'",
        ),
        (
            {"services": (Service(name="x", needs=Needs(publishes=("Nope",))),)},
            "publishes undeclared event 'Nope'",
        ),
        (
            {
                "services": (
                    Service(name="x", subscriptions=(Subscription(name="s", events=("Nope",), handler="a.b"),)),
                )
            },
            "subscribes to undeclared event 'Nope'",
        ),
        ({"services": (Service(name="x", needs=Needs(tables={"t": "read"})),)}, "needs undeclared table 't'"),
        ({"services": (Service(name="x", needs=Needs(database="other")),)}, "which no service owns"),
        (
            {
                "services": (
                    Service(name="x", routes=(Route(method="GET", path="/a"),)),
                    Service(name="y", routes=(Route(method="GET", path="/a"),)),
                )
            },
            "duplicate route GET /a",
        ),
        (
            {
                "services": (
                    Service(
                        name="k",
                        runtime="kubernetes",
                        subscriptions=(Subscription(name="s", events=("ThingHappened",), handler="a.b"),),
                    ),
                )
            },
            "kubernetes services cannot declare subscriptions",
        ),
    ],
)
def test_system_rules_reject_broken_declarations(change, message):
    with pytest.raises(ValidationError, match=message):
        System(**minimal(**change))


def test_public_route_cannot_require_groups():
    with pytest.raises(ValidationError, match="a public route cannot also require groups"):
        Route(method="GET", path="/x", public=True, groups=("staff",))


def test_every_public_write_is_throttled_tighter_than_the_stage():
    """Anyone may call a public route; one that writes (sign-up, login) gets its own, tighter limit at the gateway.
    A public read keeps the stage's; a signed-in caller is held by the stage and the authorizer."""
    from aws_systems import defaults

    public_writes = {r.key: r.throttle for s in SYSTEMS.values() for _, r in s.routes if r.public and r.method != "GET"}
    assert {"POST /users/login", "POST /users/signup"} <= set(public_writes)
    for key, throttle in public_writes.items():
        assert throttle is not None, key
        assert throttle.rate < defaults.API_THROTTLE_RATE and throttle.burst < defaults.API_THROTTLE_BURST, key


def test_schema_owner_must_use_its_schema():
    with pytest.raises(ValidationError, match="needs.database must name it"):
        Service(name="x", schema_name="x")


def test_a_subscription_may_not_handle_more_batches_than_its_service_reserves():
    """Lambda throttles a function whose reserved concurrency is below its mapping's maximum concurrency, and the
    throttled messages go back to the queue."""
    audit = Subscription(name="audit", events=("ThingHappened",), handler="events.handler", max_concurrency=5)
    refused = "service things: subscription audit max_concurrency 5 is above the service's reserved_concurrency 2"
    with pytest.raises(ValidationError, match=refused):
        Service(name="things", subscriptions=(audit,), reserved_concurrency=2)
    assert Service(name="things", subscriptions=(audit,), reserved_concurrency=5).reserved_concurrency == 5
    assert Service(name="things", subscriptions=(audit,)).reserved_concurrency is None  # the account's pool


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Service(name="x", reserved_concurrency=-1), "greater than or equal to 0"),
        (lambda: Service(name="x", reserved_concurrency=1001), "less than or equal to 1000"),
        (lambda: Subscription(name="s", events=("E",), handler="a.b", max_concurrency=1), "greater than or equal to 2"),
        (lambda: Subscription(name="s", events=("E",), handler="a.b", max_concurrency=1001), "less than or equal"),
        (
            lambda: Service(name="x", runtime="kubernetes", reserved_concurrency=5),
            "service x: reserved_concurrency is for Lambda functions, not kubernetes",
        ),
    ],
)
def test_concurrency_outside_what_lambda_takes_is_refused(build, message):
    with pytest.raises(ValidationError, match=message):
        build()


def test_unknown_fields_are_errors_not_silent_defaults():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Route(method="GET", path="/x", auth="none")


def test_handler_module_is_the_importable_path():
    system = SYSTEMS["moving"]
    assert handler_module(system, system.service("moves"), "api.handler") == "handlers.moving.moves.api.handler"
    with pytest.raises(ValueError, match="expected 'module.function'"):
        handler_module(system, system.service("moves"), "handler")


# --- the three real systems ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SYSTEM_NAMES)
def test_every_published_event_has_a_subscriber_and_every_subscription_a_publisher(name):
    system = SYSTEMS[name]
    for event in system.events:
        assert system.publishers(event.detail_type), f"{name}: nobody publishes {event.detail_type}"
        assert system.subscribers(event.detail_type), f"{name}: nobody consumes {event.detail_type}"


@pytest.mark.parametrize("name", SYSTEM_NAMES)
def test_every_route_is_public_or_group_checked(name):
    """Private routes with no groups admit any signed-in user; that must be a deliberate choice per system."""
    system = SYSTEMS[name]
    for _, route in system.routes:
        assert route.public or route.groups or name == "shop", f"{name}: {route.key} has neither groups nor public"


def test_the_seed_groups_are_declared():
    assert {g.name for g in SYSTEMS["moving"].groups} == {"customers", "employees"}
    assert {g.name for g in SYSTEMS["shop"].groups} == {"customers", "admins", "agents"}
    assert {g.name for g in SYSTEMS["retail"].groups} == {"admins", "sellers", "warehouse"}


def test_moving_uses_a_lambda_authorizer_and_the_others_jwt():
    assert isinstance(SYSTEMS["moving"].authorizer, LambdaAuthorizer)
    assert isinstance(SYSTEMS["shop"].authorizer, JwtAuthorizer)
    assert isinstance(SYSTEMS["retail"].authorizer, JwtAuthorizer)


def test_each_moving_and_shop_microservice_owns_its_schema():
    for name in ("moving", "shop"):
        system = SYSTEMS[name]
        for service in system.services:
            if service.needs.database:
                assert service.schema_name == service.needs.database, f"{name}/{service.name} shares a schema"


def test_shop_users_runs_on_kubernetes():
    assert SYSTEMS["shop"].service("users").runtime == "kubernetes"


def test_the_declared_reservations_are_small_enough_for_four_stacks_in_one_account():
    """Each function of a service reserves its ``reserved_concurrency`` (the migration excepted); the four stacks
    together could share one account at the default quota (1000) and leave Lambda its 100 unreserved."""
    total = sum(
        (service.reserved_concurrency or 0) * len(service_handlers(system, service))
        for system in SYSTEMS.values()
        for service in system.services
    )
    assert total > 0 and 4 * total <= 1000 - 100, total


# --- the environment contract -------------------------------------------------------------------------------------
def fake_lookup(kind: str, name: str) -> str:
    return f"<{kind}:{name}>"


def test_service_environment_names_only_what_the_service_needs():
    system = SYSTEMS["retail"]
    env = wiring.service_environment(system, system.service("sales"), "dev", fake_lookup)
    assert env["DB_SECRET_ARN"] == "<db_secret:retail>"
    assert env["TABLE_SETTINGS"] == "<table:settings>"
    assert env["EVENT_BUS_NAME"] == "<bus:retail>"
    assert env["EVENT_SOURCE"] == "retail.sales"
    assert not any(k.startswith("BUCKET_") or k.startswith("TOPIC_") for k in env)
    assert env["CONFIG_STORE"] == "<config:store>", "the store's defaults come from the stack"
    assert "ROUTE_GROUPS" not in env, "group rules ship with the code, in the declaration"


def test_the_group_rules_cover_every_private_route_in_one_form():
    system = SYSTEMS["moving"]
    rules = system.route_groups()
    assert rules["POST /moves"] == ("customers",)
    assert rules["POST /trucks"] == ("employees",)
    assert set(rules) == {r.key for _, r in system.routes if not r.public}


def test_lambda_authorizer_learns_where_the_keys_are():
    system = SYSTEMS["moving"]
    env = wiring.service_environment(system, system.service("authorizer"), "dev", fake_lookup)
    assert "AUTHORIZER_RULES" not in env, "the rules ship with the code, in the declaration"
    assert env["JWKS_URL"] == "<jwks_url:moving>" and env["TOKEN_ISSUER"] == "<issuer:moving>"


def test_environment_never_carries_secret_values():
    for system in SYSTEMS.values():
        for service in system.services:
            env = wiring.service_environment(system, service, "dev", fake_lookup)
            assert not any("PASSWORD" in k or k.endswith("_SECRET") for k in env), (system.name, service.name)


def test_shared_handlers_keep_their_own_path():
    system = SYSTEMS["moving"]
    assert handler_module(system, system.service("moves"), "handlers.shared.outbox.relay_handler") == (
        "handlers.shared.outbox.relay_handler"
    )


def declared_handlers(system: System) -> list[str]:
    """Every handler path the declaration names: API, subscriptions, schedules and the Lambda authorizer."""
    return [path for service in system.services for path in service_handlers(system, service)]


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_every_declared_handler_points_at_real_code(name):
    import importlib

    for path in declared_handlers(SYSTEMS[name]):
        module, _, function = path.rpartition(".")
        assert callable(getattr(importlib.import_module(module), function, None)), f"{path} is not a function"
