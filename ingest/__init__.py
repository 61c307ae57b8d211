"""Ingest tools: readers per source format, declarative mapping profiles, and the import pipeline."""
