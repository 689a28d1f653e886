"""The tracking service: GPS tracking sessions of assigned trucks."""
