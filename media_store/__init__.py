"""Media store: content-addressed storage, safe image processing, derivatives and IIIF."""
