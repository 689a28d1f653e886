"""The backups service: nightly consistent logical export of the store's data."""
