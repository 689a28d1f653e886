"""The users API: the routes of ``architectures/shop.py``'s users service, each a call to one use case. In the cloud
it runs in a container on EKS behind the gateway (``server.py``); locally and in tests, as a Lambda handler."""

from __future__ import annotations

from typing import Any

from handlers.shared.routing import Request, Router
from handlers.shop.users import logic
from handlers.shop.users.logic import Confirm, Login, ProfileChange, Refresh, SignUp
from handlers.shop.users.usecases import UserUseCases

router = Router("shop", "users")
View = dict[str, Any]


@router.route("POST /users/signup", body=SignUp, response=View, status=201)
def sign_up(request: Request, users: UserUseCases) -> View:
    """Create an account.

    The password policy is checked first (a 400 naming the broken rules); an existing email is a 409. The account
    must be confirmed with the emailed code, unless the stage confirms sign-ups at once.
    """
    return users.sign_up(request.body)


@router.route("POST /users/confirm", body=Confirm, response=View)
def confirm(request: Request, users: UserUseCases) -> View:
    """Confirm an account with the emailed code (a wrong or expired code is a 400)."""
    users.confirm(request.body)
    return {"email": request.body.email, "confirmed": True}


@router.route("POST /users/login", body=Login, response=View)
def login(request: Request, users: UserUseCases) -> View:
    """Sign in: the id, access and refresh tokens.

    A wrong password, an unknown user and an unconfirmed user all get the same 401.
    """
    return logic.tokens_view(users.identity.sign_in(request.body.email, request.body.password))


@router.route("POST /users/refresh", body=Refresh, response=View)
def refresh(request: Request, users: UserUseCases) -> View:
    """Trade a refresh token for new id and access tokens (an invalid or revoked one is a 401)."""
    return logic.tokens_view(users.identity.refresh(request.body.refresh_token))


@router.route("POST /users/logout", status=204)
def logout(request: Request, users: UserUseCases) -> None:
    """Sign out everywhere: every session of the user is revoked."""
    users.sign_out(users.session(request))


@router.route("GET /users/me", response=View)
def show_me(request: Request, users: UserUseCases) -> View:
    """Show your profile (created on first use)."""
    return logic.profile_view(users.profile(users.session(request)))


@router.route("PUT /users/me", body=ProfileChange, response=View)
def change_me(request: Request, users: UserUseCases) -> View:
    """Change your name, phone or address."""
    return logic.profile_view(users.change_profile(users.session(request), request.body))


handler = router.handler(UserUseCases.from_settings)
