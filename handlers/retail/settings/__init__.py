"""The settings service: store settings, and user sessions and preferences with a TTL."""
