"""Pure domain: entities, value objects, events and errors. Standard library only."""
