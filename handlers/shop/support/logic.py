"""Support tickets: who may see and change them, the status machine, comments, and how they look.

Pure domain code: no boto3, no SQL; the rules take ``now`` from their caller (the handlers' clock is
``handlers.shared.clock.utc_now``, replaced in tests). The use cases (``usecases.py``) call these functions, and
``store.py`` persists the results.

Status machine (agents move tickets one step at a time)::

    OPEN ──take / PATCH──▶ IN_PROGRESS ──PATCH──▶ RESOLVED ──PATCH──▶ CLOSED
                               ▲                      │
                               └──── PATCH (reopen) ──┘

Every other move (backwards, skipping a step, to the same status, anything out of CLOSED) is refused with a 409
that names the current status.

Decisions:

- **Who sees a ticket.** Agents see every ticket; anybody else (customers, and admins, who are not support staff)
  only the tickets they opened. A ticket the caller may not see is a 404, exactly like a missing one, so ids leak
  nothing.
- **Taking.** ``take`` assigns the ticket to the calling agent; an OPEN ticket becomes IN_PROGRESS. Taking a ticket
  the caller already holds changes nothing (a retried request is harmless). Taking a ticket another agent holds is
  a 409 naming the holder, unless the request says ``{"reassign": true}``: reassignment is allowed, but only when
  asked for explicitly. RESOLVED and CLOSED tickets cannot be taken (reopen a RESOLVED one first).
- **Moving by PATCH.** Any agent may move a ticket's status (status is a team matter; holding is about who works
  on it). OPEN → IN_PROGRESS by PATCH assigns the caller, as ``take`` does, so an IN_PROGRESS ticket always has an
  assignee. RESOLVED → IN_PROGRESS is the reopen and keeps the assignee.
- **Comments.** The owner or any agent may comment (others get the 404); the author's role is ``agent`` when the
  author is in the agents group, else ``customer``. A CLOSED ticket takes no more comments (a 409): it is final.
  A comment moves the ticket's ``updated_at``.
- **Listing.** Newest first (``created_at`` descending, then ``id``), so a page never shifts when older tickets
  change; the cursor is the opaque URL-safe base64 of the last item's ``[created_at, id]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Protocol, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.shared.clock import timestamp_us
from handlers.shared.errors import Conflict, DomainError, NotFound
from handlers.shared.paging import NewestFirstQuery, OwnerScope, Page, newest_first_page
from handlers.shared.records import view_of
from handlers.shared.status import StatusMachine
from handlers.shared.views import IsoTimestamp

AGENTS = "agents"
"""The group that sees and works every ticket (as declared in ``architectures/shop.py``)."""


class Status(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


class Role(StrEnum):
    """Who wrote a comment."""

    CUSTOMER = "customer"
    AGENT = "agent"


class Action(StrEnum):
    """What someone does to a ticket; the value completes the sentence "cannot ..."."""

    TAKE = "take it"
    REOPEN_AS_NEW = "move it to OPEN"
    START = "move it to IN_PROGRESS"
    RESOLVE = "move it to RESOLVED"
    CLOSE = "move it to CLOSED"
    COMMENT = "comment on it"


MOVE_TO: Mapping[Status, Action] = {Status.OPEN: Action.REOPEN_AS_NEW, Status.IN_PROGRESS: Action.START,
                                    Status.RESOLVED: Action.RESOLVE, Status.CLOSED: Action.CLOSE}  # fmt: skip
"""The action of a ``PATCH`` to each status (nothing goes back to OPEN)."""

MACHINE: StatusMachine[Status, Action] = StatusMachine(
    "ticket",
    {
        (Status.OPEN, Action.TAKE): Status.IN_PROGRESS,
        (Status.IN_PROGRESS, Action.TAKE): Status.IN_PROGRESS,
        (Status.OPEN, Action.START): Status.IN_PROGRESS,
        (Status.IN_PROGRESS, Action.RESOLVE): Status.RESOLVED,
        (Status.RESOLVED, Action.CLOSE): Status.CLOSED,
        (Status.RESOLVED, Action.START): Status.IN_PROGRESS,  # the reopen
        (Status.OPEN, Action.COMMENT): Status.OPEN,
        (Status.IN_PROGRESS, Action.COMMENT): Status.IN_PROGRESS,
        (Status.RESOLVED, Action.COMMENT): Status.RESOLVED,
    },
)
"""The only allowed moves; anything else is refused with a 409 naming the current status. CLOSED is final."""


class Who(Protocol):
    """The caller as far as the rules care (``handlers.shared.api.Caller`` fits)."""

    @property
    def user_id(self) -> str: ...

    @property
    def groups(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class Actor:
    """A plain :class:`Who`."""

    user_id: str
    groups: frozenset[str] = frozenset()


def is_agent(who: Who) -> bool:
    return AGENTS in who.groups


# --- refusals ------------------------------------------------------------------------------------------------


class TicketNotFound(NotFound, LookupError):
    """No ticket has this id, or the caller may not know it exists: a 404."""

    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"no ticket {ticket_id}")
        self.ticket_id = ticket_id


class HeldByAnotherAgent(Conflict):
    """Another agent holds the ticket (a 409 naming the holder); ``{"reassign": true}`` takes it over."""

    def __init__(self, ticket_id: str, holder: str) -> None:
        super().__init__(f'ticket {ticket_id} is held by agent {holder}; send {{"reassign": true}} to take it over')
        self.ticket_id, self.holder = ticket_id, holder


# --- tickets and comments ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    id: str
    customer_id: str
    customer_email: str
    subject: str
    description: str
    order_id: str | None
    status: Status
    assignee_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Comment:
    id: str
    ticket_id: str
    author_id: str
    author_role: Role
    body: str
    created_at: datetime


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(_not_blank)]


class NewTicket(BaseModel):
    """The body of ``POST /tickets``. Unknown fields are refused (422), so a ``customer_id`` in the body is
    never taken for the caller: the customer is always the token's subject."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: Subject
    description: Text
    order_id: str | None = Field(None, min_length=1, max_length=64, description="The order the ticket is about")


