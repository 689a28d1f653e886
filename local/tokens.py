"""`python -m local token <system> <user>`: a fresh id token for a demo user of a running local runtime, alone on
stdout, so that ``curl -H "Authorization: Bearer $(python -m local token moving customer)" …`` works.

It reads the runtime's ``endpoints.json`` in the state folder (``--state-dir``, the runtime's default ``.local``) and
signs the user in on local Cognito as the web app does (``USER_PASSWORD_AUTH`` on the web client). The token is the
**id token**: both authorizers accept an access token too, but routes that record the caller's email (registering a
move, opening a ticket) need the id token's ``email`` claim. Anything that stops it is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from local.runtime import Options
from tools.endpoints import LOCAL_CREDENTIALS, Endpoints, EndpointsError, User, load

USAGE_ERROR = 2
USER_HELP = (
    "a demo user of that system: its email (customer@moving.local), the part before the @ (customer), its group "
    "(customers), or the start of the part before the @ when only one user's starts so (cust)"
)


class TokenError(Exception):
    """Why no token can be printed, in one line that says what to do."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local token",
        description="Print a fresh id token for a demo user of a running local runtime (stdout, one line), to send "
        "as 'Authorization: Bearer <token>'.",
    )
    parser.add_argument("system", help="a system the runtime runs (moving, shop, retail)")
    parser.add_argument("user", help=USER_HELP)
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Options.state_dir,
        help="the state folder of the runtime to ask, as given to python -m local (default .local)",
    )
    return parser.parse_args(argv)


def running_endpoints(state_dir: Path) -> Endpoints:
    """What the runtime of ``state_dir`` wrote once it was ready; it removes the file when it stops."""
    path = state_dir / "endpoints.json"
    if not path.is_file():
        raise TokenError(
            f"no local runtime is running for {state_dir} (no endpoints.json there): start one with "
            f"`python -m local --state-dir {state_dir}` (or `make run`), or pass the --state-dir it was started with"
        )
    try:
        endpoints = load(path)
    except EndpointsError as e:
        raise TokenError(str(e)) from None
    if not endpoints.local:
        raise TokenError(f"{path} describes a stack in AWS, not a local runtime")
    return endpoints


def _describe(users: list[User]) -> str:
    return ", ".join(f"{u.email} ({', '.join(u.groups)})" for u in users) or "none"


def find_user(system: str, users: list[User], wanted: str) -> User:
    """The one demo user ``wanted`` names (see :data:`USER_HELP`); the first way of naming that fits anyone decides,
    so ``customer`` is the customer even where another user's name starts with it."""
    key = wanted.strip().lower()
    ways = (
        lambda u: u.email.lower() == key,
        lambda u: u.email.lower().partition("@")[0] == key or key in (g.lower() for g in u.groups),
        lambda u: bool(key) and u.email.lower().startswith(key),
    )
    for fits in ways:
        found = [u for u in users if fits(u)]
        if len(found) == 1:
            return found[0]
        if found:
            raise TokenError(f"{wanted!r} could be any of {_describe(found)}: name one of them")
    raise TokenError(f"no demo user {wanted!r} in {system}; its demo users: {_describe(users)}")


def sign_in(endpoints: Endpoints, system: str, user: User) -> str:
    """The user's id token from local Cognito; a local AWS that does not answer is a runtime that is gone."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    # One quick attempt: a stale endpoints file (a runtime that was killed) should say so at once, not after retries.
    config = Config(connect_timeout=3, read_timeout=15, retries={"max_attempts": 1})
    idp = boto3.client("cognito-idp", region_name=endpoints.region, endpoint_url=endpoints.aws_endpoint,
                       config=config, **LOCAL_CREDENTIALS)  # fmt: skip
    try:
        result = idp.initiate_auth(
            ClientId=endpoints.systems[system].client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user.email, "PASSWORD": user.password or ""},
        )
    except ClientError as e:
        raise TokenError(f"local Cognito refused {user.email}: {e.response['Error'].get('Message') or e}") from None
    except BotoCoreError as e:
        raise TokenError(
            f"local AWS at {endpoints.aws_endpoint} does not answer ({type(e).__name__}): the runtime that wrote "
            f"endpoints.json has stopped; start it again"
        ) from None
    return str(result["AuthenticationResult"]["IdToken"])


def token(state_dir: Path, system: str, wanted: str) -> str:
    endpoints = running_endpoints(state_dir)
    if system not in endpoints.systems:
        raise TokenError(f"no system {system!r} in the runtime of {state_dir}; it runs: {', '.join(endpoints.systems)}")
    return sign_in(endpoints, system, find_user(system, endpoints.systems[system].users, wanted))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        print(token(args.state_dir, args.system, args.user))
    except TokenError as e:
        print(f"error: {e}", file=sys.stderr)
        return USAGE_ERROR
    return 0
