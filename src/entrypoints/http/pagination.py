"""Cursors on the wire: the read model's bookmark, signed so a client can neither forge nor reuse it elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import current_app, request, url_for
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeSerializer

from services.pagination import Page, PageRequest

T = TypeVar("T")


def _serializer() -> URLSafeSerializer:
    # The endpoint is the salt: a cursor from the topics list is refused by the lessons list.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"cursor:{request.endpoint}")


def page_request(args: Mapping[str, Any]) -> PageRequest:
    """The PageRequest of validated query args (`cursor`, `page_size`); a forged or broken cursor is a 400."""
    cursor = args.get("cursor")
    if cursor:
        try:
            cursor = _serializer().loads(cursor)
        except BadSignature:
            abort(400, message="The cursor is invalid; use the `next` or `previous` link exactly as given.")
    return PageRequest(cursor=cursor or None, size=args["page_size"])


def page_response(page: Page[T], dump: Callable[[T], Any] = lambda item: item) -> dict[str, Any]:
    """The DRF-style envelope; the links keep the request's other query parameters."""

    def link(bookmark: str | None) -> str | None:
        if bookmark is None:
            return None
        params = {**request.args.to_dict(), "cursor": _serializer().dumps(bookmark)}
        return url_for(request.endpoint, **(request.view_args or {}), **params, _external=True)

    return {
        "next": link(page.next_cursor),
        "previous": link(page.previous_cursor),
        "results": [dump(item) for item in page.results],
    }
