"""Event routing derived from a declaration, for both runtimes: which (source, detail-type) pairs exist and which
pattern each subscription's rule matches. The cloud's rules and the local runtime's rules come from here."""

from __future__ import annotations

from architectures.spec import Service, Subscription, System
from aws_systems.event_patterns import event_pattern


def event_types(system: System) -> list[tuple[str, str]]:
    """Every (source, detail-type) a service of the system may publish, in declaration order."""
    return [(system.source(s), detail_type) for s in system.services for detail_type in s.needs.publishes]


def subscription_pattern(system: System, subscription: Subscription) -> dict[str, list[str]]:
    """The EventBridge pattern of a subscription's rule: its detail types, from the services that publish them."""
    return event_pattern(event_types(system), subscription.events)


def subscriptions(system: System) -> list[tuple[Service, Subscription]]:
    return [(service, sub) for service in system.services for sub in service.subscriptions]
