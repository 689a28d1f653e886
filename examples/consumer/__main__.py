"""A small order-intake stack of one's own, built from the aws-systems components: a user pool, an event bus with
one event type, a table with a TTL, a topic for the team and a bucket for exports. Every default is the secure one.
"""

import pulumi

from aws_systems.auth import AuthArgs, AuthComponent, AuthGroupArgs
from aws_systems.bucket import SecureBucketArgs, SecureBucketComponent
from aws_systems.event_bus import EventBusArgs, EventBusComponent, EventTypeArgs
from aws_systems.table import TableArgs, TableComponent
from aws_systems.topic import TopicArgs, TopicComponent

protection = pulumi.Config().get("protection") or "standard"

auth = AuthComponent(
    "intake",
    AuthArgs(protection=protection, groups=[AuthGroupArgs(name="clerks", precedence=1)], self_sign_up=False),
)
bus = EventBusComponent(
    "intake",
    EventBusArgs(event_types=[EventTypeArgs(source="intake.orders", detail_type="OrderReceived")]),
)
carts = TableComponent("carts", TableArgs(partition_key="cart_id", ttl_attribute="expires_at", protection=protection))
team = TopicComponent("team", TopicArgs(protection=protection))
exports = SecureBucketComponent("exports", SecureBucketArgs(protection=protection))

pulumi.export("issuer", auth.issuer)
pulumi.export("bus", bus.bus.name)
pulumi.export("table", carts.table.name)
