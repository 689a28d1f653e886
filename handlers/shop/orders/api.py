"""The orders API: the routes of ``architectures/shop.py``'s orders service, each a call to one use case."""

from __future__ import annotations

from handlers.shared.paging import Page
from handlers.shared.routing import Request, Router
from handlers.shop.orders import logic
from handlers.shop.orders.logic import ListQuery, NewOrder, OrderView
from handlers.shop.orders.usecases import OrderUseCases

router = Router("shop", "orders")


@router.route("POST /orders", body=NewOrder, response=OrderView, status=201, idempotent=True)
def place_order(request: Request, orders: OrderUseCases) -> OrderView:
    """Place an order.

    The items are priced from the catalog and the order starts as PENDING until its stock is reserved. Send an
    Idempotency-Key to make a retry return the first answer instead of placing a second order.
    """
    return orders.place(request.caller, request.body)


@router.route("GET /orders", query=ListQuery, response=Page[OrderView])
def list_orders(request: Request, orders: OrderUseCases) -> Page[OrderView]:
    """List your orders, newest first."""
    return orders.listing(request.caller, request.query)


@router.route("GET /orders/{id}", response=OrderView)
def show_order(request: Request, orders: OrderUseCases) -> OrderView:
    """Show one order.

    The owner and admins see it; anyone else gets a 404, as for a missing order.
    """
    return logic.view(orders.show(request.caller, request.params["id"]))


@router.route("POST /orders/{id}/cancel", response=OrderView)
def cancel_order(request: Request, orders: OrderUseCases) -> OrderView:
    """Cancel your order.

    Only a PENDING or CONFIRMED order can be cancelled (409 otherwise, naming its status); its stock is released.
    """
    return logic.view(orders.cancel(request.caller, request.params["id"]))


handler = router.handler(OrderUseCases.from_settings)
