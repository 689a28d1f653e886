"""The support API driven by canonical API Gateway events (JWT authorizer claims), on SQLite and MariaDB, with the
declared group rules."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest

from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shop.support import api, logic
from handlers.shop.support.api import router
from handlers.shop.support.store import MIGRATIONS
from handlers.shop.support.usecases import SupportUseCases
from tests.events import http_request, said
from tests.handlers.conftest import sessions_table
from tests.handlers.shop.support.conftest import (
    ADMIN,
    ANA,
    ANAS_ORDER,
    BOB,
    EVE,
    MAX,
    Call,
    Clock,
    call_app,
    closed_port,
    count,
    new_ticket,
    twin,
)


def open_ticket(call: Call, who: dict[str, str] = ANA, **changes: Any) -> dict[str, Any]:
    status, body = call("POST /tickets", who, body=new_ticket(**changes))
    assert status == 201, body
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [t["id"] for t in body["items"]]


# --- POST /tickets ------------------------------------------------------------------------------------------------


def test_a_customer_opens_a_ticket_as_the_tokens_subject(call):
    body = open_ticket(call, order_id=ANAS_ORDER)
    assert uuid.UUID(body["id"]).version == 4
    assert body == {
        "id": body["id"],
        "customer_id": "c-ana",
        "customer_email": "ana@example.com",
        "subject": "My order arrived damaged",
        "description": "The mug was broken in the box.",
        "order_id": "7f9c2b1e-3d4a-4c5b-8e6f-0a1b2c3d4e5f",
        "status": "OPEN",
        "assignee_id": None,
        "created_at": "2026-03-10T10:00:00.000000+00:00",
        "updated_at": "2026-03-10T10:00:00.000000+00:00",
        "comments": [],
    }
    assert call("GET /tickets/{id}", ANA, ticket_id=body["id"]) == (200, body)


@pytest.mark.parametrize("who", [BOB, EVE], ids=["another-customer", "an-agent"])
def test_a_customer_names_only_their_own_order_and_an_agent_any_known_one(call, who):
    status, body = call("POST /tickets", who, body=new_ticket(order_id=ANAS_ORDER))
    if who is EVE:
        assert status == 201 and body["order_id"] == ANAS_ORDER
    else:
        assert status == 422 and body["message"].startswith(f"order_id: {ANAS_ORDER} is not one of your orders")


def test_an_order_support_does_not_know_is_refused(call, db):
    status, body = call("POST /tickets", ANA, body=new_ticket(order_id="o-unknown"))
    assert status == 422 and "order_id: o-unknown" in body["message"]
    assert count(db, "tickets") == 0


def test_the_order_is_optional_and_text_keeps_every_character(call):
    body = open_ticket(call, order_id=..., subject="  Señal rota 📦  ", description="Línea 1\nLínea 2 — ☕")
    assert body["order_id"] is None and body["subject"] == "Señal rota 📦"
    assert call("GET /tickets/{id}", ANA, ticket_id=body["id"])[1]["description"] == "Línea 1\nLínea 2 — ☕"


def test_a_customer_id_in_the_body_is_refused_never_used(call, db):
    status, body = call("POST /tickets", ANA, body=new_ticket(customer_id="c-bob"))
    assert status == 422 and [e["field"] for e in body["errors"]] == ["customer_id"]
    assert count(db, "tickets") == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"subject": "s" * 201}, "subject"),
        ({"subject": ...}, "subject"),
        ({"description": ""}, "description"),
        ({"description": "d" * 5001}, "description"),
        ({"description": 42}, "description"),
        ({"order_id": ""}, "order_id"),
        ({"status": "CLOSED"}, "status"),
    ],
)
def test_each_bad_field_is_a_422_naming_it_and_nothing_is_written(call, db, changes, field):
    status, body = call("POST /tickets", ANA, body=new_ticket(**changes))
    assert status == 422 and body["message"] == "the request is not valid"
    assert [e["field"] for e in body["errors"]] == [field]
    assert count(db, "tickets") == 0


@pytest.mark.parametrize("raw", ["{not json", "[]", None])
def test_a_body_that_is_not_a_json_object_is_a_400(call, db, raw):
    status, _ = call("POST /tickets", ANA, body=raw)
    assert status == 400 and count(db, "tickets") == 0


def test_nobody_signed_in_is_a_401(call):
    assert call("GET /tickets", None)[0] == 401
    assert call("POST /tickets", None, body=new_ticket())[0] == 401


# --- GET /tickets/{id} ------------------------------------------------------------------------------------------------


def test_another_customers_ticket_is_a_404_like_a_missing_one(call):
    ticket = open_ticket(call)
    assert said(call("GET /tickets/{id}", BOB, ticket_id=ticket["id"])) == (404, f"no ticket {ticket['id']}")
    assert call("GET /tickets/{id}", ADMIN, ticket_id=ticket["id"])[0] == 404, "admins are not support staff"
    assert said(call("GET /tickets/{id}", ANA, ticket_id="nope")) == (404, "no ticket nope")
    assert call("GET /tickets/{id}", EVE, ticket_id=ticket["id"]) == (200, ticket)


# --- agent routes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [ANA, ADMIN])
def test_non_agents_on_agent_routes_are_a_403_and_nothing_changes(call, who):
    ticket = open_ticket(call)
    expected = (403, "this action needs one of the groups: agents")
    assert said(call("POST /tickets/{id}/take", who, ticket_id=ticket["id"])) == expected
    assert said(call("PATCH /tickets/{id}", who, ticket_id=ticket["id"], body={"status": "IN_PROGRESS"})) == expected
    assert call("GET /tickets/{id}", ANA, ticket_id=ticket["id"])[1]["status"] == "OPEN"


# --- POST /tickets/{id}/take ---------------------------------------------------------------------------------------


def test_a_ticket_opened_with_an_access_token_is_refused_with_what_to_send(call, db):
    access_token_claims = {"sub": "c-ana", "client_id": "web", "token_use": "access", "cognito:groups": "[customers]"}
    status, body = call("POST /tickets", access_token_claims, body=new_ticket())
    assert status == 400 and "send the id token" in body["message"]
    assert count(db, "tickets") == 0, "no ticket without the customer's email"


def test_an_agent_takes_an_open_ticket(call):
    ticket = open_ticket(call)
    status, body = call("POST /tickets/{id}/take", EVE, ticket_id=ticket["id"])
    assert status == 200
    assert body == {**ticket, "status": "IN_PROGRESS", "assignee_id": "a-eve",
                    "updated_at": "2026-03-10T10:00:01.000000+00:00"}  # fmt: skip
    assert call("GET /tickets/{id}", ANA, ticket_id=ticket["id"]) == (200, body), "the owner sees who holds it"


def test_taking_again_is_harmless(call):
    ticket = open_ticket(call)
    first = call("POST /tickets/{id}/take", EVE, ticket_id=ticket["id"])
    assert call("POST /tickets/{id}/take", EVE, ticket_id=ticket["id"]) == first


def test_taking_a_ticket_another_agent_holds_is_a_409_naming_the_holder_unless_reassigning(call):
    ticket = open_ticket(call)
    call("POST /tickets/{id}/take", EVE, ticket_id=ticket["id"])
    status, body = call("POST /tickets/{id}/take", MAX, ticket_id=ticket["id"])
    assert said((status, body)) == (
        409,
        f'ticket {ticket["id"]} is held by agent a-eve; send {{"reassign": true}} to take it over',
    )
    assert call("POST /tickets/{id}/take", MAX, ticket_id=ticket["id"], body={"reassign": False})[0] == 409
    status, body = call("POST /tickets/{id}/take", MAX, ticket_id=ticket["id"], body={"reassign": True})
    assert status == 200 and (body["status"], body["assignee_id"]) == ("IN_PROGRESS", "a-max")


@pytest.mark.parametrize(
    ("body", "field"), [({"reassign": "maybe"}, "reassign"), ({"assignee_id": "x"}, "assignee_id")]
)
def test_a_bad_take_body_is_a_422(call, body, field):
    ticket = open_ticket(call)
    status, answer = call("POST /tickets/{id}/take", EVE, ticket_id=ticket["id"], body=body)
    assert status == 422 and [e["field"] for e in answer["errors"]] == [field]


def test_taking_an_unknown_ticket_is_a_404(call):
    assert said(call("POST /tickets/{id}/take", EVE, ticket_id="nope")) == (404, "no ticket nope")


def test_a_resolved_ticket_is_reopened_not_taken(call):
    ticket = open_ticket(call)
    call("POST /tickets/{id}/take", EVE, ticket_id=ticket["id"])
    call("PATCH /tickets/{id}", EVE, ticket_id=ticket["id"], body={"status": "RESOLVED"})
    assert said(call("POST /tickets/{id}/take", MAX, ticket_id=ticket["id"], body={"reassign": True})) == (
        409,
        f"ticket {ticket['id']} is RESOLVED; cannot take it",
    )


def test_agents_taking_at_once_one_gets_it(call, db, monkeypatch):
    ticket = open_ticket(call)
    decide = logic.take

    def slow_take(*args: Any, **kwargs: Any) -> Any:  # widens the read-then-write window the row lock must close
        time.sleep(0.1)
        return decide(*args, **kwargs)

    monkeypatch.setattr(logic, "take", slow_take)
    agents = [{"sub": f"a-{i}", "email": f"a{i}@example.com", "cognito:groups": "[agents]"} for i in range(4)]
    databases = [twin(db) for _ in agents]
    apps = [router.app(SupportUseCases(d)) for d in databases]
    start, results = threading.Barrier(len(apps)), []

    def take(app: Any, who: dict[str, str]) -> None:
        start.wait()
        results.append(call_app(app, "POST /tickets/{id}/take", who, ticket_id=ticket["id"]))

    threads = [threading.Thread(target=take, args=(a, w)) for a, w in zip(apps, agents, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.close()
    assert sorted(status for status, _ in results) == [200, 409, 409, 409]
    [winner] = [body["assignee_id"] for status, body in results if status == 200]
    assert all(f"held by agent {winner}" in body["message"] for status, body in results if status == 409)
    assert call("GET /tickets/{id}", EVE, ticket_id=ticket["id"])[1]["assignee_id"] == winner


# --- PATCH /tickets/{id} ----------------------------------------------------------------------------------------------


def patch(call: Call, ticket_id: str, status: str, who: dict[str, str] = EVE) -> tuple[int, Any]:
    return call("PATCH /tickets/{id}", who, ticket_id=ticket_id, body={"status": status})


def test_agents_move_a_ticket_through_its_life_and_may_reopen_it(call):
    ticket = open_ticket(call)
    status, body = patch(call, ticket["id"], "IN_PROGRESS")
    assert status == 200 and (body["status"], body["assignee_id"]) == ("IN_PROGRESS", "a-eve")
    assert patch(call, ticket["id"], "RESOLVED", MAX)[1]["status"] == "RESOLVED"
    status, body = patch(call, ticket["id"], "IN_PROGRESS", MAX)
    assert status == 200 and (body["status"], body["assignee_id"]) == ("IN_PROGRESS", "a-eve"), "the reopen"
    assert patch(call, ticket["id"], "RESOLVED")[1]["status"] == "RESOLVED"
    status, body = patch(call, ticket["id"], "CLOSED")
    assert status == 200 and body["status"] == "CLOSED" and body["updated_at"] > ticket["updated_at"]


@pytest.mark.parametrize(
    ("steps", "target", "current"),
    [
        ([], "RESOLVED", "OPEN"),
        ([], "CLOSED", "OPEN"),
        ([], "OPEN", "OPEN"),
        (["IN_PROGRESS"], "OPEN", "IN_PROGRESS"),
        (["IN_PROGRESS"], "IN_PROGRESS", "IN_PROGRESS"),
        (["IN_PROGRESS"], "CLOSED", "IN_PROGRESS"),
        (["IN_PROGRESS", "RESOLVED"], "OPEN", "RESOLVED"),
        (["IN_PROGRESS", "RESOLVED", "CLOSED"], "IN_PROGRESS", "CLOSED"),
        (["IN_PROGRESS", "RESOLVED", "CLOSED"], "OPEN", "CLOSED"),
    ],
)
def test_any_other_move_is_a_409_naming_the_current_status(call, steps, target, current):
    ticket = open_ticket(call)
    for step in steps:
        assert patch(call, ticket["id"], step)[0] == 200
    assert said(patch(call, ticket["id"], target)) == (
        409,
        f"ticket {ticket['id']} is {current}; cannot move it to {target}",
    )
    assert call("GET /tickets/{id}", EVE, ticket_id=ticket["id"])[1]["status"] == current


@pytest.mark.parametrize(
    ("body", "field"),
    [({"status": "DONE"}, "status"), ({}, "status"), ({"status": "CLOSED", "assignee_id": "a-max"}, "assignee_id")],
)
def test_a_bad_status_change_is_a_422(call, body, field):
    ticket = open_ticket(call)
    status, answer = call("PATCH /tickets/{id}", EVE, ticket_id=ticket["id"], body=body)
    assert status == 422 and [e["field"] for e in answer["errors"]] == [field]


def test_changing_an_unknown_ticket_is_a_404(call):
    assert said(patch(call, "nope", "IN_PROGRESS")) == (404, "no ticket nope")


# --- comments ---------------------------------------------------------------------------------------------------------


def comment(call: Call, ticket_id: str, who: dict[str, str], text: str) -> tuple[int, Any]:
    return call("POST /tickets/{id}/comments", who, ticket_id=ticket_id, body={"body": text})


def test_the_owner_and_agents_comment_and_the_ticket_shows_them_oldest_first(call):
    ticket = open_ticket(call)
    status, first = comment(call, ticket["id"], ANA, "Any news?")
    assert status == 201 and uuid.UUID(first["id"]).version == 4
    assert first == {"id": first["id"], "ticket_id": ticket["id"], "author_id": "c-ana", "author_role": "customer",
                     "body": "Any news?", "created_at": "2026-03-10T10:00:01.000000+00:00"}  # fmt: skip
    status, second = comment(call, ticket["id"], EVE, "A new mug is on its way.")
    assert status == 201 and (second["author_id"], second["author_role"]) == ("a-eve", "agent")
    status, body = call("GET /tickets/{id}", ANA, ticket_id=ticket["id"])
    assert status == 200 and body["comments"] == [first, second]
    assert body["updated_at"] == second["created_at"], "a comment moves the ticket's updated_at"
    assert call("GET /tickets/{id}", EVE, ticket_id=ticket["id"])[1]["comments"] == [first, second]


@pytest.mark.parametrize("who", [BOB, ADMIN])
def test_others_cannot_comment_and_learn_nothing(call, db, who):
    ticket = open_ticket(call)
    assert said(comment(call, ticket["id"], who, "hello")) == (404, f"no ticket {ticket['id']}")
    assert said(comment(call, "nope", ANA, "hello")) == (404, "no ticket nope")
    assert count(db, "comments") == 0


def test_a_closed_ticket_takes_no_more_comments(call, db):
    ticket = open_ticket(call)
    for step in ("IN_PROGRESS", "RESOLVED", "CLOSED"):
        patch(call, ticket["id"], step)
    assert said(comment(call, ticket["id"], ANA, "thanks")) == (
        409,
        f"ticket {ticket['id']} is CLOSED; cannot comment on it",
    )
    assert count(db, "comments") == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "  "}, "body"),
        ({"body": "b" * 5001}, "body"),
        ({}, "body"),
        ({"body": "hi", "author_id": "x"}, "author_id"),
    ],
)
def test_a_bad_comment_is_a_422(call, db, body, field):
    ticket = open_ticket(call)
    status, answer = call("POST /tickets/{id}/comments", ANA, ticket_id=ticket["id"], body=body)
    assert status == 422 and [e["field"] for e in answer["errors"]] == [field]
    assert count(db, "comments") == 0


# --- GET /tickets ----------------------------------------------------------------------------------------------------


def test_customers_list_their_own_tickets_and_agents_all_newest_first(call):
    mine = [open_ticket(call)["id"] for _ in range(2)]
    theirs = open_ticket(call, BOB)["id"]
    status, body = call("GET /tickets", ANA)
    assert status == 200 and ids(body) == mine[::-1] and body["next_cursor"] is None
    assert "comments" not in body["items"][0], "listings show summaries"
    assert ids(call("GET /tickets", EVE)[1]) == [theirs, *mine[::-1]]
    assert ids(call("GET /tickets", ADMIN)[1]) == []


def test_the_status_filter_keeps_each_to_their_scope(call):
    first, second = open_ticket(call)["id"], open_ticket(call)["id"]
    bobs = open_ticket(call, BOB)["id"]
    call("POST /tickets/{id}/take", EVE, ticket_id=first)
    call("POST /tickets/{id}/take", EVE, ticket_id=bobs)
    assert ids(call("GET /tickets", EVE, query={"status": "IN_PROGRESS"})[1]) == [bobs, first]
    assert ids(call("GET /tickets", EVE, query={"status": "OPEN"})[1]) == [second]
    assert ids(call("GET /tickets", ANA, query={"status": "IN_PROGRESS"})[1]) == [first]
    assert ids(call("GET /tickets", EVE, query={"status": "CLOSED"})[1]) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "LOST"}, "status"), ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"),
     ({"limit": "many"}, "limit")],
)  # fmt: skip
def test_bad_listing_parameters_are_422(call, query, field):
    status, body = call("GET /tickets", EVE, query=query)
    assert status == 422 and [e["field"] for e in body["errors"]] == [field]


def test_a_cursor_this_list_did_not_return_is_a_400(call):
    assert call("GET /tickets", EVE, query={"cursor": "not-a-cursor"})[0] == 400


def walk(call: Call, who: dict[str, str], limit: int, **query: str) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        params = {"limit": str(limit), **query, **({"cursor": cursor} if cursor else {})}
        status, body = call("GET /tickets", who, query=params)
        assert status == 200
        pages.append(ids(body))
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_pages_walk_every_ticket_once(call):
    newest_first = [open_ticket(call)["id"] for _ in range(5)][::-1]
    open_ticket(call, BOB)
    assert walk(call, ANA, 2) == [newest_first[0:2], newest_first[2:4], newest_first[4:]]
    assert walk(call, ANA, 5) == [newest_first]
    assert sum(walk(call, EVE, 4), []) == walk(call, EVE, 100)[0]
    assert len(walk(call, EVE, 100)[0]) == 6


def test_pages_stay_exact_when_tickets_share_a_timestamp(db):
    app = router.app(SupportUseCases(db, clock=Clock(step=0)))
    made = [call_app(app, "POST /tickets", ANA, body=new_ticket())[1]["id"] for _ in range(5)]
    pages = walk(lambda *a, **k: call_app(app, *a, **k), ANA, 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sum(pages, []) == sorted(made, reverse=True), "ties are ordered by id"


def test_the_default_page_is_twenty(call):
    for _ in range(21):
        open_ticket(call)
    body = call("GET /tickets", ANA)[1]
    assert len(body["items"]) == 20 and body["next_cursor"] is not None


# --- failures ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route_key", "who", "kwargs"),
    [
        ("POST /tickets", ANA, {"body": new_ticket()}),
        ("GET /tickets", EVE, {}),
        ("GET /tickets/{id}", ANA, {"ticket_id": "t1"}),
        ("POST /tickets/{id}/take", EVE, {"ticket_id": "t1"}),
        ("PATCH /tickets/{id}", EVE, {"ticket_id": "t1", "body": {"status": "RESOLVED"}}),
        ("POST /tickets/{id}/comments", ANA, {"ticket_id": "t1", "body": {"body": "hi"}}),
    ],
)
def test_an_unreachable_database_is_a_503(route_key, who, kwargs):
    down = Database.mysql("127.0.0.1", closed_port(), user="support", password="secret", database="support")
    app = router.app(SupportUseCases(down))
    assert said(call_app(app, route_key, who, **kwargs)) == (
        503,
        "the service is temporarily unavailable; try again shortly",
    )


def test_a_comment_is_never_written_without_its_ticket_update(call, db):
    """The comment and the ticket's ``updated_at`` change in one transaction: when one fails, neither is kept."""
    ticket = open_ticket(call)
    with db.transaction() as tx:
        tx.execute("DROP TABLE comments")
    assert said(comment(call, ticket["id"], ANA, "hello")) == (500, "internal error")
    assert call("GET /tickets", ANA)[1]["items"][0]["updated_at"] == ticket["updated_at"]


# --- the Lambda entry point -----------------------------------------------------------------------------------------


def test_the_handler_wires_itself_from_the_environment(tmp_path, monkeypatch, moto):
    url = f"sqlite:///{tmp_path}/support.db"
    env = {"SYSTEM_NAME": "shop", "SERVICE_NAME": "support", "DATABASE_URL": url,
           "TABLE_SESSIONS": sessions_table().table_name}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    db.close()
    api.router.reset()
    try:
        ana = {**ANA, "iat": str(int(time.time()))}
        opened = api.handler(http_request("POST /tickets", body=new_ticket(), claims=ana), None)
        assert opened["statusCode"] == 201
        ticket_id = uuid.UUID(json.loads(opened["body"])["id"])
        take = http_request("POST /tickets/{id}/take", path=f"/tickets/{ticket_id}/take",
                            path_parameters={"id": str(ticket_id)}, claims=ana)  # fmt: skip
        assert api.handler(take, None)["statusCode"] == 403, "the declared group rules reach the handler"
    finally:
        api.router.reset()
