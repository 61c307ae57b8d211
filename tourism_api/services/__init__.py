"""Use cases: one function or service per thing a user does, called alike by the API,
the CLI and the web pages. They combine the catalogue, search, media_store and ingest;
they know nothing of HTTP."""
