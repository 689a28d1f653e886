"""The ``nightly-export`` schedule: a consistent logical dump of the retail schema to the backups bucket.

Writes ``exports/YYYY/MM/DD/retail-<UTC timestamp>.json.gz`` (format ``retail-dump/1``, see ``logic``) and returns
``{"key": ..., "tables": {name: row_count}, "bytes": ...}``. Restore with ``python -m handlers.retail.backups.restore``.
"""

from __future__ import annotations

import functools
from typing import Any

from handlers.retail.backups.usecases import BackupUseCases
from handlers.shared.entry import lambda_entry
from handlers.shared.settings import ServiceSettings


@functools.cache
def default_use_cases() -> BackupUseCases:
    """Built on the first invocation from the environment, then reused by the warm container."""
    return BackupUseCases.from_settings(ServiceSettings.from_env())


@lambda_entry()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(default_use_cases().export())
