"""The retail system's events (bus ``retail``, source ``retail.<service>``), shared by producers and consumers.

``StockLow``: a product's stock crossed below its minimum (it was at or above ``min_stock`` and is now below). It is
emitted once per crossing, by catalog (a stock adjustment) or sales (a sale), in the same transaction as the change.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from handlers.shared.events import EventDetail


class StockLow(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "StockLow"
    product_id: str
    sku: str
    name: str
    stock: int = Field(ge=0)
    min_stock: int = Field(ge=0)


EVENTS: dict[str, type[EventDetail]] = {"StockLow": StockLow}
