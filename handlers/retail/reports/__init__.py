"""The reports service: sales reports on demand and a daily report file."""
