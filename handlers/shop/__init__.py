"""Code that runs inside the microservices shop system."""
