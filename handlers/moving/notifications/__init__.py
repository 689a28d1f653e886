"""The notifications service: tells customers what happened to their move, once per event."""
