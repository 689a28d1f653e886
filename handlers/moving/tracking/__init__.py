"""The tracking service: gPS tracking sessions of assigned trucks."""
