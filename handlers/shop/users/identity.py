"""The identity adapter: every Cognito call of the users service, and the mapping of Cognito's errors.

Cognito's error codes become the domain errors of ``logic.py`` here, so the routes never look at a boto3 exception.
The client is created on first use (``handlers.shared.aws.client``) unless one is injected.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers.shared import aws
from handlers.shop.users.logic import (
    EmailTaken,
    Identity,
    IdentityRefused,
    IdentityUnavailable,
    RefreshRefused,
    SessionInvalid,
    SignedUp,
    SignInFailed,
    Tokens,
    WeakPassword,
    WrongCode,
)

log = logging.getLogger(__name__)

_BUSY = {"TooManyRequestsException", "LimitExceededException", "InternalErrorException", "ServiceUnavailable"}
_SIGN_IN_REFUSED = {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException",
                    "PasswordResetRequiredException"}  # fmt: skip
_REFUSED_INPUT = {
    "InvalidParameterException",
    "InvalidPasswordException",
    "UsernameExistsException",
    "AliasExistsException",
    "CodeMismatchException",
    "ExpiredCodeException",
    "UserLambdaValidationException",
}
"""Codes that blame what the caller sent: a 400 with Cognito's message, when the operation maps them no better."""
_BAD_CODE = {"CodeMismatchException", "ExpiredCodeException", "UserNotFoundException", "NotAuthorizedException"}


def _code(error: Exception) -> str | None:
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    return str((response.get("Error") or {}).get("Code") or "") or None


def _message(error: Exception) -> str:
    """Cognito's own words for a refusal, on one line and short (they name the field, never a secret)."""
    response = getattr(error, "response", None) or {}
    message = str((response.get("Error") or {}).get("Message") or "the value is not accepted")
    return " ".join(message.split())[:200]


def _busy(error: Exception) -> Exception:
    log.warning("cognito is not answering: %s", _code(error) or type(error).__name__)
    return IdentityUnavailable("sign-in is temporarily unavailable; try again shortly")


class CognitoIdentity:
    """Sign-up, confirmation, sign-in, refresh and sign-out against one user pool and its web client."""

    def __init__(self, user_pool_id: str, client_id: str, idp: Any | None = None) -> None:
        self.user_pool_id = user_pool_id
        self.client_id = client_id
        self._idp = idp

    @property
    def idp(self) -> Any:
        if self._idp is None:
            self._idp = aws.client("cognito-idp")
        return self._idp

    def _call(self, operation: str, refusals: dict[str, Exception], **params: Any) -> Any:
        """Call ``operation``; a Cognito error code in ``refusals`` raises that domain error instead."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.idp, operation)(**params)
        except ClientError as e:
            code = _code(e)
            if code in refusals:
                raise refusals[code] from None
            if code in _BUSY:
                raise _busy(e) from None
            if code in _REFUSED_INPUT:
                raise IdentityRefused(f"the identity provider refused the request: {_message(e)}") from None
            raise
        except BotoCoreError as e:  # connection errors, timeouts
            raise _busy(e) from None

    def sign_up(self, email: str, password: str, name: str) -> SignedUp:
        result = self._call(
            "sign_up",
            {"UsernameExistsException": EmailTaken("an account with this email already exists"),
             "InvalidPasswordException": WeakPassword("the password does not meet the pool's password policy")},
            ClientId=self.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": name}],
        )  # fmt: skip
        return SignedUp(user_id=str(result["UserSub"]), confirmed=bool(result.get("UserConfirmed")))

    def admin_confirm(self, email: str) -> None:
        self._call("admin_confirm_sign_up", {}, UserPoolId=self.user_pool_id, Username=email)

    def add_to_group(self, email: str, group: str) -> None:
        self._call("admin_add_user_to_group", {}, UserPoolId=self.user_pool_id, Username=email, GroupName=group)

    def confirm(self, email: str, code: str) -> None:
        wrong = WrongCode("the confirmation code is wrong or has expired")
        self._call("confirm_sign_up", dict.fromkeys(_BAD_CODE, wrong), ClientId=self.client_id, Username=email,
                   ConfirmationCode=code)  # fmt: skip

    def sign_in(self, email: str, password: str) -> Tokens:
        result = self._call(
            "initiate_auth",
            dict.fromkeys(_SIGN_IN_REFUSED, SignInFailed()),
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        auth = result.get("AuthenticationResult")
        if not auth:  # a challenge (e.g. NEW_PASSWORD_REQUIRED): not a session this API can hand out
            raise SignInFailed()
        return Tokens(id_token=auth["IdToken"], access_token=auth["AccessToken"], expires_in=int(auth["ExpiresIn"]),
                      refresh_token=auth.get("RefreshToken"))  # fmt: skip

    def refresh(self, refresh_token: str) -> Tokens:
        refused = RefreshRefused()
        result = self._call(
            "initiate_auth",
            {"NotAuthorizedException": refused, "UserNotFoundException": refused},
            ClientId=self.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
        auth = result.get("AuthenticationResult")
        if not auth:
            raise refused
        return Tokens(id_token=auth["IdToken"], access_token=auth["AccessToken"], expires_in=int(auth["ExpiresIn"]))

    def current_user(self, access_token: str) -> Identity:
        """Who the access token belongs to, asked of Cognito: fails once the token was revoked by a sign-out."""
        invalid = SessionInvalid()
        result = self._call("get_user", {"NotAuthorizedException": invalid, "UserNotFoundException": invalid},
                            AccessToken=access_token)  # fmt: skip
        attributes = {a["Name"]: a["Value"] for a in result.get("UserAttributes", [])}
        return Identity(user_id=attributes.get("sub", ""), username=str(result["Username"]),
                        email=attributes.get("email", ""), name=attributes.get("name", ""))  # fmt: skip

    def sign_out(self, access_token: str) -> None:
        """Revoke every refresh and access token of the user (``GlobalSignOut`` with the caller's token)."""
        invalid = SessionInvalid()
        self._call("global_sign_out", {"NotAuthorizedException": invalid}, AccessToken=access_token)

    def admin_sign_out(self, username: str) -> None:
        """The same by IAM (``AdminUserGlobalSignOut``), for a caller that presented an id token only."""
        self._call("admin_user_global_sign_out", {"UserNotFoundException": SessionInvalid()},
                   UserPoolId=self.user_pool_id, Username=username)  # fmt: skip
