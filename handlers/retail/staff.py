"""The store's staff groups, as ``architectures/retail.py`` declares them, and whose sales each may see.

An admin sees the whole store's sales and figures; a seller sees only their own, in the sales list and in the
reports alike.
"""

from __future__ import annotations

ADMINS = "admins"


def own_sales_scope(user_id: str, groups: frozenset[str]) -> str | None:
    """Whose sales a caller's lists and figures cover: None (the whole store) for an admin, else the caller's."""
    return None if ADMINS in groups else user_id
