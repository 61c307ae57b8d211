"""Ingest tools: readers, normalisation and the import pipeline (to come)."""
