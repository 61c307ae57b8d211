"""The catalogue domain: models, validation and services, free of Flask."""
