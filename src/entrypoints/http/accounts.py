"""Sign-up, login, logout and the caller's own profile."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from domain import users
from entrypoints.http.api import Blueprint, current_principal, services
from entrypoints.http.schemas import StrictSchema, UserSchema, UtcDateTime, domain_rule
from services import accounts

auth_blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Sign up, log in and out")
me_blp = Blueprint("me", __name__, url_prefix="/api/me", description="The caller's own profile")

_email = ma.fields.String(required=True, validate=validate.Length(max=users.MAX_EMAIL_LENGTH), metadata={"format": "email"})
_password = ma.fields.String(
    required=True, load_only=True, validate=validate.Length(min=users.MIN_PASSWORD_LENGTH, max=users.MAX_PASSWORD_LENGTH)
)
_full_name = ma.fields.String(validate=validate.Length(min=1, max=users.MAX_FULL_NAME_LENGTH))
_timezone = ma.fields.String(validate=domain_rule(users.validate_timezone), metadata={"description": "IANA name"})
_locale = ma.fields.String(validate=validate.OneOf([loc.value for loc in users.Locale]))


class RegisterSchema(StrictSchema):
    email = _email
    password = _password
    full_name = ma.fields.String(required=True, validate=_full_name.validate)
    role = ma.fields.String(required=True, validate=validate.OneOf([r.value for r in users.SELF_SERVICE_ROLES]))
    timezone = ma.fields.String(load_default="UTC", validate=_timezone.validate, metadata=_timezone.metadata)
    locale = ma.fields.String(load_default=users.Locale.UK.value, validate=_locale.validate)


class LoginSchema(StrictSchema):
    email = _email
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(max=users.MAX_PASSWORD_LENGTH))


class LoginResultSchema(ma.Schema):
    token = ma.fields.String(required=True, metadata={"description": "Send it as `Authorization: Bearer <token>`"})
    expires_at = UtcDateTime(required=True)
    user = ma.fields.Nested(UserSchema, required=True)


class ProfilePatchSchema(StrictSchema):
    full_name = _full_name
    timezone = _timezone
    locale = _locale
    bio = ma.fields.String(validate=validate.Length(max=users.MAX_BIO_LENGTH))
    headline = ma.fields.String(
        validate=validate.Length(max=users.MAX_HEADLINE_LENGTH), metadata={"description": "Tutors only"}
    )
    topic_ids = ma.fields.List(
        ma.fields.UUID(),
        validate=validate.Length(max=users.MAX_TUTOR_TOPICS),
        metadata={"description": "Tutors only: the topics they teach (replaces the list)"},
    )


@auth_blp.route("/register/")
class Register(MethodView):
    @auth_blp.arguments(RegisterSchema)
    @auth_blp.response(201, UserSchema)
    @auth_blp.alt_response(409, response="CONFLICT")
    def post(self, body):
        """Create a student or tutor account."""
        return services().run(accounts.register, accounts.Register(**body))


@auth_blp.route("/login/")
class Login(MethodView):
    @auth_blp.arguments(LoginSchema)
    @auth_blp.response(200, LoginResultSchema)
    @auth_blp.alt_response(401, response="UNAUTHORIZED")
    @auth_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, body):
        """Exchange email and password for a bearer token. Repeated failures for one email are throttled."""
        return services().run(accounts.log_in, accounts.LogIn(**body))


@auth_blp.route("/logout/")
class Logout(MethodView):
    @auth_blp.authenticated
    @auth_blp.response(204)
    def post(self):
        """Revoke the token of this request; the user's other sessions stay logged in."""
        services().run(accounts.log_out, current_principal())


@me_blp.route("/")
class Me(MethodView):
    @me_blp.authenticated
    @me_blp.response(200, UserSchema)
    def get(self):
        """The caller's profile."""
        return services().run(accounts.get_profile, current_principal().user_id)

    @me_blp.authenticated
    @me_blp.arguments(ProfilePatchSchema)
    @me_blp.response(200, UserSchema)
    def patch(self, body):
        """Change full_name, timezone, locale, bio and, for tutors, headline and topic_ids (the list is replaced);
        email, role and id cannot be changed here."""
        return services().run(accounts.update_profile, current_principal().user_id, body)
