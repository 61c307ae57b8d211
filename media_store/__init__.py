"""Media store: photos, derivatives and IIIF (to come)."""
