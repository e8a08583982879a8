"""The User and AuthToken aggregates: their rules and the events they record (no database, no ports)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.errors import InvalidInput
from domain.events import ProfileUpdated, UserLoggedIn, UserLoggedOut, UserRegistered
from domain.users import AuthToken, Locale, Role, User, hash_token, normalize_email, validate_password, validate_timezone

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
USER_ID = UUID(int=1)
TOKEN_ID = UUID(int=2)


def make_user(**overrides: object) -> User:
    values = {
        "id": USER_ID,
        "email": "ann@example.com",
        "password_hash": "hash",
        "full_name": "Ann Smith",
        "role": "tutor",
        "timezone": "Europe/Kyiv",
        "locale": "uk",
        "now": NOW,
    } | overrides
    return User.register(**values)


def field_errors(excinfo: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return set(excinfo.value.errors)


# --- email, password, time zone ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["ann@example.com", "  Ann@Example.COM ", "\tANN@EXAMPLE.COM\n"])
def test_email_is_trimmed_and_lower_cased(raw):
    assert normalize_email(raw) == "ann@example.com"


@pytest.mark.parametrize("raw", ["", "   ", "ann", "ann@", "@example.com", "ann@example", "a nn@example.com", "a@b@c.com"])
def test_malformed_email_is_invalid(raw):
    with pytest.raises(InvalidInput) as excinfo:
        normalize_email(raw)
    assert field_errors(excinfo) == {"email"}


def test_email_longer_than_254_characters_is_invalid():
    with pytest.raises(InvalidInput):
        normalize_email("a" * 243 + "@example.com")  # 255 characters
    assert normalize_email("a" * 242 + "@example.com") == "a" * 242 + "@example.com"


@pytest.mark.parametrize("length", [10, 11, 1024])
def test_password_of_10_to_1024_characters_is_accepted(length):
    validate_password("p" * length)


@pytest.mark.parametrize("length", [0, 9, 1025, 100_000])
def test_password_outside_10_to_1024_characters_is_refused(length):
    with pytest.raises(InvalidInput) as excinfo:
        validate_password("p" * length)
    assert field_errors(excinfo) == {"password"}


@pytest.mark.parametrize("name", ["UTC", "Europe/Kyiv", "America/New_York", "Asia/Kolkata"])
def test_iana_time_zone_is_accepted(name):
    assert validate_timezone(name) == name


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "europe/kyiv", "+02:00", "Kyiv", "x" * 10_000])
def test_unknown_time_zone_is_refused(name):
    with pytest.raises(InvalidInput) as excinfo:
        validate_timezone(name)
    assert field_errors(excinfo) == {"timezone"}
    assert len(excinfo.value.detail) < 200  # a huge input is not echoed back whole


# --- registration ------------------------------------------------------------------------------------------------


def test_register_normalizes_the_email_and_starts_an_active_user_with_an_empty_bio():
    user = make_user(email="  Ann@Example.COM ", full_name="  Ann Smith ")

    assert user.email == "ann@example.com"
    assert user.full_name == "Ann Smith"
    assert user.role is Role.TUTOR
    assert user.locale is Locale.UK
    assert user.timezone == "Europe/Kyiv"
    assert user.bio == ""
    assert user.is_active is True
    assert user.created_at == user.updated_at == NOW


def test_register_records_user_registered():
    user = make_user(email="Ann@Example.com", role="student")

    assert user.pull_events() == [UserRegistered(occurred_at=NOW, user_id=USER_ID, email="ann@example.com", role="student")]
    assert user.pull_events() == []  # pulled once


@pytest.mark.parametrize("role", ["student", "tutor", "admin", Role.ADMIN])
def test_every_role_exists_in_the_domain(role):
    assert make_user(role=role).role == Role(role)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("role", "teacher"),
        ("role", "Student"),
        ("locale", "fr"),
        ("locale", "UK"),
        ("timezone", "Nowhere/Land"),
        ("email", "not-an-email"),
        ("full_name", "   "),
        ("full_name", "x" * 201),
    ],
)
def test_register_refuses_an_invalid_field(field, value):
    with pytest.raises(InvalidInput) as excinfo:
        make_user(**{field: value})
    assert field_errors(excinfo) == {field}


# --- profile -----------------------------------------------------------------------------------------------------


def registered_user() -> User:
    user = make_user()
    user.pull_events()
    return user


def test_update_profile_applies_the_changes_and_reports_the_changed_field_names():
    user = registered_user()

    changed = user.update_profile({"full_name": "Ann Jones", "bio": "Algebra", "locale": "en", "timezone": "UTC"}, LATER)

    assert sorted(changed) == ["bio", "full_name", "locale", "timezone"]
    assert (user.full_name, user.bio, user.locale, user.timezone) == ("Ann Jones", "Algebra", Locale.EN, "UTC")
    assert user.updated_at == LATER
    assert user.created_at == NOW
    [event] = user.pull_events()
    assert isinstance(event, ProfileUpdated)
    assert (event.user_id, event.occurred_at) == (USER_ID, LATER)
    assert sorted(event.changed_fields) == sorted(changed)


def test_update_profile_names_only_the_fields_whose_value_changed():
    user = registered_user()

    changed = user.update_profile({"full_name": "Ann Smith", "bio": "Physics", "locale": "uk"}, LATER)

    assert changed == ("bio",)
    assert user.pull_events() == [ProfileUpdated(occurred_at=LATER, user_id=USER_ID, changed_fields=("bio",))]


@pytest.mark.parametrize(
    "changes", [{}, {"full_name": "Ann Smith"}, {"full_name": "  Ann Smith "}, {"timezone": "Europe/Kyiv", "bio": ""}]
)
def test_update_profile_without_a_real_change_records_no_event_and_keeps_updated_at(changes):
    user = registered_user()

    assert user.update_profile(changes, LATER) == ()
    assert user.pull_events() == []
    assert user.updated_at == NOW


@pytest.mark.parametrize("field", ["email", "role", "id", "password_hash", "is_active", "created_at", "nickname"])
def test_update_profile_refuses_fields_that_are_not_editable(field):
    user = registered_user()

    with pytest.raises(InvalidInput) as excinfo:
        user.update_profile({field: "x", "bio": "refused along with it"}, LATER)

    assert field_errors(excinfo) == {field}
    assert user.bio == ""
    assert user.pull_events() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("bio", "x" * 2001), ("timezone", "Nowhere/Land"), ("locale", "de"), ("full_name", ""), ("full_name", "x" * 201)],
)
def test_update_profile_validates_values(field, value):
    user = registered_user()

    with pytest.raises(InvalidInput) as excinfo:
        user.update_profile({field: value}, LATER)

    assert field_errors(excinfo) == {field}
    assert user.pull_events() == []


def test_bio_of_exactly_2000_characters_is_accepted():
    user = registered_user()
    assert user.update_profile({"bio": "x" * 2000}, LATER) == ("bio",)


# --- tokens ------------------------------------------------------------------------------------------------------


def issue_token(ttl: timedelta = timedelta(days=30)) -> AuthToken:
    return AuthToken.issue(id=TOKEN_ID, user_id=USER_ID, raw_token="raw-secret", now=NOW, ttl=ttl)


def test_only_the_sha256_of_a_token_is_kept():
    token = issue_token()

    assert token.token_hash == hash_token("raw-secret") == hashlib.sha256(b"raw-secret").digest()
    assert "raw-secret" not in {str(value) for value in vars(token).values()}


def test_issuing_a_token_records_user_logged_in_and_sets_its_expiry():
    token = issue_token(timedelta(days=7))

    assert (token.created_at, token.expires_at, token.revoked_at) == (NOW, NOW + timedelta(days=7), None)
    assert token.pull_events() == [UserLoggedIn(occurred_at=NOW, user_id=USER_ID, token_id=TOKEN_ID)]


def test_token_is_active_until_it_expires():
    token = issue_token(timedelta(hours=1))

    assert token.is_active(NOW)
    assert token.is_active(NOW + timedelta(minutes=59, seconds=59))
    assert not token.is_active(NOW + timedelta(hours=1))
    assert not token.is_active(NOW + timedelta(days=1))


def test_revoking_a_token_deactivates_it_and_records_user_logged_out_once():
    token = issue_token()
    token.pull_events()

    token.revoke(LATER)
    token.revoke(LATER + timedelta(minutes=5))

    assert token.revoked_at == LATER
    assert not token.is_active(LATER)
    assert token.pull_events() == [UserLoggedOut(occurred_at=LATER, user_id=USER_ID, token_id=TOKEN_ID)]
