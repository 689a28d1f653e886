"""The users API: the routes of ``architectures/shop.py``'s users service, each a call to one use case. In the cloud
it runs in a container on EKS behind the gateway (``server.py``); locally and in tests, as a Lambda handler."""

from __future__ import annotations

from handlers.shared.routing import Request, Router
from handlers.shop.users import logic
from handlers.shop.users.logic import (
    Confirm,
    ConfirmedView,
    Login,
    ProfileChange,
    ProfileView,
    Refresh,
    SignedUpView,
    SignUp,
    TokensView,
)
from handlers.shop.users.usecases import UserUseCases

router = Router("shop", "users")


@router.route("POST /users/signup", body=SignUp, response=SignedUpView, status=201)
def sign_up(request: Request, users: UserUseCases) -> SignedUpView:
    """Create an account.

    The password policy is checked first (a 400 naming the broken rules); an existing email is a 409. The account
    must be confirmed with the emailed code, unless the stage confirms sign-ups at once.
    """
    return users.sign_up(request.body)


@router.route("POST /users/confirm", body=Confirm, response=ConfirmedView)
def confirm(request: Request, users: UserUseCases) -> ConfirmedView:
    """Confirm an account with the emailed code (a wrong or expired code is a 400)."""
    users.confirm(request.body)
    return logic.confirmed_view(request.body.email)


@router.route("POST /users/login", body=Login, response=TokensView)
def login(request: Request, users: UserUseCases) -> TokensView:
    """Sign in: the id, access and refresh tokens.

    A wrong password, an unknown user and an unconfirmed user all get the same 401.
    """
    return logic.tokens_view(users.identity.sign_in(request.body.email, request.body.password))


@router.route("POST /users/refresh", body=Refresh, response=TokensView)
def refresh(request: Request, users: UserUseCases) -> TokensView:
    """Trade a refresh token for new id and access tokens (an invalid or revoked one is a 401)."""
    return logic.tokens_view(users.identity.refresh(request.body.refresh_token))


@router.route("POST /users/logout", status=204)
def logout(request: Request, users: UserUseCases) -> None:
    """Sign out everywhere: every session of the user is revoked."""
    users.sign_out(users.session(request))


@router.route("GET /users/me", response=ProfileView)
def show_me(request: Request, users: UserUseCases) -> ProfileView:
    """Show your profile (created on first use)."""
    return logic.profile_view(users.profile(users.session(request)))


@router.route("PUT /users/me", body=ProfileChange, response=ProfileView)
def change_me(request: Request, users: UserUseCases) -> ProfileView:
    """Change your name, phone or address."""
    return logic.profile_view(users.change_profile(users.session(request), request.body))


handler = router.handler(UserUseCases.from_settings)
