"""What the authorizer reads from its environment (written by ``architectures.wiring.authorizer_environment``)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, field_validator

from handlers.shared.settings import EnvSettings


class AuthorizerSettings(EnvSettings):
    """Where the signing keys are, whom to trust, and each non-public route's groups (``{"POST /moves": [...]}``)."""

    jwks_url: str = Field(alias="JWKS_URL", pattern=r"^https?://")
    token_issuer: str = Field(alias="TOKEN_ISSUER", min_length=1)
    user_pool_client_id: str = Field(alias="USER_POOL_CLIENT_ID", min_length=1)
    rules: dict[str, tuple[str, ...]] = Field(alias="AUTHORIZER_RULES")

    @field_validator("rules", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value