class StatusChange(BaseModel):
    """The body of ``PATCH /tickets/{id}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Status


class TakeRequest(BaseModel):
    """The optional body of ``POST /tickets/{id}/take``: ``reassign`` takes over a ticket another agent holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reassign: bool = False


class NewComment(BaseModel):
    """The body of ``POST /tickets/{id}/comments``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    body: Text


def open_ticket(new: NewTicket, *, ticket_id: str, customer_id: str, customer_email: str, now: datetime) -> Ticket:
    """A new OPEN ticket of the caller, with nobody assigned."""
    return Ticket(
        id=ticket_id,
        customer_id=customer_id,
        customer_email=customer_email,
        subject=new.subject,
        description=new.description,
        order_id=new.order_id,
        status=Status.OPEN,
        assignee_id=None,
        created_at=now,
        updated_at=now,
    )


class NotYourOrder(DomainError):
    """A customer's ticket names an order that is not theirs (or that support does not know yet): a 422."""

    http_status: ClassVar[int] = 422

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order_id: {order_id} is not one of your orders (a new order takes a few seconds to be "
                         "known here)")  # fmt: skip


def check_order(order_id: str, owner_id: str | None, who: Who) -> None:
    """A customer names only one of their own orders; an agent names any order support knows of."""
    if owner_id is None or (not is_agent(who) and owner_id != who.user_id):
        raise NotYourOrder(order_id)


def can_see(ticket: Ticket, who: Who) -> bool:
    """Agents see every ticket; anybody else only their own."""
    return is_agent(who) or ticket.customer_id == who.user_id


def visible(ticket: Ticket, who: Who) -> Ticket:
    """The ticket, or :class:`TicketNotFound` when ``who`` may not see it."""
    if not can_see(ticket, who):
        raise TicketNotFound(ticket.id)
    return ticket


def take(ticket: Ticket, agent: Who, now: datetime, *, reassign: bool = False) -> Ticket:
    """Assign the ticket to ``agent`` (OPEN becomes IN_PROGRESS). The same ticket when the agent already holds it."""
    visible(ticket, agent)
    status = MACHINE.next(ticket.id, ticket.status, Action.TAKE)
    if ticket.assignee_id == agent.user_id and ticket.status is status:
        return ticket
    if ticket.assignee_id is not None and ticket.assignee_id != agent.user_id and not reassign:
        raise HeldByAnotherAgent(ticket.id, ticket.assignee_id)
    return replace(ticket, status=status, assignee_id=agent.user_id, updated_at=now)


def move(ticket: Ticket, target: Status, agent: Who, now: datetime) -> Ticket:
    """Move the ticket one step (see the status machine); OPEN → IN_PROGRESS assigns ``agent`` as ``take`` does."""
    visible(ticket, agent)
    status = MACHINE.next(ticket.id, ticket.status, MOVE_TO[target])
    assignee = ticket.assignee_id
    if status is Status.IN_PROGRESS and assignee is None:
        assignee = agent.user_id
    return replace(ticket, status=status, assignee_id=assignee, updated_at=now)


def comment(ticket: Ticket, author: Who, new: NewComment, *, comment_id: str, now: datetime) -> tuple[Ticket, Comment]:
    """A comment by the owner or an agent, and the ticket with its ``updated_at`` moved."""
    visible(ticket, author)
    MACHINE.next(ticket.id, ticket.status, Action.COMMENT)
    role = Role.AGENT if is_agent(author) else Role.CUSTOMER
    note = Comment(id=comment_id, ticket_id=ticket.id, author_id=author.user_id, author_role=role, body=new.body,
                   created_at=now)  # fmt: skip
    return replace(ticket, updated_at=now), note


# --- how they look ---------------------------------------------------------------------------------------------------


class TicketSummary(TypedDict):
    """A ticket as listings show it."""

    id: str
    customer_id: str
    customer_email: str
    subject: str
    description: str
    order_id: str | None
    status: Status
    assignee_id: str | None
    created_at: IsoTimestamp
    updated_at: IsoTimestamp


class CommentView(TypedDict):
    id: str
    ticket_id: str
    author_id: str
    author_role: Role
    body: str
    created_at: IsoTimestamp


class TicketView(TicketSummary):
    """A ticket on its own, with its comments, oldest first."""

    comments: list[CommentView]


def summary(ticket: Ticket) -> TicketSummary:
    return cast(TicketSummary, view_of(ticket, timestamp_us))


def comment_view(note: Comment) -> CommentView:
    return cast(CommentView, view_of(note, timestamp_us))


def detail(ticket: Ticket, comments: Sequence[Comment]) -> TicketView:
    """A ticket on its own (``GET /tickets/{id}`` and every single-ticket response): with its comments, oldest
    first."""
    return {**summary(ticket), "comments": [comment_view(c) for c in comments]}


# --- listing ---------------------------------------------------------------------------------------------------


class ListQuery(NewestFirstQuery):
    """``GET /tickets`` query: ``limit`` (1..100, default 20), ``cursor`` (from ``next_cursor``), ``status``."""

    status: Status | None = None


def listing_scope(query: ListQuery, who: Who) -> OwnerScope:
    """A customer lists their own tickets; agents list every one."""
    return OwnerScope.of(who.user_id, sees_all=is_agent(who), status=query.status)


def page(tickets: Sequence[Ticket], limit: int) -> Page[TicketSummary]:
    return newest_first_page(tickets, limit, summary)
