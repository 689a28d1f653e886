"""The orders service: orders, their details and payment details."""
