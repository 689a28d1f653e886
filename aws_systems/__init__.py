"""Secure-by-default Pulumi components for AWS: auth, event buses, services, static sites, networks, databases
and Kubernetes services. Import the component you need, for example ``from aws_systems.auth import AuthComponent``.
"""
