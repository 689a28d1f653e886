"""The online shop split out of its monolith: Users on EKS, Products, Orders and Support behind one API gateway.

Users signs people in with Cognito (JWT, refresh, logout that revokes sessions) and keeps profiles in MariaDB; Products
keeps the catalog and inventory; Orders keeps orders and payments behind a JWKS-validated JWT; Support handles tickets
that agents take. Stock is reserved through a saga of events on the ``shop`` bus.
"""

from __future__ import annotations

from architectures.spec import (
    OUTBOX_RELAY,
    PUBLIC_WRITE,
    SIGN_UP,
    EventType,
    Group,
    JwtAuthorizer,
    Needs,
    Route,
    Service,
    Subscription,
    System,
    Table,
)

CUSTOMERS, ADMINS, AGENTS = "customers", "admins", "agents"
SESSIONS = "sessions"
"""Each user's last sign-out: users writes it, and every service refuses older tokens (a logout holds everywhere)."""


SYSTEM = System(
    name="shop",
    title="Microservices shop",
    self_sign_up=True,  # customers create their own accounts
    groups=(
        Group(name=ADMINS, precedence=10, description="Catalog and order administrators"),
        Group(name=AGENTS, precedence=20, description="Support agents"),
        Group(name=CUSTOMERS, precedence=30, description="Shoppers"),
    ),
    authorizer=JwtAuthorizer(),
    sessions_table=SESSIONS,
    tables=(Table(name=SESSIONS, partition_key="user_id", ttl_attribute="expires_at"),),
    bus="shop",
    database_engine="mariadb",
    events=(
        EventType(detail_type="OrderPlaced", description="An order awaits stock"),
        EventType(detail_type="StockReserved", description="Every item of the order was reserved"),
        EventType(detail_type="StockRejected", description="Some item could not be reserved; nothing was"),
        EventType(detail_type="OrderConfirmed", description="Stock reserved and payment recorded"),
        EventType(detail_type="OrderCancelled", description="The owner cancelled before shipping"),
        EventType(detail_type="StockReleased", description="A cancelled order's stock is available again"),
        EventType(detail_type="ProductChanged", description="A product was created, changed or removed"),
    ),
    services=(
        Service(
            name="users",
            description="Sign-up, login, refresh, logout and profiles (container on EKS)",
            runtime="kubernetes",
            schema_name="users",
            routes=(
                Route(method="POST", path="/users/signup", public=True, throttle=SIGN_UP),
                Route(method="POST", path="/users/confirm", public=True, throttle=SIGN_UP),
                Route(method="POST", path="/users/login", public=True, throttle=PUBLIC_WRITE),
                Route(method="POST", path="/users/refresh", public=True, throttle=PUBLIC_WRITE),
                Route(method="POST", path="/users/logout"),
                Route(method="GET", path="/users/me"),
                Route(method="PUT", path="/users/me"),
            ),
            needs=Needs(
                database="users",
                tables={SESSIONS: "write"},
                user_pool=(
                    "AdminConfirmSignUp",
                    "AdminGetUser",
                    "AdminUserGlobalSignOut",
                    "AdminAddUserToGroup",
                ),
            ),
        ),
        Service(
            name="products",
            description="Catalog and inventory; reserves and releases stock for orders",
            schema_name="products",
            routes=(
                Route(method="GET", path="/products", public=True),
                Route(method="GET", path="/products/{id}", public=True),
                Route(method="POST", path="/products", groups=(ADMINS,)),
                Route(method="PUT", path="/products/{id}", groups=(ADMINS,)),
                Route(method="DELETE", path="/products/{id}", groups=(ADMINS,)),
                Route(method="GET", path="/products/{id}/inventory", groups=(ADMINS,)),
                Route(method="PUT", path="/products/{id}/inventory", groups=(ADMINS,)),
            ),
            subscriptions=(
                Subscription(
                    name="stock",
                    events=("OrderPlaced", "OrderConfirmed", "OrderCancelled"),
                    handler="events.handler",
                ),
            ),
            schedules=(OUTBOX_RELAY,),
            needs=Needs(
                database="products",
                publishes=("StockReserved", "StockRejected", "StockReleased", "ProductChanged"),
                tables={SESSIONS: "read"},
            ),
        ),
        Service(
            name="orders",
            description="Orders, their details and payment details",
            schema_name="orders",
            routes=(
                Route(method="POST", path="/orders"),
                Route(method="GET", path="/orders"),
                Route(method="GET", path="/orders/{id}"),
                Route(method="POST", path="/orders/{id}/cancel"),
            ),
            subscriptions=(
                Subscription(
                    name="stock-results",
                    events=("StockReserved", "StockRejected", "StockReleased"),
                    handler="events.handler",
                ),
                # Orders prices what it sells from its own copy of the catalog, kept current by products' events.
                Subscription(name="catalog", events=("ProductChanged",), handler="catalog.handler"),
            ),
            schedules=(OUTBOX_RELAY,),
            needs=Needs(
                database="orders",
                publishes=("OrderPlaced", "OrderConfirmed", "OrderCancelled"),
                tables={SESSIONS: "read"},
            ),
        ),
        Service(
            name="support",
            description="Tickets that agents take",
            schema_name="support",
            routes=(
                Route(method="POST", path="/tickets"),
                Route(method="GET", path="/tickets"),
                Route(method="GET", path="/tickets/{id}"),
                Route(method="POST", path="/tickets/{id}/take", groups=(AGENTS,)),
                Route(method="PATCH", path="/tickets/{id}", groups=(AGENTS,)),
                Route(method="POST", path="/tickets/{id}/comments"),
            ),
            # Support learns who placed each order, so a customer's ticket names only one of their own orders.
            subscriptions=(Subscription(name="orders", events=("OrderPlaced",), handler="events.handler"),),
            needs=Needs(database="support", tables={SESSIONS: "read"}),
        ),
    ),
)
