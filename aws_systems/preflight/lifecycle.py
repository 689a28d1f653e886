"""Rule: engines, clusters and runtimes are still under AWS's standard support.

Past the end of standard support, RDS and EKS keep running an old version only under extended support, billed per
hour from the first day, and a new deployment starts paying it at once. The dates are AWS's published calendars
(below, with their pages); a version not listed is not judged.
"""

from __future__ import annotations

import datetime as dt

from aws_systems.preflight.model import Resource

RDS_CALENDAR = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support-versions.html"
EKS_CALENDAR = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html"
LAMBDA_CALENDAR = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"

# (engine, major.minor) -> last day of standard support.
RDS_STANDARD_SUPPORT_ENDS: dict[tuple[str, str], dt.date] = {
    ("mysql", "5.7"): dt.date(2024, 2, 29),
    ("mysql", "8.0"): dt.date(2026, 7, 31),
    ("mysql", "8.4"): dt.date(2029, 7, 31),
    ("mariadb", "10.5"): dt.date(2025, 6, 24),
    ("mariadb", "10.6"): dt.date(2026, 7, 6),
    ("mariadb", "10.11"): dt.date(2028, 2, 16),
    ("mariadb", "11.4"): dt.date(2029, 5, 29),
}
EKS_STANDARD_SUPPORT_ENDS: dict[str, dt.date] = {
    "1.29": dt.date(2025, 3, 23),
    "1.30": dt.date(2025, 7, 23),
    "1.31": dt.date(2025, 11, 26),
    "1.32": dt.date(2026, 3, 23),
    "1.33": dt.date(2026, 7, 29),
    "1.34": dt.date(2026, 12, 2),
    "1.35": dt.date(2027, 3, 27),
}
LAMBDA_DEPRECATED: dict[str, dt.date] = {
    "python3.8": dt.date(2024, 10, 14),
    "python3.9": dt.date(2025, 12, 15),
    "python3.10": dt.date(2026, 10, 31),
    "python3.11": dt.date(2027, 6, 30),
    "python3.12": dt.date(2028, 10, 31),
}


def _major_minor(version: object) -> str | None:
    if not isinstance(version, str):
        return None
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def end_of_support(resource: Resource) -> tuple[str, dt.date, str] | None:
    """(what runs, the day its standard support ends, the calendar) for a resource that runs a version."""
    props = resource.props
    if resource.type == "aws:rds/instance:Instance":
        engine, version = props.get("engine"), _major_minor(props.get("engineVersion"))
        ends = RDS_STANDARD_SUPPORT_ENDS.get((str(engine), str(version)))
        return (f"{engine} {version}", ends, RDS_CALENDAR) if ends else None
    if resource.type == "eks:index:Cluster":
        version = _major_minor(props.get("version"))
        ends = EKS_STANDARD_SUPPORT_ENDS.get(str(version))
        return (f"EKS {version}", ends, EKS_CALENDAR) if ends else None
    if resource.type == "aws:lambda/function:Function":
        runtime = props.get("runtime")
        ends = LAMBDA_DEPRECATED.get(str(runtime))
        return (f"Lambda runtime {runtime}", ends, LAMBDA_CALENDAR) if ends else None
    return None


def check(resource: Resource, today: dt.date | None = None) -> list[str]:
    found = end_of_support(resource)
    if found is None:
        return []
    what, ends, source = found
    if (today or dt.date.today()) <= ends:
        return []
    return [f"{what} left AWS standard support on {ends.isoformat()}; move to a supported version [{source}]"]
