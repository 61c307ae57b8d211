"""The job queue: work that must not make a request wait (large imports) runs here."""
