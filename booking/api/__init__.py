"""The REST API for integrations: /api/v1/."""
