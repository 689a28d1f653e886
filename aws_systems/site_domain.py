"""A static site's custom domain: a DNS-validated ACM certificate in us-east-1 and A/AAAA alias records."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws_systems._base import Component

ALIAS_RECORD_TYPES = ("A", "AAAA")
_DOMAIN_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class DomainArgs:
    """A custom domain in a Route 53 zone you own: the site gets an ACM certificate and A/AAAA records."""

    name: str
    """The site's host name, e.g. ``shop.example.com`` (lowercase, no trailing dot). Required."""
    zone_id: pulumi.Input[str]
    """The hosted zone that holds ``name``; the validation and alias records are written there. Required."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _DOMAIN_NAME.match(self.name):
            raise ValueError(
                "domain.name: must be a lowercase host name such as shop.example.com, without a trailing "
                f"dot (got {self.name!r})"
            )


def validated_certificate(
    component: Component, domain: DomainArgs, us_east_1: pulumi.ProviderResource | None
) -> tuple[aws.acm.Certificate, pulumi.Output[str]]:
    """A DNS-validated certificate in us-east-1 (children ``certificate``, ``cert-validation-record`` and
    ``cert-validation``), and its ARN once issued: a distribution that takes it waits for the validation."""
    certificate = component._child(
        aws.acm.Certificate, "certificate", domain_name=domain.name, validation_method="DNS", provider=us_east_1
    )
    # One name, so exactly one validation record.
    option = certificate.domain_validation_options.apply(lambda options: options[0])
    record = component._child(
        aws.route53.Record,
        "cert-validation-record",
        zone_id=domain.zone_id,
        name=option.resource_record_name,
        type=option.resource_record_type,
        records=[option.resource_record_value],
        ttl=60,
        allow_overwrite=True,
    )
    validation = component._child(
        aws.acm.CertificateValidation,
        "cert-validation",
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
        provider=us_east_1,
    )
    return certificate, validation.certificate_arn


def alias_records(component: Component, domain: DomainArgs, distribution: aws.cloudfront.Distribution) -> None:
    """A and AAAA alias records pointing the domain at the distribution (children ``alias-a``, ``alias-aaaa``)."""
    target = {"name": distribution.domain_name, "zone_id": distribution.hosted_zone_id, "evaluate_target_health": False}
    for record_type in ALIAS_RECORD_TYPES:
        component._child(
            aws.route53.Record,
            f"alias-{record_type.lower()}",
            zone_id=domain.zone_id,
            name=domain.name,
            type=record_type,
            aliases=[target],
        )
