"""The account use cases on in-memory fakes: register, log in and out, authenticate, profile, create_admin."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from domain.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from domain.events import ProfileUpdated, UserLoggedIn, UserLoggedOut, UserRegistered
from domain.users import Role
from services import accounts
from services.views import UserView
from tests.fakes import FakeIdGenerator, FakePasswordHasher, FakeTokenGenerator

PASSWORD = "correct horse battery"
TTL = timedelta(days=30)


@pytest.fixture
def hasher() -> FakePasswordHasher:
    return FakePasswordHasher()


@pytest.fixture
def ports(hasher, clock) -> dict:
    return {"hasher": hasher, "clock": clock, "ids": FakeIdGenerator()}


@pytest.fixture
def register(uow, ports):
    def register(email: str = "ann@example.com", password: str = PASSWORD, role: str = "tutor", **extra) -> UserView:
        cmd = accounts.Register(email=email, password=password, full_name="Ann Smith", role=role, **extra)
        return accounts.register(cmd, uow, **ports)

    return register


@pytest.fixture
def log_in(uow, ports):
    tokens = FakeTokenGenerator()

    def log_in(email: str = "ann@example.com", password: str = PASSWORD, **overrides) -> accounts.LoginResult:
        kwargs = {**ports, "tokens": tokens, "token_ttl": TTL, **overrides}
        return accounts.log_in(accounts.LogIn(email=email, password=password), uow, **kwargs)

    return log_in


def dispatched(uow, kind: type) -> list:
    return [event for event in uow.dispatched if isinstance(event, kind)]


# --- register ----------------------------------------------------------------------------------------------------


def test_register_stores_a_hashed_password_and_returns_the_user(register, uow, hasher, clock):
    user = register(email="  Ann@Example.COM ", timezone="Europe/Kyiv", locale="en")

    assert (user.email, user.role, user.timezone, user.locale) == ("ann@example.com", "tutor", "Europe/Kyiv", "en")
    assert user.bio == ""
    assert user.is_active and user.created_at == user.updated_at == clock.now()
    stored = uow.users.get(user.id)
    assert stored.password_hash == hasher.hash(PASSWORD) != PASSWORD
    assert not hasattr(user, "password_hash")
    assert uow.commits == 1
    assert dispatched(uow, UserRegistered) == [
        UserRegistered(occurred_at=clock.now(), user_id=user.id, email="ann@example.com", role="tutor")
    ]


def test_register_defaults_to_utc_and_ukrainian(uow, ports):
    cmd = accounts.Register(email="a@example.com", password=PASSWORD, full_name="A", role="student")
    user = accounts.register(cmd, uow, **ports)
    assert (user.timezone, user.locale) == ("UTC", "uk")


@pytest.mark.parametrize("second_email", ["ann@example.com", "ANN@Example.com", "  ann@example.com  "])
def test_register_with_a_taken_email_is_a_conflict_whatever_its_case(register, uow, second_email):
    register(email="Ann@example.com")

    with pytest.raises(Conflict):
        register(email=second_email)
    assert len(uow.users.all()) == 1


@pytest.mark.parametrize("role", ["admin", Role.ADMIN])
def test_nobody_signs_up_as_admin(register, uow, role):
    with pytest.raises(InvalidInput) as excinfo:
        register(role=role)
    assert set(excinfo.value.errors) == {"role"}
    assert uow.users.all() == []


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("password", {"password": "x" * 9}),
        ("password", {"password": "x" * 1025}),
        ("timezone", {"timezone": "Mars/Olympus_Mons"}),
        ("role", {"role": "teacher"}),
        ("locale", {"locale": "fr"}),
        ("email", {"email": "ann-at-example.com"}),
    ],
)
def test_register_refuses_invalid_input_and_stores_nothing(register, uow, field, overrides):
    with pytest.raises(InvalidInput) as excinfo:
        register(**overrides)
    assert set(excinfo.value.errors) == {field}
    assert uow.users.all() == []
    assert uow.dispatched == []


# --- log in ------------------------------------------------------------------------------------------------------


def test_log_in_issues_a_token_that_expires_after_the_ttl(register, log_in, uow, clock):
    user = register()

    result = log_in(email="  ANN@example.com ")

    assert result.token
    assert result.expires_at == clock.now() + TTL
    assert result.user == user
    [event] = dispatched(uow, UserLoggedIn)
    assert (event.user_id, event.occurred_at) == (user.id, clock.now())
    assert uow.tokens.get(event.token_id).expires_at == result.expires_at


def test_each_log_in_gets_its_own_token(register, log_in):
    register()
    assert log_in().token != log_in().token


def test_wrong_email_and_wrong_password_fail_alike(register, log_in, uow):
    register()

    with pytest.raises(AuthenticationFailed) as wrong_password:
        log_in(password="not the password")
    with pytest.raises(AuthenticationFailed) as wrong_email:
        log_in(email="bob@example.com")

    assert str(wrong_password.value) == str(wrong_email.value)
    assert wrong_password.value.detail == wrong_email.value.detail
    assert wrong_password.value.errors == wrong_email.value.errors == {}
    assert uow.tokens.all() == []
    assert dispatched(uow, UserLoggedIn) == []


def test_an_unknown_email_still_spends_a_password_check_on_the_dummy_hash(log_in, hasher):
    with pytest.raises(AuthenticationFailed):
        log_in(email="nobody@example.com")
    assert hasher.verified == [hasher.dummy_hash]


def test_a_hash_with_old_parameters_is_replaced_at_a_successful_log_in(register, ports, log_in, uow, clock):
    ports["hasher"] = FakePasswordHasher(scheme="v1")  # the parameters of the day the account was made
    user = register()
    ports["hasher"] = FakePasswordHasher(scheme="v2")
    assert uow.users.get(user.id).password_hash.startswith("v1$")
    clock.advance(timedelta(days=1))

    log_in()  # with the current hasher, scheme v2

    stored = uow.users.get(user.id)
    assert stored.password_hash == FakePasswordHasher(scheme="v2").hash(PASSWORD)
    assert stored.updated_at == clock.now()
    log_in()  # the new hash still verifies


def test_a_current_hash_is_left_alone(register, log_in, uow, clock):
    user = register()
    before = uow.users.get(user.id).password_hash
    clock.advance(timedelta(days=1))

    log_in()

    assert uow.users.get(user.id).password_hash == before
    assert uow.users.get(user.id).updated_at == user.updated_at


def test_a_wrong_password_never_rehashes(register, ports, log_in, uow):
    ports["hasher"] = FakePasswordHasher(scheme="v1")
    user = register()
    ports["hasher"] = FakePasswordHasher(scheme="v2")
    with pytest.raises(AuthenticationFailed):
        log_in(password="not the password")
    assert uow.users.get(user.id).password_hash.startswith("v1$")


def test_an_inactive_user_cannot_log_in_and_gets_the_usual_message(register, log_in, uow):
    user = register()
    with pytest.raises(AuthenticationFailed) as wrong_password:
        log_in(password="not the password")
    uow.users.get(user.id).is_active = False

    with pytest.raises(AuthenticationFailed) as inactive:
        log_in()

    assert inactive.value.detail == wrong_password.value.detail
    assert uow.tokens.all() == []


# --- authenticate ------------------------------------------------------------------------------------------------


def test_authenticate_names_the_user_and_token_behind_a_valid_token(register, log_in, uow, clock):
    user = register()
    token = log_in().token

    principal = accounts.authenticate(token, uow, clock=clock)

    [logged_in] = dispatched(uow, UserLoggedIn)
    assert principal == accounts.Principal(user_id=user.id, role=Role.TUTOR, token_id=logged_in.token_id)


@pytest.mark.parametrize("raw_token", ["", "token-999", "garbage"])
def test_authenticate_refuses_an_unknown_token(register, log_in, uow, clock, raw_token):
    register()
    log_in()
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(raw_token, uow, clock=clock)


def test_authenticate_refuses_an_expired_token(register, log_in, uow, clock):
    register()
    token = log_in().token
    clock.advance(TTL - timedelta(seconds=1))
    accounts.authenticate(token, uow, clock=clock)

    clock.advance(timedelta(seconds=1))

    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(token, uow, clock=clock)


def test_authenticate_refuses_a_revoked_token(register, log_in, uow, clock):
    register()
    token = log_in().token
    accounts.log_out(accounts.authenticate(token, uow, clock=clock), uow, clock=clock)

    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(token, uow, clock=clock)


def test_authenticate_refuses_the_token_of_a_deactivated_user(register, log_in, uow, clock):
    user = register()
    token = log_in().token
    uow.users.get(user.id).is_active = False

    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(token, uow, clock=clock)


# --- log out -----------------------------------------------------------------------------------------------------


def test_log_out_revokes_only_the_token_used(register, log_in, uow, clock):
    user = register()
    laptop, phone = log_in().token, log_in().token
    principal = accounts.authenticate(laptop, uow, clock=clock)

    accounts.log_out(principal, uow, clock=clock)

    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(laptop, uow, clock=clock)
    assert accounts.authenticate(phone, uow, clock=clock).user_id == user.id
    assert dispatched(uow, UserLoggedOut) == [
        UserLoggedOut(occurred_at=clock.now(), user_id=user.id, token_id=principal.token_id)
    ]


def test_log_out_with_a_token_that_is_gone_fails(uow, clock):
    principal = accounts.Principal(user_id=UUID(int=1), role=Role.STUDENT, token_id=UUID(int=2))
    with pytest.raises(AuthenticationFailed):
        accounts.log_out(principal, uow, clock=clock)


# --- profile -----------------------------------------------------------------------------------------------------


def test_get_profile(register, uow):
    user = register()
    assert accounts.get_profile(user.id, uow) == user
    with pytest.raises(NotFound):
        accounts.get_profile(UUID(int=999), uow)


def test_update_profile_saves_the_changes_and_dispatches_profile_updated(register, uow, clock):
    user = register()
    clock.advance(timedelta(minutes=5))

    updated = accounts.update_profile(user.id, {"bio": "Algebra", "locale": "en", "full_name": "Ann Smith"}, uow, clock=clock)

    assert (updated.bio, updated.locale, updated.full_name, updated.updated_at) == ("Algebra", "en", "Ann Smith", clock.now())
    assert accounts.get_profile(user.id, uow) == updated
    [event] = dispatched(uow, ProfileUpdated)
    assert (event.user_id, event.occurred_at, sorted(event.changed_fields)) == (user.id, clock.now(), ["bio", "locale"])


def test_update_profile_without_a_change_dispatches_nothing(register, uow, clock):
    user = register()
    accounts.update_profile(user.id, {"full_name": "Ann Smith"}, uow, clock=clock)
    assert dispatched(uow, ProfileUpdated) == []


@pytest.mark.parametrize(
    "changes", [{"email": "eve@example.com"}, {"role": "admin"}, {"id": "x"}, {"timezone": "Nowhere/Land"}]
)
def test_update_profile_refuses_read_only_fields_and_bad_values(register, uow, clock, changes):
    user = register()

    with pytest.raises(InvalidInput) as excinfo:
        accounts.update_profile(user.id, changes, uow, clock=clock)

    assert set(excinfo.value.errors) == set(changes)
    assert accounts.get_profile(user.id, uow) == user


def test_update_profile_of_an_unknown_user_is_not_found(uow, clock):
    with pytest.raises(NotFound):
        accounts.update_profile(UUID(int=999), {"bio": "x"}, uow, clock=clock)


# --- create_admin ------------------------------------------------------------------------------------------------


def test_create_admin_makes_an_admin_who_can_log_in(uow, ports, log_in):
    admin = accounts.create_admin(" Root@Example.com ", PASSWORD, "Root", uow, **ports)

    assert (admin.email, admin.role, admin.full_name) == ("root@example.com", "admin", "Root")
    assert log_in(email="root@example.com").user.role == "admin"
    assert [event.role for event in dispatched(uow, UserRegistered)] == ["admin"]


def test_create_admin_refuses_a_taken_email_and_a_short_password(register, uow, ports):
    register(email="ann@example.com")

    with pytest.raises(Conflict):
        accounts.create_admin("ANN@example.com", PASSWORD, "Root", uow, **ports)
    with pytest.raises(InvalidInput) as excinfo:
        accounts.create_admin("root@example.com", "short", "Root", uow, **ports)
    assert set(excinfo.value.errors) == {"password"}
    assert [user.role for user in uow.users.all()] == [Role.TUTOR]
