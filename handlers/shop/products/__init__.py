"""The products service: catalog and inventory; reserves and releases stock for orders."""
