"""What the authorizer reads from its environment (written by ``architectures.wiring.authorizer_environment``).

The group rules are not here: they come from the declaration the function ships with (``System.route_groups``), the
same rules every service's router applies."""

from __future__ import annotations

from pydantic import Field

from handlers.shared.settings import EnvSettings


class AuthorizerSettings(EnvSettings):
    """Where the signing keys are, and whom to trust."""

    jwks_url: str = Field(alias="JWKS_URL", pattern=r"^https?://")
    token_issuer: str = Field(alias="TOKEN_ISSUER", min_length=1)
    user_pool_client_id: str = Field(alias="USER_POOL_CLIENT_ID", min_length=1)
