"""Running the systems offline: local AWS (moto), databases, and the real handlers invoked as Lambda would."""
