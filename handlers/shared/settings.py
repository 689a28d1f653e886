"""Handler settings from the environment, validated once at cold start.

Fields declare their variable with ``Field(alias="NAME")``. A missing or invalid variable fails with its name, so a
misconfigured function says what is wrong in its first log line instead of failing later on a ``None``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(ValueError):
    """The environment does not hold what the function needs; the message names the variables."""


class EnvSettings(BaseModel):
    """Base class: subclasses list their variables as aliased fields."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        environ = os.environ if environ is None else environ
        aliases = [f.alias for f in cls.model_fields.values() if f.alias]
        try:
            return cls.model_validate({a: environ[a] for a in aliases if environ.get(a)})
        except ValidationError as e:
            problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
            raise SettingsError(f"environment: {problems}") from None


class ServiceSettings(EnvSettings):
    """What every service function gets (see ``architectures/wiring.py``, which writes these variables).

    The database is reached through ``DATABASE_URL`` when set (the local runtime and tests), otherwise through the
    credentials secret ``DB_SECRET_ARN`` (the cloud).
    """

    system_name: str = Field(alias="SYSTEM_NAME", min_length=1)
    service_name: str = Field(alias="SERVICE_NAME", min_length=1)
    stage: str = Field("local", alias="STAGE")
    database_url: str | None = Field(None, alias="DATABASE_URL")
    db_secret_arn: str | None = Field(None, alias="DB_SECRET_ARN")
    event_bus_name: str | None = Field(None, alias="EVENT_BUS_NAME")
    event_source: str | None = Field(None, alias="EVENT_SOURCE")
