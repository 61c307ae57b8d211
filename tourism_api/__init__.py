"""Heritage and tourism catalogue: the application package."""
