"""Search: text folding now; the backends and the outbox indexer build on it."""
