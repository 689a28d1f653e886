"""The sales API: the routes of ``architectures/retail.py``'s sales service, each a call to one use case."""

from __future__ import annotations

from handlers.retail.sales import logic
from handlers.retail.sales.logic import NewSale, SaleQuery, SaleView
from handlers.retail.sales.usecases import SalesUseCases
from handlers.shared.paging import Page
from handlers.shared.routing import Request, Router

router = Router("retail", "sales")


@router.route("POST /sales", body=NewSale, response=SaleView, status=201, idempotent=True)
def create_sale(request: Request, sales: SalesUseCases) -> SaleView:
    """Ring up a sale.

    Prices and tax come from the catalog and the store's settings; the stock of each product is taken in the same
    step (409 naming a product without enough stock). Send an Idempotency-Key to make a retry return the first
    answer instead of a second sale.
    """
    return sales.sell(request.caller, request.body)


@router.route("GET /sales", query=SaleQuery, response=Page[SaleView])
def list_sales(request: Request, sales: SalesUseCases) -> Page[SaleView]:
    """List sales, newest first, between two of the store's days (in its time zone, both included).

    Sellers see their own; admins see everyone's, or one seller's with seller. status=COMPLETED or status=VOIDED
    keeps the sales in that status.
    """
    return sales.listing(request.caller, request.query)


@router.route("GET /sales/{id}", response=SaleView)
def show_sale(request: Request, sales: SalesUseCases) -> SaleView:
    """Show one sale (its seller and admins; anyone else gets a 404)."""
    return logic.sale_view(sales.show(request.caller, request.params["id"]))


@router.route("POST /sales/{id}/void", response=SaleView)
def void_sale(request: Request, sales: SalesUseCases) -> SaleView:
    """Void a sale: its units go back to stock (409 when it is already void)."""
    return logic.sale_view(sales.void(request.caller, request.params["id"]))


handler = router.handler(SalesUseCases.from_settings)
