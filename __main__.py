"""Entry point for `pulumi up` / `pulumi preview`: see program/main.py."""

from program.main import run

run()
