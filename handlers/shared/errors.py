"""Expected refusals, each with the HTTP status that says it.

Kept apart from ``api.py`` (which imports the Powertools resolver) so that pure domain code can raise them: a
service's own errors subclass ``NotFound``, ``Conflict``... and the shared resolver maps them, in one place.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """An expected refusal, with the HTTP status that says it; the message is shown to the caller.

    (``http_status``, not ``status``: a subclass may well keep a domain status of its own.)"""

    http_status: ClassVar[int] = 400


class BadRequest(DomainError):
    http_status: ClassVar[int] = 400


class Unauthorized(DomainError):
    http_status: ClassVar[int] = 401


class Forbidden(DomainError):
    http_status: ClassVar[int] = 403


class NotFound(DomainError):
    http_status: ClassVar[int] = 404


class Conflict(DomainError):
    http_status: ClassVar[int] = 409


def existing(found: T | None, missing: NotFound) -> T:
    """What a read found, or the 404 ``missing`` when it found nothing."""
    if found is None:
        raise missing
    return found
