"""The moves service: moves and their status."""
