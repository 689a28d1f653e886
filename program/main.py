"""The Pulumi program: validate the stack config, build the shared dependency layer, deploy the enabled systems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi.runtime import config as pulumi_config

from architectures import SYSTEMS
from architectures.archives import HANDLERS, REPO_ROOT
from architectures.cloud import SystemComponent
from architectures.platform import Platform, interface_endpoints, needs_network
from aws_systems import defaults
from aws_systems.network import NetworkArgs, NetworkComponent
from aws_systems.packaging import dependency_layer
from program.config import ConfigError, StackConfig, parse

BUILD_DIR = REPO_ROOT / ".build"


def load_config() -> StackConfig:
    """The stack config, validated; a problem stops the program with one line and no traceback."""
    raw: dict[str, Any] = {**(pulumi_config.get_config_env() or {}), **pulumi_config.CONFIG.get()}
    secret_keys = {k for k in raw if pulumi.runtime.is_config_secret(k)}
    secret_keys |= set(pulumi_config.get_config_secret_keys_env())
    try:
        return parse(raw, secret_keys, project=pulumi.get_project())
    except ConfigError as exc:
        raise pulumi.RunError(f"invalid stack config: {exc}") from None


def needs_us_east_1(config: StackConfig) -> bool:
    """CloudFront's certificate and WAF live in us-east-1 whatever the stack's region."""
    site_waf = config.site.waf if config.site.waf is not None else config.protection == "hardened"
    return "retail" in config.systems and bool(config.site.domain or site_waf)


def run(build_layer: bool = True, build_dir: Path = BUILD_DIR) -> dict[str, SystemComponent]:
    """Deploy the enabled systems and export their outputs. ``build_layer=False`` downloads nothing (tests)."""
    config = load_config()
    stack = pulumi.get_stack()
    layer_archive = dependency_layer(
        HANDLERS / "requirements.txt",
        build_dir,
        runtime=defaults.LAMBDA_RUNTIME,
        architecture=config.lambda_.architecture,
        build=build_layer,
    )
    layer = aws.lambda_.LayerVersion(
        "dependencies",
        layer_name=f"{pulumi.get_project()}-{stack}-dependencies",
        code=pulumi.FileArchive(str(layer_archive.path)),
        source_code_hash=layer_archive.base64_sha256,
        compatible_runtimes=[defaults.LAMBDA_RUNTIME],
        compatible_architectures=[config.lambda_.architecture],
    )
    us_east_1 = aws.Provider("us-east-1", region="us-east-1") if needs_us_east_1(config) else None
    network = None
    if any(needs_network(SYSTEMS[name]) for name in config.systems):
        network = NetworkComponent(
            "network",
            NetworkArgs(
                protection=config.protection,
                az_count=config.network.az_count,
                nat_gateways=config.network.nat_gateways,
                interface_endpoints=interface_endpoints([SYSTEMS[name] for name in config.systems]),
            ),
        )
    platform = Platform(
        config=config, stack=stack, layer_arn=layer.arn, build_dir=build_dir, network=network, us_east_1=us_east_1
    )

    built: dict[str, SystemComponent] = {}
    for name in config.systems:
        built[name] = SystemComponent(SYSTEMS[name], platform)
        # The endpoints file of a deployed stack (tools/endpoints.py) is made from these, so it adds the JWKS URL.
        pulumi.export(name, {**built[name].outputs, "jwks_url": built[name].auth.jwks_url})
    return built
