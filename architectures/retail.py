"""The store's inventory and sales system (the retail seed).

A web app on S3 + CloudFront; an HTTP API with Lambda for products, clients, sales and stock; Cognito roles (admins,
sellers, warehouse); RDS MySQL for the store's data; DynamoDB for settings and sessions; daily reports; nightly logical
backups plus AWS Backup; WAF; alarms, a dashboard and SNS alerts. The store's defaults (name, currency, tax rate,
language, time zone) come from the stack's ``store`` config; its admin may change them in the web app.

Catalog owns the ``retail`` schema: a sale and its stock decrements must be one transaction, so sales, reports and
backups connect to the same schema rather than keeping copies of stock.
"""

from __future__ import annotations

from architectures.spec import (
    OUTBOX_RELAY,
    Bucket,
    EventType,
    Group,
    JwtAuthorizer,
    Needs,
    Route,
    Schedule,
    Service,
    Subscription,
    System,
    Table,
    Topic,
)

ADMINS, SELLERS, WAREHOUSE = "admins", "sellers", "warehouse"
STAFF = (ADMINS, SELLERS, WAREHOUSE)
SELLING = (ADMINS, SELLERS)
STOCK_KEEPING = (ADMINS, WAREHOUSE)


SYSTEM = System(
    name="retail",
    title="Store inventory and sales",
    groups=(
        Group(name=ADMINS, precedence=10, description="Store managers", iam_role=True),
        Group(name=SELLERS, precedence=20, description="Cashiers", iam_role=True),
        Group(name=WAREHOUSE, precedence=30, description="Stock keepers", iam_role=True),
    ),
    authorizer=JwtAuthorizer(),
    bus="retail",
    events=(EventType(detail_type="StockLow", description="A product's stock crossed below its minimum"),),
    services=(
        Service(
            name="catalog",
            description="Products, clients and stock",
            schema_name="retail",
            routes=(
                Route(method="GET", path="/products", groups=STAFF),
                Route(method="GET", path="/products/{id}", groups=STAFF),
                Route(method="POST", path="/products", groups=(ADMINS,)),
                Route(method="PUT", path="/products/{id}", groups=(ADMINS,)),
                Route(method="DELETE", path="/products/{id}", groups=(ADMINS,)),
                Route(method="GET", path="/clients", groups=STAFF),
                Route(method="GET", path="/clients/{id}", groups=STAFF),
                Route(method="POST", path="/clients", groups=SELLING),
                Route(method="PUT", path="/clients/{id}", groups=SELLING),
                Route(method="DELETE", path="/clients/{id}", groups=(ADMINS,)),
                Route(method="GET", path="/stock", groups=STAFF),
                Route(method="POST", path="/stock/adjustments", groups=STOCK_KEEPING),
                Route(method="GET", path="/stock/movements", groups=STAFF),
            ),
            # Alerts are few and not urgent: two batches at a time keep a burst of StockLow (a big sale) from taking
            # connections to the retail schema that the sales at the till need.
            subscriptions=(
                Subscription(
                    name="low-stock-alerts", events=("StockLow",), handler="alerts.handler", max_concurrency=2
                ),
            ),
            schedules=(OUTBOX_RELAY,),
            # The settings table gives the low-stock threshold, a new product's default min_stock.
            needs=Needs(
                database="retail",
                publishes=("StockLow",),
                topics=("stock-alerts",),
                tables={"settings": "read"},
                config=("store",),
            ),  # fmt: skip
        ),
        Service(
            name="sales",
            description="Sales at the point of sale, with their stock decrements in one transaction",
            routes=(
                Route(method="POST", path="/sales", groups=SELLING),
                Route(method="GET", path="/sales", groups=SELLING),
                Route(method="GET", path="/sales/{id}", groups=SELLING),
                Route(method="POST", path="/sales/{id}/void", groups=(ADMINS,)),
            ),
            schedules=(OUTBOX_RELAY,),
            needs=Needs(database="retail", publishes=("StockLow",), tables={"settings": "read"}, config=("store",)),
            # The till. Reserved, 10 executions stay the till's whatever the other systems take from the account's
            # pool, and each of its 2 functions (API, outbox relay) holds at most 10 connections to the retail schema
            # (through the proxy in prod). 10 sales at once is more than a store's cashiers make.
            reserved_concurrency=10,
        ),
        Service(
            name="reports",
            description="Sales figures on demand; daily, weekly and monthly report files, announced by email",
            routes=(
                Route(method="GET", path="/reports/sales", groups=SELLING),
                Route(method="GET", path="/reports", groups=(ADMINS,)),
                Route(method="GET", path="/reports/{kind}/{period}", groups=(ADMINS,)),
                Route(method="PUT", path="/reports/{kind}/{period}", groups=(ADMINS,)),
            ),
            # Hourly: each period's report is written within the hour after it ends in the store's time zone.
            schedules=(Schedule(name="reports", expression="cron(5 * * * ? *)", handler="scheduled.handler"),),
            # The settings give the store's language (notices), time zone (its days) and currency.
            needs=Needs(
                database="retail",
                buckets={"reports": "write"},
                topics=("reports",),
                tables={"settings": "read"},
                config=("store",),
            ),  # fmt: skip
            # A report is a long aggregate over the sales: five at once is plenty for a store's staff, and the cap
            # keeps a burst of them from taking the database connections and CPU the till needs (2 functions: 10).
            reserved_concurrency=5,
        ),
        Service(
            name="settings",
            description="Store settings, and user sessions and preferences with a TTL",
            routes=(
                Route(method="GET", path="/settings", groups=STAFF),
                Route(method="PUT", path="/settings", groups=(ADMINS,)),
                Route(method="GET", path="/preferences", groups=STAFF),
                Route(method="PUT", path="/preferences", groups=STAFF),
            ),
            needs=Needs(tables={"settings": "write"}, config=("store",)),
        ),
        Service(
            name="backups",
            description="Nightly consistent logical export of the store's data",
            schedules=(Schedule(name="nightly-export", expression="cron(0 3 * * ? *)", handler="export.handler"),),
            needs=Needs(database="retail", buckets={"backups": "write"}),
        ),
    ),
    tables=(Table(name="settings", partition_key="pk", sort_key="sk", ttl_attribute="expires_at"),),
    buckets=(Bucket(name="reports", purpose="reports"), Bucket(name="backups", purpose="backups")),
    topics=(
        Topic(name="stock-alerts", description="Low-stock alerts for staff"),
        Topic(name="reports", description="A report is ready", email_recipients="store.reportRecipients"),
    ),
    site_dir="site",
)
