"""The cold-start baseline: a bare Powertools HTTP handler that imports boto3 (what any API function starts from)."""

import boto3  # noqa: F401 - imported for its cost, as a real handler would
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

app = APIGatewayHttpResolver()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


def handler(event, context):
    return app.resolve(event, context)
