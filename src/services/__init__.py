"""Use cases and the ports they need. Standard library and the domain only."""
