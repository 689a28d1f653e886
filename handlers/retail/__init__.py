"""Code that runs inside the store inventory and sales system."""
