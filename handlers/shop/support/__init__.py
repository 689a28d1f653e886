"""The support service: tickets that agents take."""
