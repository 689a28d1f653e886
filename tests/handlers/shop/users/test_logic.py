"""The users service's pure rules: the password policy, request validation, revocation and profiles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from handlers.shop.users import logic

NOW = datetime(2026, 3, 10, 10, 0, 0, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt!pass", "at least 12 characters"),
        ("lowercase-only-1", "an uppercase letter"),
        ("UPPERCASE-ONLY-1", "a lowercase letter"),
        ("No-Digits-Here!", "a digit"),
        ("NoSymbols12345", "a symbol"),
        (" Leading-space-1A", "no leading or trailing spaces"),
        ("A" * 250 + "a1!bcdefg", "at most 256 characters"),
    ],
)
def test_each_broken_rule_is_named(password: str, rule: str) -> None:
    assert logic.password_problems(password) == [rule]
    with pytest.raises(logic.WeakPassword, match=rule):
        logic.check_password(password)


def test_every_broken_rule_is_named_at_once() -> None:
    assert logic.password_problems("abc") == ["at least 12 characters", "an uppercase letter", "a digit", "a symbol"]


@pytest.mark.parametrize("password", ["Correct-Horse-9-battery", "Aa1 " + "x" * 8 + "Z", "Ünïcode-Pass1word"])
def test_good_passwords_pass(password: str) -> None:
    logic.check_password(password)


def test_weak_password_is_a_400() -> None:
    assert logic.WeakPassword.http_status == 400


def test_sign_up_normalizes_the_email_and_name() -> None:
    request = logic.SignUp(email="  Ana@Example.COM ", password="x", name="  Ana  ")
    assert (request.email, request.name) == ("ana@example.com", "Ana")


@pytest.mark.parametrize("email", ["ana", "ana@", "@example.com", "ana@example", "a b@example.com"])
def test_bad_emails_are_refused(email: str) -> None:
    with pytest.raises(ValidationError, match="not a valid email"):
        logic.Login(email=email, password="x")


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        logic.Login.model_validate({"email": "a@b.co", "password": "x", "admin": True})


def test_sign_in_failures_share_one_message() -> None:
    assert str(logic.SignInFailed()) == logic.SIGN_IN_FAILED
    assert logic.SignInFailed.http_status == 401


def test_token_use_must_be_access_or_id() -> None:
    assert logic.token_use({"token_use": "access"}) == "access"
    with pytest.raises(logic.SessionInvalid):
        logic.token_use({"token_use": "refresh"})


def test_profile_changes_apply_only_the_fields_sent() -> None:
    who = logic.Identity("u-1", "u-1", "ana@example.com", "")
    profile = logic.new_profile(who, NOW)
    assert profile.name == "ana"  # no name attribute: the email's local part
    later = NOW.replace(hour=11)
    changed = logic.apply_change(profile, logic.ProfileChange.model_validate({"phone": "+51 999 111 222"}), later)
    assert (changed.name, changed.phone, changed.address, changed.updated_at) == ("ana", "+51 999 111 222", None, later)
    cleared = logic.apply_change(changed, logic.ProfileChange.model_validate({"phone": None}), later)
    assert cleared.phone is None
    assert logic.apply_change(profile, logic.ProfileChange.model_validate({}), later) is profile


@pytest.mark.parametrize("body", [{"name": None}, {"name": "  "}, {"phone": "call me"}, {"address": ""}])
def test_bad_profile_changes_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        logic.ProfileChange.model_validate(body)


def test_the_view_shows_times_to_the_microsecond() -> None:
    view = logic.profile_view(logic.new_profile(logic.Identity("u", "u", "a@b.co", "A"), NOW))
    assert view["created_at"] == "2026-03-10T10:00:00.500000+00:00"
