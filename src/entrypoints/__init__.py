"""Entry points: the composition root, the Flask HTTP API and the click command line."""
