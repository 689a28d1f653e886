"""The fleet service: trucks, and picking one for each new move."""
