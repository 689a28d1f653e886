"""The authorizer service: lambda authorizer: Cognito JWT plus group rules."""
