"""Types for what the APIs answer: views are TypedDicts (plain dicts at run time, checked by mypy), and these
string types document their format in the OpenAPI documents."""

from __future__ import annotations

from typing import Annotated

from pydantic import WithJsonSchema

IsoDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
"""``2026-03-10``."""
IsoTimestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
"""``2026-03-10T10:00:00.000000+00:00``: ISO 8601 in UTC."""
Money = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$"})]
"""An amount as a string with two decimal places (``"9.90"``), so no float rounding reaches a client."""
