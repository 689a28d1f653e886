"""The moving company, as in its seed's architecture diagram.

Cognito signs in customers and employees; a Lambda authorizer verifies their JWT and applies the group rules; the API
registers moves, assigns trucks and reports status; EventBridge decouples the microservices (a new move triggers truck
selection and a customer notification; an assigned truck starts GPS tracking); each microservice has its own database.
"""

from __future__ import annotations

from architectures.spec import (
    OUTBOX_RELAY,
    EventType,
    Group,
    LambdaAuthorizer,
    Needs,
    Route,
    Service,
    Subscription,
    System,
    Topic,
)

CUSTOMERS, EMPLOYEES = "customers", "employees"
ANYONE = (CUSTOMERS, EMPLOYEES)


SYSTEM = System(
    name="moving",
    title="Moving company",
    self_sign_up=True,  # customers create their own accounts
    groups=(
        Group(name=EMPLOYEES, precedence=10, description="Staff: dispatch, fleet and drivers"),
        Group(name=CUSTOMERS, precedence=20, description="People who book moves"),
    ),
    authorizer=LambdaAuthorizer(service="authorizer"),
    bus="moving",
    events=(
        EventType(detail_type="MoveRegistered", description="A customer registered a move"),
        EventType(detail_type="TruckAssigned", description="A truck was booked for a move (auto or by hand)"),
        EventType(detail_type="MoveUnassignable", description="No truck fits the move"),
        EventType(detail_type="MoveCompleted", description="The move is done; the truck is free again"),
        EventType(detail_type="PositionRecorded", description="A truck reported where it is during a move"),
    ),
    services=(
        Service(name="authorizer", description="Lambda authorizer: Cognito JWT plus group rules"),
        Service(
            name="moves",
            description="Moves and their status",
            schema_name="moves",
            routes=(
                Route(method="POST", path="/moves", groups=(CUSTOMERS,)),
                Route(method="GET", path="/moves", groups=ANYONE),
                Route(method="GET", path="/moves/{id}", groups=ANYONE),
                Route(method="POST", path="/moves/{id}/complete", groups=(EMPLOYEES,)),
            ),
            subscriptions=(
                Subscription(
                    name="progress",
                    events=("TruckAssigned", "MoveUnassignable", "PositionRecorded"),
                    handler="events.handler",
                ),
            ),
            schedules=(OUTBOX_RELAY,),
            needs=Needs(database="moves", publishes=("MoveRegistered", "MoveCompleted")),
        ),
        Service(
            name="fleet",
            description="Trucks, and picking one for each new move",
            schema_name="fleet",
            routes=(
                Route(method="POST", path="/trucks", groups=(EMPLOYEES,)),
                Route(method="GET", path="/trucks", groups=(EMPLOYEES,)),
                # Manual assignment lives with the trucks and their bookings, which only fleet can check.
                Route(method="POST", path="/moves/{id}/truck", groups=(EMPLOYEES,)),
            ),
            subscriptions=(
                Subscription(name="bookings", events=("MoveRegistered", "MoveCompleted"), handler="events.handler"),
            ),
            schedules=(OUTBOX_RELAY,),
            needs=Needs(database="fleet", publishes=("TruckAssigned", "MoveUnassignable")),
        ),
        Service(
            name="tracking",
            description="GPS tracking sessions of assigned trucks",
            schema_name="tracking",
            routes=(
                Route(method="POST", path="/moves/{id}/positions", groups=(EMPLOYEES,)),
                Route(method="GET", path="/moves/{id}/tracking", groups=ANYONE),
            ),
            subscriptions=(
                Subscription(
                    name="sessions",
                    events=("MoveRegistered", "TruckAssigned", "MoveCompleted"),
                    handler="events.handler",
                ),
            ),
            schedules=(OUTBOX_RELAY,),
            needs=Needs(database="tracking", publishes=("PositionRecorded",)),
        ),
        Service(
            name="notifications",
            description="Tells customers what happened to their move, once per event",
            schema_name="notifications",
            subscriptions=(
                Subscription(
                    name="customer-updates",
                    events=("MoveRegistered", "TruckAssigned", "MoveUnassignable", "MoveCompleted"),
                    handler="events.handler",
                ),
            ),
            needs=Needs(database="notifications", topics=("customer-notifications",)),
        ),
    ),
    topics=(Topic(name="customer-notifications", description="Email/SMS messages to customers"),),
)
