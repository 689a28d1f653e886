"""Code that runs inside the moving company system."""
