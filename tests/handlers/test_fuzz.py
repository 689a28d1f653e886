"""Property-based fuzzing of every route's request parsing: whatever JSON body and query a client sends, parsing
ends in a value the service can use or in a 4xx refusal, never in another exception (which would be a 500).

For each bound route of the three systems, hypothesis generates hostile JSON (deep and wide nesting, NUL and unpaired
surrogates, numbers past float and integer range, dates at Python's edges, wrong types) and, for each query model,
hostile parameter values. A value that passes validation must be one the service can store and compute with: no
text a database refuses, no day outside the systems' range. The routes' own behaviour behind parsing is fuzzed over
HTTP by ``tools/dast.py`` (``tests/local/test_dast.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from architectures import SYSTEMS
from handlers.shared.api import body_as, refuse_unstorable_text
from handlers.shared.errors import DomainError
from handlers.shared.fields import EARLIEST_DAY, LATEST_DAY
from handlers.shared.routing import BoundRoute
from tools.openapi import bound_routes

ROUTES: list[tuple[str, BoundRoute]] = [
    (f"{system.name} {key}", bound)
    for system in SYSTEMS.values()
    for service in system.services
    for key, bound in bound_routes(system, service).items()
]
BODY_ROUTES = [(label, bound) for label, bound in ROUTES if bound.body is not None]
QUERY_ROUTES = [(label, bound) for label, bound in ROUTES if bound.query is not None]

EDGE_TEXT = ["", " ", "\x00", "a\x00b", "\ud800", "\udfff", "x" * 5000, "9999-12-31", "0001-01-01", "2026-02-30",
             "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "1e309", "-0", "NaN", "Infinity", "null",
             "'; DROP TABLE x; --", "%00", "../../etc/passwd", "\u202e", "🙂"]  # fmt: skip
text = st.one_of(st.sampled_from(EDGE_TEXT), st.text(st.characters(codec=None, exclude_categories=()), max_size=40))
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0, -1, 10**19, 1.5e308, 1e-320, 12.345]))  # fmt: skip
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(text, inner, max_size=4)),
                           max_leaves=12)  # fmt: skip


def bodies(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the model's own field names (so validation goes past the first missing field) and stray ones."""
    names = list(model.model_fields) or ["x"]
    fields = st.dictionaries(st.sampled_from(names), json_values, max_size=len(names))
    return st.one_of(fields, st.dictionaries(text, json_values, max_size=3))


def assert_usable(value: Any) -> None:
    """A validated request holds nothing a database refuses and no day the services cannot compute with."""
    if isinstance(value, BaseModel):
        for item in value.__dict__.values():
            assert_usable(item)
    elif isinstance(value, str):
        value.encode("utf-8")  # an unpaired surrogate would raise here, as it would in the database driver
        assert "\x00" not in value
    elif isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        assert EARLIEST_DAY <= day <= LATEST_DAY, value
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            assert_usable(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_usable(key)
            assert_usable(item)


def parse_body(bound: BoundRoute, raw: str) -> None:
    assert bound.body is not None
    try:
        parsed = body_as(raw, bound.body, {"now": datetime(2026, 3, 10).astimezone(), "today": date(2026, 3, 10)})
    except (ValidationError, DomainError):
        return
    assert_usable(parsed)


FUZZ = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize(("label", "bound"), BODY_ROUTES, ids=[label for label, _ in BODY_ROUTES])
@FUZZ
@given(data=st.data())
def test_any_json_body_is_parsed_or_refused_with_a_4xx(label, bound, data):
    import json

    body = data.draw(bodies(bound.body))
    parse_body(bound, json.dumps(body))


@pytest.mark.parametrize(("label", "bound"), BODY_ROUTES, ids=[label for label, _ in BODY_ROUTES])
def test_bodies_that_are_not_objects_or_nest_too_deep_are_refused(label, bound):
    for raw in ["", "[]", "null", "1", '"x"', "{", "[" * 100_000 + "]" * 100_000, '{"a":' * 5_000 + "1" + "}" * 5_000]:
        parse_body(bound, raw)


@pytest.mark.parametrize(("label", "bound"), QUERY_ROUTES, ids=[label for label, _ in QUERY_ROUTES])
@FUZZ
@given(data=st.data())
def test_any_query_is_parsed_or_refused_with_a_4xx(label, bound, data):
    names = [field.alias or name for name, field in bound.query.model_fields.items()] + ["cursor", "stray"]
    query = data.draw(st.dictionaries(st.sampled_from(names), text, max_size=len(names)))
    try:
        refuse_unstorable_text(query, ())
        parsed = bound.query.model_validate(query)
    except (ValidationError, DomainError):
        return
    assert_usable(parsed)
