"""The catalog API: the routes of ``architectures/retail.py``'s catalog service, each a call to one use case."""

from __future__ import annotations

from handlers.retail.catalog import logic
from handlers.retail.catalog.logic import (
    Adjustment,
    AdjustmentView,
    ClientFields,
    ClientQuery,
    ClientView,
    MovementQuery,
    ProductFields,
    ProductQuery,
    ProductView,
    StockQuery,
    StockView,
)
from handlers.retail.catalog.usecases import CatalogUseCases
from handlers.retail.stock_movements import Movement
from handlers.shared.paging import Page
from handlers.shared.routing import Request, Router

router = Router("retail", "catalog")


@router.route("GET /products", query=ProductQuery, response=Page[ProductView])
def list_products(request: Request, catalog: CatalogUseCases) -> Page[ProductView]:
    """List products in SKU order (deleted ones only with include_inactive=true).

    q keeps the products whose SKU or name contains it (case-insensitive; % and _ match themselves).
    """
    return catalog.products(request.query)


@router.route("GET /products/{id}", response=ProductView)
def show_product(request: Request, catalog: CatalogUseCases) -> ProductView:
    """Show one product; a deleted one is still shown, with active false."""
    return logic.product_view(catalog.product(request.params["id"]))


@router.route("POST /products", body=ProductFields, response=ProductView, status=201, idempotent=True)
def create_product(request: Request, catalog: CatalogUseCases) -> ProductView:
    """Add a product. It starts with a stock of 0.

    min_stock left out is the store's low-stock threshold. 409 when the SKU is taken.
    """
    return logic.product_view(catalog.create_product(request.body))


@router.route("PUT /products/{id}", body=ProductFields, response=ProductView)
def update_product(request: Request, catalog: CatalogUseCases) -> ProductView:
    """Replace a product's fields; min_stock and active keep their values when left out."""
    return logic.product_view(catalog.update_product(request.params["id"], request.body))


@router.route("DELETE /products/{id}", response=ProductView)
def delete_product(request: Request, catalog: CatalogUseCases) -> ProductView:
    """Take a product off sale (it is kept, with active false)."""
    return logic.product_view(catalog.delete_product(request.params["id"]))


@router.route("GET /clients", query=ClientQuery, response=Page[ClientView])
def list_clients(request: Request, catalog: CatalogUseCases) -> Page[ClientView]:
    """List clients in name order.

    q keeps the clients whose name, document_id or email contains it (case-insensitive; % and _ match themselves).
    """
    return catalog.clients(request.query)


@router.route("GET /clients/{id}", response=ClientView)
def show_client(request: Request, catalog: CatalogUseCases) -> ClientView:
    """Show one client."""
    return logic.client_view(catalog.client(request.params["id"]))


@router.route("POST /clients", body=ClientFields, response=ClientView, status=201, idempotent=True)
def create_client(request: Request, catalog: CatalogUseCases) -> ClientView:
    """Register a client (409 when the document id is taken)."""
    return logic.client_view(catalog.create_client(request.body))


@router.route("PUT /clients/{id}", body=ClientFields, response=ClientView)
def update_client(request: Request, catalog: CatalogUseCases) -> ClientView:
    """Replace a client's details (409 when the document id is taken)."""
    return logic.client_view(catalog.update_client(request.params["id"], request.body))


@router.route("DELETE /clients/{id}", status=204)
def delete_client(request: Request, catalog: CatalogUseCases) -> None:
    """Delete a client."""
    catalog.delete_client(request.params["id"])


@router.route("GET /stock", query=StockQuery, response=Page[StockView])
def list_stock(request: Request, catalog: CatalogUseCases) -> Page[StockView]:
    """List stock levels in SKU order.

    q keeps the products whose SKU or name contains it (case-insensitive; % and _ match themselves); low=true keeps
    the products below their minimum.
    """
    return catalog.levels(request.query)


@router.route("POST /stock/adjustments", body=Adjustment, response=AdjustmentView, status=201, idempotent=True)
def adjust_stock(request: Request, catalog: CatalogUseCases) -> AdjustmentView:
    """Add or remove units, with a reason.

    409 when the stock would go below zero. Crossing below the minimum sends a low-stock alert.
    """
    return logic.adjustment_view(catalog.adjust(request.caller, request.body))


@router.route("GET /stock/movements", query=MovementQuery, response=Page[Movement])
def list_movements(request: Request, catalog: CatalogUseCases) -> Page[Movement]:
    """List stock movements, newest first (of one product with product_id)."""
    return catalog.movements(request.query)


handler = router.handler(CatalogUseCases.from_settings)
