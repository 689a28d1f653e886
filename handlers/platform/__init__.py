"""Platform functions that run inside the VPC on behalf of a deploy: standard library and botocore only."""
