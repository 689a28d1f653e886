"""The preflight policy pack, as ``pulumi preview --policy-pack policy`` runs it (rules: aws_systems/preflight)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's components, without installing

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from aws_systems.preflight import PACK_NAME, policies  # noqa: E402

PolicyPack(PACK_NAME, policies(), enforcement_level=EnforcementLevel.MANDATORY)
