"""The three systems, each declared once and composed from the component library."""

from architectures import moving, retail, shop
from architectures.spec import System

SYSTEMS: dict[str, System] = {s.SYSTEM.name: s.SYSTEM for s in (moving, shop, retail)}
