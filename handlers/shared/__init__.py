"""Code shared by the services' Lambda handlers: database access and schema migrations."""
