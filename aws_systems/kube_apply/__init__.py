"""The function that applies a Kubernetes service's manifests from inside the VPC (shipped with the library; it runs
in Lambda on the standard library and botocore only)."""
