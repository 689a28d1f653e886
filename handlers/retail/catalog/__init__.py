"""The catalog service: products, clients and stock."""
