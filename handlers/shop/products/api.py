"""The products API: the routes of ``architectures/shop.py``'s products service, each a call to one use case."""

from __future__ import annotations

from handlers.shared.paging import Page
from handlers.shared.routing import Request, Router
from handlers.shop.products import logic
from handlers.shop.products.logic import InventoryUpdate, InventoryView, ListQuery, ProductFields, ProductView
from handlers.shop.products.usecases import ProductUseCases

router = Router("shop", "products")


@router.route("GET /products", query=ListQuery, response=Page[ProductView])
def list_products(request: Request, products: ProductUseCases) -> Page[ProductView]:
    """List the products on sale, in SKU order.

    q searches the name, SKU and description (any case); category keeps one category.
    """
    return products.listing(request.query)


@router.route("GET /products/{id}", response=ProductView)
def show_product(request: Request, products: ProductUseCases) -> ProductView:
    """Show one product on sale (a deleted or unknown one is a 404)."""
    return logic.product_view(products.show(request.params["id"]))


@router.route("POST /products", body=ProductFields, response=ProductView, status=201, idempotent=True)
def create_product(request: Request, products: ProductUseCases) -> ProductView:
    """Add a product to the catalogue.

    It starts with no stock. 409 when its SKU is taken. Prices are strings with two decimals.
    """
    return logic.product_view(products.create(request.body))


@router.route("PUT /products/{id}", body=ProductFields, response=ProductView)
def update_product(request: Request, products: ProductUseCases) -> ProductView:
    """Replace a product's fields.

    active left out keeps it; active true restores a deleted product. 409 when the SKU is taken.
    """
    return logic.product_view(products.update(request.params["id"], request.body))


@router.route("DELETE /products/{id}", response=ProductView)
def delete_product(request: Request, products: ProductUseCases) -> ProductView:
    """Take a product off sale.

    It leaves the public catalogue and orders stop selling it; PUT with active true restores it.
    """
    return logic.product_view(products.delete(request.params["id"]))


@router.route("GET /products/{id}/inventory", response=InventoryView)
def show_inventory(request: Request, products: ProductUseCases) -> InventoryView:
    """Show a product's stock: units available and units reserved by pending orders."""
    return logic.inventory_view(products.inventory(request.params["id"]))


@router.route("PUT /products/{id}/inventory", body=InventoryUpdate, response=InventoryView)
def set_inventory(request: Request, products: ProductUseCases) -> InventoryView:
    """Set the units available; reserved units are unchanged."""
    return logic.inventory_view(products.set_available(request.params["id"], request.body.quantity))


handler = router.handler(ProductUseCases.from_settings)
