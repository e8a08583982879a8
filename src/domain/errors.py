"""Errors the domain and the use cases raise; the entry points translate them (HTTP status, click message)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected, user-facing failure."""

    title = "Domain error"

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None, **extensions: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        # Extra, safe-to-show facts for the client, e.g. the id of the lesson a new one overlaps.
        self.extensions = extensions


class InvalidInput(DomainError):
    title = "Invalid input"

    @classmethod
    def field(cls, name: str, message: str) -> InvalidInput:
        return cls(message, errors={name: [message]})


class NotFound(DomainError):
    title = "Not found"


class Forbidden(DomainError):
    title = "Forbidden"


class Conflict(DomainError):
    title = "Conflict"


class AuthenticationFailed(DomainError):
    title = "Unauthorized"
