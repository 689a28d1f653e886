"""The users service: sign-up, login, refresh, logout and profiles (container on EKS)."""
