"""The Flask HTTP API (flask-smorest, OpenAPI 3)."""
