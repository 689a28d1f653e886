"""Expected refusals, each with the HTTP status that says it, a stable machine-readable code and its parameters.

Kept apart from ``api.py`` (which imports the Powertools resolver) so that pure domain code can raise them: a
service's own errors subclass ``NotFound``, ``Conflict``... and the shared resolver maps them, in one place, to
``{"code", "message", "params"}``. The English ``message`` is for people; a client shows its own words from ``code``
and ``params``:

- ``code`` is the error class's name in snake case (``ProductNotFound`` → ``product_not_found``) unless the class
  sets its own; a test keeps every code unique.
- ``params`` are the arguments the error was raised with (``ProductNotFound("p-1")`` → ``{"product_id": "p-1"}``),
  recorded from its ``__init__``'s signature, so no error class lists them twice.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, TypeVar

T = TypeVar("T")


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def as_param(value: Any) -> Any:
    """A value as JSON shows it in ``params``: text for money, days, moments and enums."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _recording_params(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap an error's ``__init__`` so that the arguments it was given become its ``params``."""
    signature = inspect.signature(init)

    @functools.wraps(init)
    def recorded(self: DomainError, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        bound = signature.bind(self, *args, **kwargs)
        given = {name: as_param(value) for name, value in list(bound.arguments.items())[1:] if name != "message"}
        self.params = {**given, **self.params}

    return recorded


class DomainError(Exception):
    """An expected refusal, with the HTTP status that says it; the message is shown to the caller.

    (``http_status``, not ``status``: a subclass may well keep a domain status of its own.)"""

    http_status: ClassVar[int] = 400
    code: ClassVar[str] = "refused"

    def __init__(self, message: str = "", **params: Any) -> None:
        super().__init__(message)
        self.params: dict[str, Any] = {name: as_param(value) for name, value in params.items()}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = snake_case(cls.__name__)
        if "__init__" in cls.__dict__:
            cls.__init__ = _recording_params(cls.__dict__["__init__"])  # type: ignore[method-assign]


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
