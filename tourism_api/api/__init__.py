"""The HTTP layer: parse, call a service, serialise."""
